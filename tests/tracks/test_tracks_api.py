"""The service side: track uploads (size limit, file type), the coverage job, and scope — a
squad leader sees only their squad's officers (bundled sample on SQLite)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import shapely

from api.app import create_app
from api.settings import Settings
from gridplan.coverage import StreetIndex
from gridplan.coverage.simulate import random_walk, simulate_track, walk_legs
from tests.api.conftest import CHEAP_HASH, TestClient, finished_job

ADMIN_PASSWORD = "sample tracks passphrase"
LIMIT = 300_000


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[TestClient, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("served")
    network_cache = tmp_path_factory.mktemp("network-cache")
    settings = Settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'g.sqlite'}",
                        load_sample=True, admin_password=ADMIN_PASSWORD, secret_key="k" * 40,
                        cache_dir=network_cache, job_workers=1, max_upload_bytes=LIMIT,
                        **CHEAP_HASH)
    with TestClient(create_app(settings)) as client:
        token = client.post("/auth/token", data={"username": "admin",
                                                 "password": ADMIN_PASSWORD}).json()
        yield client, {"Authorization": f"Bearer {token['access_token']}"}


def _login(client: TestClient, admin: dict, name: str, grids: list[str]) -> dict[str, str]:
    made = client.post("/users", headers=admin, json={
        "username": name, "password": "squad tracks passphrase", "role": "squad_leader",
        "scope": {"districts": ["310101"], "grids": grids}})
    assert made.status_code == 201, made.text
    token = client.post("/auth/token", data={"username": name,
                                             "password": "squad tracks passphrase"})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _walk_in(index: StreetIndex, polygon, officer: str, seed: int) -> pd.DataFrame:
    """SIMULATED fixes of a walk on the streets inside ``polygon`` (WGS-84 CSV rows)."""
    inside = shapely.within(index.geoms, polygon)
    outside = frozenset(np.flatnonzero(~inside).tolist())
    start = index.streets[int(np.flatnonzero(inside)[0])].a
    steps = random_walk(index, length_m=600, seed=seed, start=start, avoid=outside)
    track = simulate_track(walk_legs(index, steps, speed_mps=1.3), sample_s=10, noise_m=3,
                           seed=seed)
    pts = shapely.points(track.xy)
    import geopandas as gpd

    wgs = gpd.GeoSeries(pts, crs=index.network.crs).to_crs("EPSG:4326")
    times = pd.Timestamp("2026-11-25 08:00", tz="Asia/Shanghai") + pd.to_timedelta(
        track.times_s, unit="s")
    return pd.DataFrame({"officer": officer, "time": [t.isoformat() for t in times],
                         "lon": wgs.x.round(7), "lat": wgs.y.round(7)})


def _wait(client: TestClient, h: dict, job_id: str) -> dict:
    return finished_job(client, h, job_id, timeout_s=600, poll_s=0.2)  # a busy CI machine


def test_a_squad_leader_sees_only_their_squads_officers(served, sample_walk) -> None:
    client, admin = served
    grids = [g for g in client.get("/grids", headers=admin).json()["items"]
             if g["district_code"] == "310101"]
    mine, other = grids[0], grids[1]
    net = client.get("/networks", headers=admin).json()["items"][0]["id"]
    h = _login(client, admin, "squad_a", [mine["code"]])
    index = StreetIndex(sample_walk)
    polygons = {g["code"]: gpd_shape(g["geometry"], sample_walk.crs) for g in (mine, other)}
    table = pd.concat([_walk_in(index, polygons[mine["code"]], "甲", 1),
                       _walk_in(index, polygons[other["code"]], "乙", 2)])
    body = table.to_csv(index=False).encode()
    form = {"grid_id": str(mine["id"]), "network_id": str(net)}
    first = table.iloc[0]
    gate = {"id": "K1", "name": "校门", "lon": float(first["lon"]), "lat": float(first["lat"])}
    nowhere = client.post("/tracks/coverage", headers=h, data=form | {
        "key_points": json.dumps([gate | {"lon": 500}])},
        files={"file": ("tracks.csv", io.BytesIO(body), "text/csv")})
    assert nowhere.status_code == 422 and "lon" in nowhere.text
    job = client.post("/tracks/coverage", headers=h, data=form | {
        "key_points": json.dumps([gate])},
        files={"file": ("tracks.csv", io.BytesIO(body), "text/csv")})
    assert job.status_code == 202, job.text
    done = _wait(client, h, job.json()["id"])
    assert done["status"] == "succeeded", done.get("error")
    result = done["result"]
    assert {r["officer"] for r in result["by_officer"]} == {"甲"}
    visits = {(k["id"], k["officer"], k["ok"]) for k in result["key_points"]}
    assert ("K1", "甲", True) in visits and {v[:2] for v in visits} == {("K1", "甲")}
    assert {s["status"] for s in result["streets"]} >= {"walked", "missed"}
    assert result["scope_notes"] == ["1 officer(s) of other squads left out"]
    assert result["hidden_officers"] == 1 and result["flagged"] == []
    assert {t["officer"] for t in result["tracks"]} == {"甲"}
    assert all(0 < t["sigma_m"] < 50 and t["matched_share"] > 0.8 for t in result["tracks"])
    assert sum(s["walked_m"] for s in result["streets"]) > 300
    # the other squad's grid is refused before anything is stored or run
    refused = client.post("/tracks/coverage", headers=h,
                          data={"grid_id": str(other["id"]), "network_id": str(net)},
                          files={"file": ("tracks.csv", io.BytesIO(body), "text/csv")})
    assert refused.status_code == 403
    # the planner of the district (here the admin) sees both officers
    everyone = client.post("/tracks/coverage", headers=admin, data=form,
                           files={"file": ("tracks.csv", io.BytesIO(body), "text/csv")})
    result = _wait(client, admin, everyone.json()["id"])["result"]
    assert {r["officer"] for r in result["by_officer"]} == {"甲", "乙"}
    _plan_with_coverage(client, h, admin, mine, net, mine_job=done["id"],
                        others_job=everyone.json()["id"])
    theirs = client.post("/tracks/coverage", headers=admin, data=form | {
        "grid_id": str(other["id"])}, files={"file": ("tracks.csv", io.BytesIO(body), "text/csv")})
    assert _wait(client, admin, theirs.json()["id"])["status"] == "succeeded"
    _roster_with_recent_coverage(client, h, admin, mine, other, net, mine_job=done["id"],
                                 admins=(everyone.json()["id"], theirs.json()["id"]))


def _plan_with_coverage(client, h, admin, grid, net, *, mine_job, others_job) -> None:
    """Tomorrow's routes take the squad's own coverage job; another user's is refused, and so
    is a job of another kind or on another network."""
    routes = {"grid_id": grid["id"], "network_id": net, "officers": 1, "shift": "08:00-08:30",
              "day": "2026-11-26", "max_iterations": 3}
    job = client.post("/jobs", headers=h, json={"kind": "routes", "params": routes | {
        "coverage_job_id": mine_job}})
    assert job.status_code == 202, job.text
    planned = _wait(client, h, job.json()["id"])
    assert planned["status"] == "succeeded", planned.get("error")
    assert planned["result"]["coverage_job_id"] == mine_job
    recent = client.post("/jobs", headers=h, json={"kind": "routes", "params": routes | {
        "recent_coverage": True}})
    assert _wait(client, h, recent.json()["id"])["result"]["coverage_job_id"] == mine_job
    refused = client.post("/jobs", headers=h, json={"kind": "routes", "params": routes | {
        "coverage_job_id": others_job}})
    assert refused.status_code == 403
    wrong = client.post("/jobs", headers=h, json={"kind": "routes", "params": routes | {
        "coverage_job_id": job.json()["id"]}})
    assert wrong.status_code == 422 and "a routes job" in wrong.text
    # the roster's blind-spot report with the observed ones, of the squad's grid only
    roster = client.post("/jobs", headers=h, json={"kind": "roster", "params": {
        "plan_id": grid["plan_id"], "network_id": net, "coverage_job_id": mine_job}})
    assert roster.status_code == 202, roster.text
    rostered = _wait(client, h, roster.json()["id"])
    assert rostered["status"] == "succeeded", rostered.get("error")
    observed = rostered["result"]["observed_blind_spots"]
    assert {r["grid"] for r in observed["rows"]} == {grid["code"]}
    assert {r["period"] for r in observed["rows"]} == {"day", "night", "weekend"}


def _roster_with_recent_coverage(client, h, admin, mine, other, net, *, mine_job, admins
                                 ) -> None:
    """The roster job's recent_coverage: for each grid of the plan, the caller's newest coverage
    of it — the squad leader gets their own job of their grid, never the admin's newer ones; the
    admin gets one job per grid, and the observed blind spots of both grids on the calendar."""
    params = {"plan_id": mine["plan_id"], "network_id": net, "recent_coverage": True}
    squad = _wait(client, h, client.post("/jobs", headers=h, json={
        "kind": "roster", "params": params}).json()["id"])["result"]
    assert [j["job_id"] for j in squad["coverage_jobs"]] == [mine_job]
    assert squad["coverage_jobs"][0]["grid"] == mine["code"]
    observed = squad["observed_blind_spots"]
    assert {c["grid"] for c in observed["calendar"]} == {mine["code"]}
    assert {r["cause"] for r in observed["rows"]} <= {
        "not_rostered", "partly_rostered", "rostered_not_walked"}
    planner = _wait(client, admin, client.post("/jobs", headers=admin, json={
        "kind": "roster", "params": params}).json()["id"])["result"]
    assert {j["job_id"]: j["grid"] for j in planner["coverage_jobs"]} == {
        admins[0]: mine["code"], admins[1]: other["code"]}
    calendar = planner["observed_blind_spots"]["calendar"]
    assert {c["grid"] for c in calendar} == {mine["code"], other["code"]}
    nights = [c for c in calendar if c["shift"] == "night" and c["grid"] == other["code"]]
    assert len(nights) == 7 and all("night" in c["periods"] for c in nights)  # walked by day
    none = _wait(client, h, client.post("/jobs", headers=h, json={"kind": "roster", "params": {
        "plan_id": mine["plan_id"], "network_id": net}}).json()["id"])["result"]
    assert none["coverage_jobs"] == [] and none["observed_blind_spots"] is None


def test_uploads_are_size_limited_and_typed(served) -> None:
    client, admin = served
    grid = client.get("/grids", headers=admin).json()["items"][0]
    net = client.get("/networks", headers=admin).json()["items"][0]["id"]
    form = {"grid_id": str(grid["id"]), "network_id": str(net)}
    big = client.post("/tracks/coverage", headers=admin, data=form,
                      files={"file": ("t.csv", io.BytesIO(b"x" * (LIMIT + 10)), "text/csv")})
    assert big.status_code == 413
    kml = client.post("/tracks/coverage", headers=admin, data=form,
                      files={"file": ("t.kml", io.BytesIO(b"<kml/>"), "text/xml")})
    assert kml.status_code == 415
    bad = client.post("/tracks/coverage", headers=admin, data=form,
                      files={"file": ("t.csv", io.BytesIO(b"who,when\n1,2\n"), "text/csv")})
    failed = _wait(client, admin, bad.json()["id"])
    assert failed["status"] == "failed" and "officer" in str(failed["error"])
    # every problem one by one (a screen lists them), the file named as it was uploaded
    problems = failed["error"]["problems"]
    assert {p["source"] for p in problems} == {"t.csv"} and "uploads" not in str(failed)
    assert any("'officer'" in p["expected"] for p in problems) and all(p["fix"] for p in problems)


def gpd_shape(geometry: dict, crs: object):
    import geopandas as gpd
    from shapely.geometry import shape

    return gpd.GeoSeries([shape(geometry)], crs="EPSG:4326").to_crs(crs).iloc[0]
