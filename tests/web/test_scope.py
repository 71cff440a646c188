"""The web app's own API additions keep to the caller's scope (no browser needed)."""

from __future__ import annotations

import time
from urllib.parse import quote

from tests.web.api_client import Client
from tests.web.live import HP, SQUAD_GRID, squad_grid, squad_grid_point


def _grid_ids(api: Client) -> dict[str, int]:
    _, grids = Client.call(api, "/grids")
    return {g["code"]: g["id"] for g in grids["items"]}


def test_squad_leader_gets_streets_of_their_grid_only_and_no_district_tools(live):
    squad = Client(live.url, "squad")
    ids = _grid_ids(squad)
    assert list(ids) == [SQUAD_GRID]  # the squad's code only (in every plan)
    assert squad.call(f"/app/api/streets/grid/{squad_grid(live)['id']}")[0] == 200
    planner_ids = _grid_ids(Client(live.url, "planner"))
    other = next(i for code, i in planner_ids.items() if code != SQUAD_GRID)
    assert squad.call(f"/app/api/streets/grid/{other}")[0] == 403
    for path in (f"/app/api/streets/district/{HP}", "/app/api/plans/1/units"):
        assert squad.call(path)[0] == 403, path
    status, _ = squad.call("/app/api/plans/1/units/move", "POST", json_body={
        "assignment": {}, "units": ["B00000"], "to": SQUAD_GRID})
    assert status == 403


def _finished(api: Client, job_id: str) -> dict:
    for _ in range(600):
        _, job = api.call(f"/jobs/{job_id}")
        if job["status"] == "succeeded":  # a poll has no result: it is its own resource
            job["result"] = api.call(job["result_url"])[1]["result"]
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_route_links_belong_to_the_jobs_owner_and_show_one_officer(live):
    squad, planner = Client(live.url, "squad"), Client(live.url, "planner")
    grid = squad_grid(live)["id"]
    here = squad_grid_point(live)
    _, job = squad.call("/jobs", "POST", json_body={"kind": "routes", "params": {
        "grid_id": grid, "network_id": 1, "officer_names": ["甲", "乙"], "time_limit_s": 1,
        "shift": "08:00-10:00", "key_points": [{"id": "K1", "name": "校门", "lon": here[0],
                                                "lat": here[1], "window": "08:30-09:30"}]}})
    job = _finished(squad, job["id"])
    assert job["status"] == "succeeded", (job["error"], job["message"])
    assert {o["officer"] for o in job["result"]["officers"]} == {"甲", "乙"}
    assert len(job["result"]["key_points"]) == 1
    assert planner.call("/app/api/route-links", "POST", json_body={
        "job_id": job["id"], "officer": "甲"})[0] == 403  # not their job
    assert squad.call("/app/api/route-links", "POST", json_body={
        "job_id": job["id"], "officer": "丙"})[0] == 404
    status, link = squad.call("/app/api/route-links", "POST", json_body={
        "job_id": job["id"], "officer": "甲"})
    assert status == 201
    anonymous = Client.__new__(Client)
    anonymous.base, anonymous.token = live.url, None
    token = link["path"].rsplit("/", 1)[1]
    status, route = anonymous.call(f"/app/api/r/{token}")
    assert status == 200 and route["officer"] == "甲"
    assert {f["properties"]["officer"] for f in route["steps"]["features"]} == {"甲"}
    assert route["streets"]["features"]
    assert anonymous.call(f"/app/api/r/{token[:-3]}xyz")[0] == 404
    # the link reads one route; it is no key to anything else
    anonymous.token = token
    assert anonymous.call("/grids")[0] == 401
    status, gpx = squad.call(f"/app/api/jobs/{job['id']}/officers/{quote('甲')}/export.gpx")
    assert status == 200 and gpx.startswith(b"<?xml") and "甲".encode() in gpx
    assert planner.call(f"/app/api/jobs/{job['id']}/officers/{quote('甲')}/export.gpx")[0] == 403
