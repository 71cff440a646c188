"""The zone width a joint viewer sees is the alliance's setting per pair, never the request's.

Probe of the audit: at 5000 m the "zone" covered most of both districts. Now a joint viewer gets
the pair's setting (an admin's, default 50 m) and is refused a wider zone — on GET /zones and on
the boundary_zone and joint_patrols jobs; a planner may ask wider, but only sees their own side.
"""

from __future__ import annotations

from shapely.geometry import shape

from api.db.models import IncidentSet
from tests.api.conftest import HP, JA, World, wait_for_job


def _zone(world: World, user: str, **query: float) -> object:
    return world.client.get(f"/zones/{HP}/{JA}", headers=world.h(user), params=query)


def _job(world: World, user: str, kind: str, **params: object) -> object:
    return world.client.post("/jobs", headers=world.h(user), json={"kind": kind, "params": {
        "code_a": HP, "code_b": JA, **params}})


def _incident_set(world: World, district: str) -> int:
    with world.db.session() as s:
        rec = IncidentSet(name="i", district_code=district, file_path="x", file_sha256="0" * 64,
                          size_bytes=1, summary={}, synthetic=True, created_by="seed")
        s.add(rec)
        s.flush()
        return rec.id


def test_joint_viewer_cannot_widen_the_zone(world: World) -> None:
    default = _zone(world, "joint")
    assert default.status_code == 200 and default.json()["zone_width_m"] == 50
    wide = _zone(world, "joint", zone_width_m=5000)
    assert wide.status_code == 403 and "alliance" in wide.json()["detail"]
    narrow = _zone(world, "joint", zone_width_m=20)
    assert narrow.status_code == 200
    assert shape(narrow.json()["geometry"]).area < shape(default.json()["geometry"]).area


def test_the_alliance_width_is_an_admin_setting(world: World) -> None:
    assert world.client.get(f"/zones/{JA}/{HP}/width", headers=world.h("joint")).json()[
        "zone_width_m"] == 50
    refused = world.client.put(f"/zones/{HP}/{JA}/width", headers=world.h("joint"),
                               json={"zone_width_m": 5000})
    assert refused.status_code == 403
    set_ = world.client.put(f"/zones/{JA}/{HP}/width", headers=world.h("admin"),
                            json={"zone_width_m": 120})
    assert set_.status_code == 200 and set_.json()["updated_by"] == "admin"
    assert _zone(world, "joint").json()["zone_width_m"] == 120  # either order names the pair
    assert _zone(world, "joint", zone_width_m=120).status_code == 200
    assert _zone(world, "joint", zone_width_m=121).status_code == 403
    audit = world.client.get("/audit", headers=world.h("admin"),
                             params={"entity": "zone_width"}).json()["items"]
    assert audit[0]["after"] == {"zone_width_m": 120}


def test_planner_may_ask_wider_but_sees_only_their_side(world: World) -> None:
    r = _zone(world, "planner", zone_width_m=500)
    assert r.status_code == 200, r.text
    assert r.json()["zone_width_m"] == 500 and r.json()["visible_sides"] == [HP]


def test_zone_job_takes_the_alliance_width(world: World) -> None:
    assert _job(world, "joint", "boundary_zone", zone_width_m=5000).status_code == 403
    world.client.put(f"/zones/{HP}/{JA}/width", headers=world.h("admin"),
                     json={"zone_width_m": 80})
    r = _job(world, "joint", "boundary_zone")
    assert r.status_code == 202, r.text
    job = wait_for_job(world, r.json()["id"], "joint")
    assert job["status"] == "succeeded", job
    assert job["result"]["zone_width_m"] == 80


def test_joint_patrols_width_and_the_neighbours_incidents(world: World) -> None:
    own, neighbours = _incident_set(world, HP), _incident_set(world, JA)
    assert _job(world, "joint", "joint_patrols", incident_set_ids=[own, neighbours],
                zone_width_m=5000).status_code == 403
    # A planner may use the neighbour's set (result clipped to their side) at the alliance width,
    assert _job(world, "planner", "joint_patrols",
                incident_set_ids=[own, neighbours]).status_code == 202
    # not wider: that would score a deep strip of their district with data they may not read;
    r = _job(world, "planner", "joint_patrols", incident_set_ids=[own, neighbours],
             zone_width_m=500)
    assert r.status_code == 403 and "neighbour" in r.json()["detail"]
    # with their own set only, wider is fine (all of it lies in their scope).
    assert _job(world, "planner", "joint_patrols", incident_set_ids=[own],
                zone_width_m=500).status_code == 202
