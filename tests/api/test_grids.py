"""Grids: optimistic locking (ETag / If-Match), audit in the same transaction, GeoJSON checks."""

from __future__ import annotations

from sqlalchemy import func, select

from api.db.models import AuditEntry
from tests.api.conftest import HP, World, geojson, grid_shape


def test_second_planner_with_stale_etag_is_refused_and_nothing_lost(world: World) -> None:
    c, gid = world.client, world.grids["HP-1"]
    first = c.get(f"/grids/{gid}", headers=world.h("planner"))
    second = c.get(f"/grids/{gid}", headers=world.h("admin"))
    assert first.headers["ETag"] == second.headers["ETag"] == '"1"'

    ok = c.patch(f"/grids/{gid}", json={"name": "西片"},
                 headers={**world.h("planner"), "If-Match": first.headers["ETag"]})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = c.patch(f"/grids/{gid}", json={"staff": {"enforcement": 9}},
                    headers={**world.h("admin"), "If-Match": second.headers["ETag"]})
    assert stale.status_code == 409
    now = c.get(f"/grids/{gid}", headers=world.h("admin")).json()
    assert now["name"] == "西片" and now["staff"] == {"enforcement": 4} and now["version"] == 2

    history = c.get(f"/grids/{gid}/history", headers=world.h("planner")).json()["items"]
    assert [(e["actor"], e["action"]) for e in history] == [("planner", "update")]
    assert history[0]["before"]["name"] == "HP-1" and history[0]["after"]["name"] == "西片"


def test_if_match_required_and_delete_locked(world: World) -> None:
    c, gid = world.client, world.grids["HP-2"]
    assert c.patch(f"/grids/{gid}", json={"name": "x"}, headers=world.h("planner")).status_code == 428
    assert c.delete(f"/grids/{gid}", headers=world.h("planner")).status_code == 428
    assert c.delete(f"/grids/{gid}", headers={**world.h("planner"), "If-Match": 'W/"1"'}
                    ).status_code == 409
    assert c.delete(f"/grids/{gid}", headers={**world.h("planner"), "If-Match": '"1"'}
                    ).status_code == 204
    assert c.get(f"/grids/{gid}", headers=world.h("planner")).status_code == 404


def test_failed_edit_leaves_no_audit_entry(world: World) -> None:
    c, gid = world.client, world.grids["HP-1"]
    with world.db.session() as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    r = c.patch(f"/grids/{gid}", json={"geometry": bad},
                headers={**world.h("planner"), "If-Match": '"1"'})
    assert r.status_code == 422
    with world.db.session() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before


def test_create_grid_checks_nesting_and_reports_every_problem(world: World) -> None:
    c = world.client
    body = {"plan_id": world.proposals[HP], "code": "HP-9", "jurisdiction_code": HP,
            "geometry": geojson(grid_shape(HP, 0)), "staff": {"enforcement": 3}}
    created = c.post("/grids", json=body, headers=world.h("planner"))
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    assert c.post("/grids", json=body, headers=world.h("planner")).status_code == 409

    far = {"type": "Polygon", "coordinates": [[[120, 30], [120.01, 30], [120.01, 30.01],
                                               [120, 30.01], [120, 30]]]}
    r = c.post("/grids", json={**body, "code": "HP-10", "geometry": far}, headers=world.h("planner"))
    assert r.status_code == 422
    assert "outside" in r.json()["detail"][0]["found"]

    swapped = {"type": "Polygon", "coordinates": [[[31, 121], [31.1, 121], [31.1, 121.1],
                                                   [31, 121.1], [31, 121]]]}
    r = c.post("/grids", json={**body, "code": "HP-11", "geometry": swapped},
               headers=world.h("planner"))
    assert r.status_code == 422 and "lat" in r.json()["detail"][0]["fix"]


def test_malformed_geojson_is_422_not_500(world: World) -> None:
    c = world.client
    for geometry in ({"type": "Polygon", "coordinates": [[1, 2]]},
                     {"type": "Polygon", "coordinates": []},
                     {"type": "Point", "coordinates": ["a", "b"]},
                     {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}):
        r = c.post("/grids", json={"plan_id": world.plans[HP], "code": "Z", "jurisdiction_code": HP,
                                   "geometry": geometry}, headers=world.h("planner"))
        assert r.status_code == 422, (geometry, r.text)
        assert r.json()["detail"], r.text


def test_geojson_feature_collection_is_scoped(world: World) -> None:
    fc = world.client.get(f"/plans/{world.plans[HP]}/grids.geojson", headers=world.h("squad")).json()
    assert [f["properties"]["code"] for f in fc["features"]] == ["HP-1"]
    fc = world.client.get(f"/plans/{world.plans[HP]}/grids.geojson", headers=world.h("planner")).json()
    assert sorted(f["properties"]["code"] for f in fc["features"]) == ["HP-1", "HP-2"]
