"""Upload limits (413) and malformed GeoJSON / CSV / OSM uploads: 4xx (OSM: a failed parse job)
with the loader's problems."""

from __future__ import annotations

import json

from tests.api.conftest import DATA, HP, World, wait_for_job

CSV_COLUMNS = {"lon_col": "lon", "lat_col": "lat", "category_col": "category", "id_col": "id"}


def _incidents(world: World, name: str, body: bytes, **form: str) -> object:
    return world.client.post("/incidents", headers=world.h("planner"),
                             files={"file": (name, body)},
                             data={"name": "upload", "district_code": HP, **CSV_COLUMNS, **form})


def _osm(world: World, body: bytes, name: str = "streets.osm") -> object:
    return world.client.post("/networks", headers=world.h("planner"), files={"file": (name, body)},
                             data={"name": "n", "mode": "walk", "jurisdiction_code": HP})


def test_too_large_bodies_are_413(world: World) -> None:
    big = b"x" * 200_001  # the test settings allow 200 kB uploads, 100 kB JSON
    r = _osm(world, big)
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    r = world.client.post("/grids", headers={**world.h("planner"),
                                             "Content-Type": "application/json"},
                          content=b"[" + b"1," * 60_000 + b"1]")
    assert r.status_code == 413


def test_streamed_body_without_length_is_cut_at_the_limit(world: World) -> None:
    def chunks():  # no Content-Length: the middleware counts what arrives
        for _ in range(30):
            yield b"y" * 10_000

    r = world.client.post("/grids", headers={**world.h("planner"),
                                             "Content-Type": "application/json"},
                          content=chunks())
    assert r.status_code == 413


def _parse_error(world: World, r) -> str:
    """The parse job's problem report (uploads are parsed by a network_parse job)."""
    assert r.status_code == 202, r.text
    job = wait_for_job(world, r.json()["parse_job_id"])
    assert job["status"] == "failed", job
    return job["error"]["report"]


def test_garbage_osm_is_reported_naming_the_uploaded_file(world: World) -> None:
    report = _parse_error(world, _osm(world, b"<osm><way id='1'><nd ref="))
    assert "streets.osm" in report and "osmium fileinfo" in report  # the problem and its fix
    assert "uploads" not in report  # our storage path never leaks


def test_osm_without_streets_is_reported_with_a_fix(world: World) -> None:
    body = (b"<?xml version='1.0'?><osm version='0.6'>"
            b"<node id='1' lat='31.23' lon='121.47'/><node id='2' lat='31.231' lon='121.471'/>"
            b"<way id='9'><nd ref='1'/><nd ref='2'/><tag k='building' v='yes'/></way></osm>")
    assert "highway" in _parse_error(world, _osm(world, body))


def test_wrong_file_type_is_415(world: World) -> None:
    assert _osm(world, b"abc", name="streets.osm").status_code == 415
    assert _incidents(world, "incidents.csv", b"PK\x03\x04\x14\x00").status_code == 415


def test_csv_problems_are_all_listed(world: World) -> None:
    rows = ["id,time,category,lon,lat",
            "a,2026-09-01T08:00:00+08:00,暴露垃圾,121.47,31.23",
            "b,not a time,暴露垃圾,121.47,31.23",
            "c,2026-09-01T09:00:00+08:00,暴露垃圾,east,31.23",
            "c,2026-09-01T10:00:00+08:00,暴露垃圾,121.47,31.23"]
    r = _incidents(world, "week.csv", "\n".join(rows).encode())
    assert r.status_code == 422, r.text
    found = " ".join(d["msg"] for d in r.json()["detail"])
    assert "time" in found and "lon" in found and "c" in found  # all three problems at once
    assert len(r.json()["detail"]) >= 3


def test_csv_missing_column_and_far_away_points(world: World) -> None:
    r = _incidents(world, "week.csv", b"id,when,lon,lat\n1,2026-09-01,121.47,31.23\n")
    assert r.status_code == 422 and any("time" in d["msg"] for d in r.json()["detail"])
    r = _incidents(world, "week.csv", b"id,time,category,lon,lat\n1,2026-09-01,x,116.4,39.9\n")
    assert r.status_code == 422 and "outside" in r.text.lower()


def test_malformed_geojson_upload_is_422(world: World) -> None:
    r = _incidents(world, "week.geojson", b'{"type": "FeatureCollection", "features": [')
    assert r.status_code == 422, r.text
    assert "week.geojson" in r.json()["detail"][0]["msg"]


def test_good_csv_upload_in_gcj02_is_shifted_and_summarised(world: World) -> None:
    body = (DATA / f"incidents_{HP}.csv").read_bytes()
    wgs = _incidents(world, "week.csv", body).json()
    gcj = _incidents(world, "week.csv", body, coords="gcj02").json()
    assert wgs["summary"]["count"] == gcj["summary"]["count"] == 60
    shift = wgs["summary"]["bbox_wgs84"][0] - gcj["summary"]["bbox_wgs84"][0]
    assert 0.003 < shift < 0.006  # GCJ-02 lies ~ 400–500 m east of WGS-84 in Shanghai
    listed = world.client.get("/incidents", headers=world.h("planner")).json()["items"]
    assert len(listed) == 2 and world.client.get(
        "/incidents", headers=world.h("planner_ja")).json()["items"] == []


def test_malformed_json_geometry_body_is_422(world: World) -> None:
    r = world.client.post("/jurisdictions", headers=world.h("admin"), json={
        "code": "X1", "name": "x", "level": 4, "parent_code": HP,
        "geometry": json.loads('{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}')})
    assert r.status_code == 422


def test_incidents_uploaded_with_a_town_code_stay_readable_by_the_uploader(world: World) -> None:
    hp = world.client.get(f"/jurisdictions/{HP}", headers=world.h("admin")).json()
    town = world.client.post("/jurisdictions", headers=world.h("admin"), json={
        "code": f"{HP}001", "name": "街道", "level": 4, "parent_code": HP,
        "geometry": hp["geometry"]})
    assert town.status_code == 201, town.text
    body = (DATA / f"incidents_{HP}.csv").read_bytes()
    r = _incidents(world, "week.csv", body, district_code=f"{HP}001")
    assert r.status_code == 201, r.text
    assert r.json()["district_code"] == HP  # kept under the district the planner's scope names
    mine = world.client.get(f"/incidents/{r.json()['id']}", headers=world.h("planner"))
    assert mine.status_code == 200
