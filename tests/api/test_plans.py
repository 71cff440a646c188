"""PUT on grids (whole replacement under If-Match) and promoting a proposal to current."""

from __future__ import annotations

from sqlalchemy import select

from api.db.models import AuditEntry
from tests.api.conftest import HP, JA, World, geojson, grid_shape


def _body(code: str, *, index: int = 0, enforcement: int = 3) -> dict:
    return {"code": code, "name": "东片", "jurisdiction_code": HP,
            "geometry": geojson(grid_shape(HP, index)), "staff": {"enforcement": enforcement}}


def test_put_replaces_the_grid_under_if_match(world: World) -> None:
    c, gid, h = world.client, world.grids["HP-1"], world.h("planner")
    assert c.put(f"/grids/{gid}", json=_body("HP-1"), headers=h).status_code == 428
    r = c.put(f"/grids/{gid}", json=_body("HP-1b", index=2, enforcement=5),
              headers={**h, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"2"' and r.json()["code"] == "HP-1b"
    assert r.json()["station"] is None and r.json()["staff"] == {"enforcement": 5}
    stale = c.put(f"/grids/{gid}", json=_body("HP-1c"), headers={**h, "If-Match": '"1"'})
    assert stale.status_code == 409
    assert c.get(f"/grids/{gid}", headers=h).json()["code"] == "HP-1b"  # nothing lost
    history = c.get(f"/grids/{gid}/history", headers=world.h("admin")).json()["items"]
    assert [e["action"] for e in history] == ["update"]
    assert history[0]["before"]["code"] == "HP-1" and history[0]["after"]["code"] == "HP-1b"


def test_put_refuses_taken_code_and_foreign_jurisdiction(world: World) -> None:
    c, gid = world.client, world.grids["HP-1"]
    h = {**world.h("planner"), "If-Match": '"1"'}
    assert c.put(f"/grids/{gid}", json=_body("HP-2"), headers=h).status_code == 409
    r = c.put(f"/grids/{gid}", json={**_body("HP-1"), "jurisdiction_code": JA}, headers=h)
    assert r.status_code == 422  # the HP shape lies outside Jing'an: nesting problem listed
    assert c.get(f"/grids/{gid}", headers=h).json()["version"] == 1


def test_promote_archives_the_old_current_plan_and_is_audited(world: World) -> None:
    c, h = world.client, world.h("planner")
    proposal, current = world.proposals[HP], world.plans[HP]
    r = c.post(f"/plans/{proposal}/promote", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "current"
    assert c.get(f"/plans/{current}", headers=h).json()["status"] == "archived"
    assert c.post(f"/plans/{proposal}/promote", headers=h).status_code == 409
    assert c.post(f"/plans/{current}/promote", headers=h).status_code == 409  # archived
    with world.db.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "plan")))
    changes = {(e.entity_id, e.before["status"], e.after["status"]) for e in entries}
    assert changes == {(str(current), "current", "archived"), (str(proposal), "proposal", "current")}
    assert all(e.actor == "planner" for e in entries)


def test_database_keeps_one_current_plan_per_district(world: World) -> None:
    r = world.client.post("/plans", json={"name": "second", "district_code": HP,
                                          "status": "current"}, headers=world.h("planner"))
    assert r.status_code == 409
    import pytest
    from sqlalchemy.exc import IntegrityError

    from api.db.models import GridPlan

    with pytest.raises(IntegrityError), world.db.session() as s:  # even bypassing the API
        s.add(GridPlan(name="x", district_code=HP, status="current", notes="", created_by="t"))
