"""The planning job kinds on the bundled sample: routes, redesign, hotspots (SQLite and PostGIS).

One service per backend for the whole module, started like ``gridplan serve`` (sample loaded),
because loading the sample and parsing its streets once is enough.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import BACKENDS, CHEAP_HASH, TestClient, backend_url, finished_job

ADMIN_PASSWORD = "sample-planning-passphrase"  # no username in it (password rules)


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           network_cache: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("served")
    with backend_url(request.param, folder) as url:
        settings = Settings(data_dir=folder / "data", database_url=url, load_sample=True,
                            admin_password=ADMIN_PASSWORD, secret_key="k" * 40,
                            cache_dir=network_cache, job_workers=2, engine_processes=False,
                            **CHEAP_HASH)
        with TestClient(create_app(settings)) as client:
            token = client.post("/auth/token", data={"username": "admin",
                                                     "password": ADMIN_PASSWORD}).json()
            yield client, {"Authorization": f"Bearer {token['access_token']}"}


def run(client: TestClient, h: dict[str, str], kind: str, params: dict[str, Any]) -> dict:
    job = client.post("/jobs", json={"kind": kind, "params": params}, headers=h)
    assert job.status_code == 202, job.text
    return finished_job(client, h, job.json()["id"])


def test_serve_loads_the_bundled_sample(served: tuple[TestClient, dict[str, str]]) -> None:
    client, h = served
    codes = [j["code"] for j in client.get("/jurisdictions", headers=h).json()["items"]]
    assert codes == ["310101", "310106"]
    plans = client.get("/plans", headers=h).json()["items"]
    assert [(p["district_code"], p["status"]) for p in plans] == [
        ("310101", "current"), ("310106", "current")]
    grids = client.get("/grids", headers=h).json()["items"]
    assert len(grids) >= 4 and all(g["code"].startswith(g["district_code"]) for g in grids)
    [net] = client.get("/networks", headers=h).json()["items"]
    assert net["summary"]["edges"] > 1000 and "OpenStreetMap" in net["name"]
    sets = client.get("/incidents", headers=h).json()["items"]
    assert {s["district_code"] for s in sets} == {"310101", "310106"}
    assert all(s["synthetic"] and "synthetic" in s["summary"]["note"] for s in sets)


def _ids(client: TestClient, h: dict[str, str]) -> tuple[dict, int, int]:
    grid = client.get("/grids", headers=h).json()["items"][0]
    net = client.get("/networks", headers=h).json()["items"][0]["id"]
    incidents = next(s["id"] for s in client.get("/incidents", headers=h).json()["items"]
                     if s["district_code"] == grid["district_code"])
    return grid, net, incidents


def test_routes_for_two_officers_are_the_engine_plan(served: tuple[TestClient, dict]) -> None:
    client, h = served
    grid, net, incidents = _ids(client, h)
    params = {"grid_id": grid["id"], "network_id": net, "officers": 2, "max_iterations": 5,
              "time_limit_s": 300, "seed": 3, "shift": "08:00-12:00", "day": "2026-11-25",
              "incident_set_id": incidents}  # an iteration budget: repeatable on a busy machine
    job = run(client, h, "routes", params)
    assert job["status"] == "succeeded", job
    r = job["result"]
    assert r["valid"] and r["grid"] == grid["code"] and len(r["routes"]) == 2
    assert [o["officer"] for o in r["officers"]] == ["A", "B"]
    assert r["lower_bound_min"] <= r["longest_min"] + 1e-6
    assert r["longest_min"] == max(o["minutes"] for o in r["officers"])
    assert r["shift_start"].startswith("2026-11-25T08:00") and 0 < r["coverage"] <= 1
    start = shapely.get_coordinates(shape(r["routes"][0]["geometry"]))[0]
    assert 121 < start[0] < 122 and 31 < start[1] < 32  # WGS-84 out
    assert r["layers"]["routes"]["features"]  # what the maps and exports are drawn from
    again = run(client, h, "routes", params)["result"]
    assert again["officers"] == r["officers"]  # same seed, same plan


def test_single_officer_route_is_valid(served: tuple[TestClient, dict]) -> None:
    client, h = served
    grid, net, _ = _ids(client, h)
    r = run(client, h, "routes", {"grid_id": grid["id"], "network_id": net, "officers": 1,
                                  "shift": "20:00-02:00"})
    assert r["status"] == "succeeded", r
    assert r["result"]["valid"] and len(r["result"]["officers"]) == 1
    assert r["result"]["shift_end"] > r["result"]["shift_start"]


def test_routes_refuse_a_bad_shift_at_submission(served: tuple[TestClient, dict]) -> None:
    client, h = served
    grid, net, _ = _ids(client, h)
    for shift, words in (("25:00-26:00", "HH:MM"), ("08:00-08:00", "end different")):
        bad = client.post("/jobs", json={"kind": "routes", "params": {
            "grid_id": grid["id"], "network_id": net, "shift": shift}}, headers=h)
        assert bad.status_code == 422 and words in bad.text
    bad = client.post("/jobs", json={"kind": "routes", "params": {
        "grid_id": grid["id"], "network_id": net, "walk_speed_kmh": 0}}, headers=h)
    assert bad.status_code == 422 and "walk_speed_kmh" in bad.text  # the patrol policy's bounds


def test_the_service_the_cli_and_the_library_give_the_same_routes(
        served: tuple[TestClient, dict], tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from api.cli import cli
    from geodata import sample
    from geodata.grids import grids_to_model
    from gridplan.routing import PatrolParams, plan_routes

    client, h = served
    code = "310101000000002"
    grid = next(g for g in client.get("/grids", headers=h).json()["items"] if g["code"] == code)
    net_id = client.get("/networks", headers=h).json()["items"][0]["id"]
    policy = {"seed": 5, "max_iterations": 5, "time_limit_s": 300}
    shift = {"shift": "08:00-12:00", "pattern": "day+night", "day": "2026-11-25"}
    job = run(client, h, "routes", {"grid_id": grid["id"], "network_id": net_id, "officers": 2,
                                    **policy, **shift})
    assert job["status"] == "succeeded", job
    served_turns = [o["turns"] for o in job["result"]["officers"]]
    cli_out = CliRunner().invoke(cli, [
        "routes", "--grid", code, "--officers", "2", "--shift", "08:00-12:00", "--pattern",
        "day+night", "--date", "2026-11-25", "--seed", "5", "--max-iterations", "5",
        "--time-limit-s", "300", "--out", str(tmp_path), "--json"])
    assert cli_out.exit_code == 0, cli_out.output
    (cli_plan,) = json.loads(cli_out.output)
    net = sample.network("walk")
    (plan,) = plan_routes(net, grids_to_model(sample.grids(), metric_crs=str(net.crs)),
                          grid_codes=[code], officers=2, shift="08:00-12:00",
                          pattern="day+night", day=__import__("datetime").date(2026, 11, 25),
                          params=PatrolParams(**policy)).plans
    library_turns = [r.turns() for r in plan.routes]
    assert served_turns == [o["turns"] for o in cli_plan["officers"]] == library_turns
    assert job["result"]["day_part"] == cli_plan["day_part"] == plan.day_part == "白"


def test_cancelling_a_running_routes_job_stops_it_long_before_its_budget(
        served: tuple[TestClient, dict]) -> None:
    # uncancelled, this search runs for minutes; how fast a cancel lands (~0.02 s) is measured
    # in benchmarks/cancel_latency.py, not here: a timed bound flakes on a loaded CI machine
    client, h = served
    grid, net, _ = _ids(client, h)
    job = client.post("/jobs", json={"kind": "routes", "params": {
        "grid_id": grid["id"], "network_id": net, "officers": 3, "max_iterations": 100_000,
        "time_limit_s": 600, "shift": "08:00-20:00"}}, headers=h).json()
    deadline = time.monotonic() + 120
    while (found := client.get(f"/jobs/{job['id']}", headers=h).json())["progress"] < 0.3:
        assert found["status"] in ("queued", "running") and time.monotonic() < deadline, found
        time.sleep(0.1)
    asked = time.monotonic()
    assert client.delete(f"/jobs/{job['id']}", headers=h).status_code == 202
    while (found := client.get(f"/jobs/{job['id']}", headers=h).json())["status"] == "running":
        time.sleep(0.05)
    assert found["status"] == "cancelled" and time.monotonic() - asked < 20.0


def test_redesign_is_balanced_contiguous_seeded_and_saved(served: tuple[TestClient, dict]) -> None:
    client, h = served
    grid, net, incidents = _ids(client, h)
    params = {"district_code": grid["district_code"], "network_id": net, "n_grids": 4,
              "incident_set_id": incidents, "seed": 7, "n_starts": 1}
    first = run(client, h, "redesign", params | {"save_as_proposal": "balanced 4"})
    again = run(client, h, "redesign", params)
    assert first["status"] == again["status"] == "succeeded", first
    summary = first["result"]["summary"]
    assert summary["grids"] == 4 and summary["contiguous"] and summary["max_min_ratio"] < 1.5
    codes = [f["properties"]["code"] for f in first["result"]["grids"]["features"]]
    assert codes == [f["properties"]["code"] for f in again["result"]["grids"]["features"]]
    assert first["result"]["summary"] == again["result"]["summary"]  # same seed, same plan
    plan = client.get(f"/plans/{first['result']['plan_id']}", headers=h).json()
    assert plan["status"] == "proposal" and plan["name"] == "balanced 4"
    saved = client.get(f"/plans/{plan['id']}/grids.geojson", headers=h).json()["features"]
    assert sorted(f["properties"]["code"] for f in saved) == sorted(codes)


def test_hotspots_of_the_synthetic_incidents(served: tuple[TestClient, dict]) -> None:
    client, h = served
    _, _, incidents = _ids(client, h)
    job = run(client, h, "hotspots", {"incident_set_id": incidents})
    assert job["status"] == "succeeded", job
    r = job["result"]
    assert r["valid"] and r["summary"].startswith("ok") and r["hotspots"]
    assert all(1 <= s["gi_bin"] <= 3 and s["incidents"] > 0 for s in r["hotspots"])
    too_few = run(client, h, "hotspots", {"incident_set_id": incidents, "min_incidents": 10**6})
    assert too_few["status"] == "failed" and "too few" in too_few["message"]


@pytest.fixture(scope="module")
def library_sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled sample as the service stores it (incidents through its normalised CSV)."""
    from api.incident_store import read_normalised, write_normalised
    from geodata.hotspots import sample_hotspot_inputs

    inputs = sample_hotspot_inputs()
    path = tmp_path_factory.mktemp("stored") / "incidents.csv"
    return {"inputs": inputs, "incidents": read_normalised(write_normalised(inputs.incidents,
                                                                            path))}


def test_hotspots_job_is_the_library_study(served: tuple[TestClient, dict],
                                           library_sample: dict[str, Any]) -> None:
    from gridplan.hotspot_study import study_hotspots

    client, h = served
    sets = {s["district_code"]: s["id"]
            for s in client.get("/incidents", headers=h).json()["items"]}
    net = client.get("/networks", headers=h).json()["items"][0]["id"]
    job = run(client, h, "hotspots", {"incident_set_id": sets["310101"], "network_id": net,
                                      "cell_size_m": 100, "top": 20})
    assert job["status"] == "succeeded", job
    inputs = library_sample["inputs"]
    district = inputs.jurisdictions[inputs.jurisdictions["code"] == "310101"]
    library = study_hotspots(district, library_sample["incidents"], network=inputs.network,
                             top=20).to_dict()
    assert job["result"]["hotspots"] == _json(library["hotspots"])
    assert job["result"]["hotspot_count"] == library["hotspot_count"] > 0
    assert job["result"]["time_zone"] == "Asia/Shanghai"


def test_hotspot_job_parameters_are_checked_by_the_library_at_submission(
        served: tuple[TestClient, dict]) -> None:
    client, h = served
    sets = {s["district_code"]: s["id"]
            for s in client.get("/incidents", headers=h).json()["items"]}
    bad = client.post("/jobs", json={"kind": "hotspots", "params": {
        "incident_set_id": sets["310101"], "tz": "Mars/Base", "cell_size_m": 5}}, headers=h)
    assert bad.status_code == 422 and "cell_size_m" in bad.text
    zone = client.post("/jobs", json={"kind": "hotspots", "params": {
        "incident_set_id": sets["310101"], "tz": "Mars/Base"}}, headers=h)
    assert zone.status_code == 422 and "IANA time zone" in zone.text
    order = client.post("/jobs", json={"kind": "joint_patrols", "params": {
        "code_a": "310101", "code_b": "310106", "incident_set_ids": list(sets.values()),
        "nightly_per_week": 1, "thrice_weekly_per_week": 2}}, headers=h)
    assert order.status_code == 422 and "nightly_per_week" in order.text


def test_joint_patrols_job_is_the_library_study(served: tuple[TestClient, dict],
                                                library_sample: dict[str, Any]) -> None:
    from gridplan.hotspot_study import study_hotspots

    client, h = served
    sets = {s["district_code"]: s["id"]
            for s in client.get("/incidents", headers=h).json()["items"]}
    net = client.get("/networks", headers=h).json()["items"][0]["id"]
    job = run(client, h, "joint_patrols", {"code_a": "310101", "code_b": "310106",
                                           "incident_set_ids": list(sets.values()),
                                           "network_id": net, "top": 5})
    assert job["status"] == "succeeded", job
    inputs = library_sample["inputs"]
    library = study_hotspots(inputs.jurisdictions, library_sample["incidents"],
                             network=inputs.network, grids=inputs.grids, boundary=True,
                             top=5).to_dict()["boundary"]
    served_rows, library_rows = job["result"]["flagged"], _json(library["flagged"])
    assert len(served_rows) == len(library_rows) > 0
    keys = ("rank", "score", "jurisdictions", "incidents_by_jurisdiction", "peak_window")
    for mine, theirs in zip(served_rows, library_rows, strict=True):
        assert {k: mine[k] for k in keys} == {k: theirs[k] for k in keys}
        for k in ("lon", "lat", "description"):
            assert mine["joint_patrol"]["meeting_point"][k] == \
                theirs["joint_patrol"]["meeting_point"][k]
    assert job["result"]["meeting_list"] == _json(library["meeting_list"])


def _json(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def test_job_kinds_are_listed_with_parameter_schemas(served: tuple[TestClient, dict]) -> None:
    client, h = served
    kinds = {k["name"]: k for k in client.get("/jobs/kinds", headers=h).json()}
    assert {"routes", "redesign", "hotspots"} <= kinds.keys()
    assert "grid_id" in kinds["routes"]["params_schema"]["properties"]


MEDIA = {"gpx": "application/gpx+xml", "kml": "application/vnd.google-earth.kml+xml",
         "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
         "csv": "text/csv"}


def test_a_routes_job_exports_its_plan_in_every_format(served: tuple[TestClient, dict],
                                                        tmp_path: Path) -> None:
    import geopandas as gpd
    import gpxpy

    client, h = served
    grid, net, _ = _ids(client, h)
    job = run(client, h, "routes", {"grid_id": grid["id"], "network_id": net, "officers": 2,
                                    "max_iterations": 5})
    files = {}
    for fmt, media in MEDIA.items():
        r = client.get(f"/jobs/{job['id']}/export.{fmt}", headers=h)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), fmt
        files[fmt] = r.content
    tracks = gpxpy.parse(files["gpx"].decode()).tracks
    assert len(tracks) == 2 and all(t.segments[0].points for t in tracks)
    assert b"<kml" in files["kml"] and files["gpkg"].startswith(b"SQLite format 3")
    (tmp_path / "r.geojson").write_bytes(files["geojson"])
    routes = gpd.read_file(tmp_path / "r.geojson")
    assert set(routes["officer"].dropna()) == {"A", "B"}
    assert (routes["layer"] == "routes").sum() == len(job["result"]["layers"]["routes"]["features"])
    assert set(routes["layer"]) <= set(job["result"]["layers"])  # uncovered streets, key points…
    assert len(files["csv"].decode("utf-8-sig").splitlines()) > 2
    page = client.get(f"/jobs/{job['id']}/map.html", headers=h)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower() and grid["code"] in page.text
    assert client.get(f"/jobs/{job['id']}/export.shp", headers=h).status_code == 422


def test_only_routes_jobs_have_route_exports(served: tuple[TestClient, dict]) -> None:
    client, h = served
    _, _, incidents = _ids(client, h)
    job = run(client, h, "hotspots", {"incident_set_id": incidents})
    r = client.get(f"/jobs/{job['id']}/export.gpx", headers=h)
    assert r.status_code == 409 and "routes" in r.text
    assert client.get("/jobs/nope/map.html", headers=h).status_code == 404


def test_a_plan_has_a_grid_map_and_exports(served: tuple[TestClient, dict],
                                           tmp_path: Path) -> None:
    import geopandas as gpd

    client, h = served
    plan = client.get("/plans", headers=h).json()["items"][0]
    codes = sorted(f["properties"]["code"] for f in client.get(
        f"/plans/{plan['id']}/grids.geojson", headers=h).json()["features"])
    page = client.get(f"/plans/{plan['id']}/map.html", headers=h)
    assert page.status_code == 200 and all(c in page.text for c in codes)
    for fmt in ("geojson", "gpkg"):
        r = client.get(f"/plans/{plan['id']}/export.{fmt}", headers=h)
        assert r.status_code == 200 and r.headers["content-type"].startswith(MEDIA[fmt])
        (tmp_path / f"g.{fmt}").write_bytes(r.content)
        assert sorted(gpd.read_file(tmp_path / f"g.{fmt}")["code"]) == codes
    assert client.get("/plans/999999/map.html", headers=h).status_code == 404


def _login(client: TestClient, h: dict[str, str], username: str, role: str,
           scope: dict[str, list[str]]) -> dict[str, str]:
    password = "long enough pw"
    made = client.post("/users", json={"username": username, "password": password, "role": role,
                                       "scope": scope}, headers=h)
    assert made.status_code == 201, made.text
    token = client.post("/auth/token", data={"username": username, "password": password}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_joint_patrols_are_clipped_to_the_callers_zone(served: tuple[TestClient, dict]) -> None:
    client, h = served
    sets = {s["district_code"]: s["id"]
            for s in client.get("/incidents", headers=h).json()["items"]}
    net = client.get("/networks", headers=h).json()["items"][0]["id"]
    params = {"code_a": "310101", "code_b": "310106", "incident_set_ids": list(sets.values()),
              "network_id": net, "top": 5}
    joint = _login(client, h, "joint-hp-ja", "joint_viewer", {"pair": ["310101", "310106"]})
    job = run(client, joint, "joint_patrols", params)
    assert job["status"] == "succeeded", job
    r = job["result"]
    assert r["visible_sides"] == ["310101", "310106"] and r["valid"] and r["flagged"]
    zone = shape(r["zone"]).buffer(1e-5)
    for row in r["flagged"]:
        meeting = row["joint_patrol"]["meeting_point"]
        assert "x" not in meeting and zone.contains(shapely.Point(meeting["lon"], meeting["lat"]))
        route = row["joint_patrol"]["route"]
        assert route is None or zone.contains(shape(route["geometry"]))
    assert "hotspots" not in r  # nothing of the rest of either district
    other = client.post("/jobs", json={"kind": "joint_patrols", "params": params | {
        "code_b": "310105"}}, headers=joint)
    assert other.status_code == 403

    planner = _login(client, h, "planner-hp", "planner", {"districts": ["310101"]})
    mine = run(client, planner, "joint_patrols", params)["result"]
    assert mine["visible_sides"] == ["310101"]
    assert shape(mine["zone"]).area < shape(r["zone"]).area
    assert all(s["side"] in ("310101", "") for s in (mine["blind_spots"] or {}).get("streets", []))


def test_roster_staffs_the_plans_grids_for_a_week(served: tuple[TestClient, dict]) -> None:
    client, h = served
    grid, net, incidents = _ids(client, h)
    plan_id = grid["plan_id"]
    job = run(client, h, "roster", {"plan_id": plan_id, "network_id": net,
                                    "incident_set_id": incidents})
    assert job["status"] == "succeeded", job
    r = job["result"]
    assert r["roster_valid"] and r["grids"] and r["officers_from"] == "staff on file"
    mine = next(g for g in r["grids"] if g["grid"] == grid["code"])
    assert mine["officers"] == grid["staff"].get("enforcement", 0) == len(mine["roster"])
    assert all(len(week) == 7 and set(week) <= set(r["shifts"]) | {""}
               for week in mine["roster"].values())
    sized = run(client, h, "roster", {"plan_id": plan_id, "network_id": net, "headcount": 60})
    assert sized["status"] == "succeeded", sized["message"]
    assert sum(g["officers"] for g in sized["result"]["grids"]) <= 60
    assert sized["result"]["officers_from"] == "headcount"
    too_few = run(client, h, "roster", {"plan_id": plan_id, "network_id": net, "headcount": 1})
    assert too_few["status"] == "failed" and "cannot staff" in too_few["message"]


def test_a_routes_poll_is_small_and_its_result_is_typed_and_versioned(
        served: tuple[TestClient, dict]) -> None:
    client, h = served
    grid, net, _ = _ids(client, h)
    job = run(client, h, "routes", {"grid_id": grid["id"], "network_id": net, "officers": 1,
                                    "day": "2026-11-25"})
    assert job["status"] == "succeeded", job
    poll = client.get(f"/jobs/{job['id']}", headers=h)
    assert len(poll.content) < 5 * 1024 and "result" not in poll.json()
    body = client.get(job["result_url"], headers=h)
    assert len(body.content) > 10 * len(poll.content)  # the weight is in the result resource
    typed = body.json()
    assert typed["version"] == 1 and typed["kind"] == "routes"
    assert typed["result"]["layers"]["routes"]["type"] == "FeatureCollection"
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"JobResult", "RoutesResult", "RouteLayers", "JobPublic"} <= set(schema)
    every = client.get("/jobs?limit=200", headers=h).json()["items"]
    page = client.get("/jobs?limit=1", headers=h).json()
    assert len(page["items"]) == 1 and page["next_offset"] == (1 if len(every) > 1 else None)
    assert page["items"][0]["id"] == job["id"] == every[0]["id"]  # newest first
