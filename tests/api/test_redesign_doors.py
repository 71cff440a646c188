"""One redesign, three doors (issue 11): the library call, ``gridplan grids redesign`` and the
service's redesign job give the same grids on the bundled sample."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from click.testing import CliRunner

from api.app import create_app
from api.cli import cli
from api.settings import Settings
from geodata import sample
from gridplan.grids.core import PartitionParams
from gridplan.grids.jobs import redesign_grids
from gridplan.grids.params import GridSizingParams
from gridplan.grids.tables import proposed_frame
from tests.api.conftest import BACKENDS, CHEAP_HASH, TestClient, backend_url
from tests.api.test_planning_jobs import run

ADMIN_PASSWORD = "three-doors-one-redesign"


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory, network_cache):
    """The service as ``gridplan serve`` starts it (sample loaded), once for this module."""
    folder = tmp_path_factory.mktemp("served")
    with backend_url(request.param, folder) as url:
        settings = Settings(data_dir=folder / "data", database_url=url, load_sample=True,
                            admin_password=ADMIN_PASSWORD, secret_key="k" * 40,
                            cache_dir=network_cache, job_workers=2, **CHEAP_HASH)
        with TestClient(create_app(settings)) as client:
            token = client.post("/auth/token", data={"username": "admin",
                                                     "password": ADMIN_PASSWORD}).json()
            yield client, {"Authorization": f"Bearer {token['access_token']}"}

DISTRICT, N_GRIDS, SEED = "310101", 4, 7


def _grids(frame) -> list[tuple[str, float, float, int]]:
    return sorted((str(r["code"]), round(float(r["workload_h"]), 1),
                   round(float(r["area_m2"]), -1), int(r["n_units"]))
                  for _, r in frame.iterrows())


def test_library_cli_and_service_give_the_same_redesign(served, tmp_path):
    jurisdictions = sample.jurisdictions()
    library = redesign_grids(sample.network("walk"),
                             jurisdictions[jurisdictions["code"] == DISTRICT],
                             sizing=GridSizingParams(n_grids=N_GRIDS, seed=SEED),
                             partition=PartitionParams(n_starts=1))
    expected = _grids(proposed_frame(library))
    assert len(expected) == N_GRIDS

    result = CliRunner().invoke(cli, [
        "grids", "redesign", "--network", str(sample.OSM_FILE), "--jurisdictions",
        str(sample.DISTRICTS_FILE), "--jurisdiction", DISTRICT, "--grids", str(N_GRIDS),
        "--seed", str(SEED), "--n-starts", "1", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["proposed"]["grids"] == N_GRIDS
    assert _grids(gpd.read_file(tmp_path / "grids_proposed.geojson")) == expected

    client, h = served
    [net] = client.get("/networks", headers=h).json()["items"]
    job = run(client, h, "redesign", {"district_code": DISTRICT, "network_id": net["id"],
                                      "n_grids": N_GRIDS, "seed": SEED, "n_starts": 1})
    assert job["status"] == "succeeded", job
    props = [f["properties"] for f in job["result"]["grids"]["features"]]
    assert _grids(gpd.GeoDataFrame(props)) == expected


def test_service_maps_carry_the_streets(served):
    """Issue 10.6 at the service: a plan's grid map and a routes job's map draw the streets (and
    the route map the grid outline) with no tiles."""
    import json as _json

    client, h = served
    plan = client.get("/plans", headers=h).json()["items"][0]
    page = client.get(f"/plans/{plan['id']}/map.html", headers=h).text
    assert _json.dumps("街道")[1:-1] in page or "街道" in page
    grid = client.get("/grids", headers=h).json()["items"][0]
    [net] = client.get("/networks", headers=h).json()["items"]
    job = run(client, h, "routes", {"grid_id": grid["id"], "network_id": net["id"],
                                    "officers": 1, "time_limit_s": 1})
    assert job["status"] == "succeeded", job
    context = job["result"]["layers"]["context"]
    assert len(context["streets"]["features"]) > 50 and len(context["grid"]["features"]) == 1
    page = client.get(f"/jobs/{job['id']}/map.html", headers=h).text
    for name in ("街道", "网格边界"):
        assert _json.dumps(name)[1:-1] in page or name in page


def test_roster_job_takes_the_declared_parameter_sets(served):
    client, h = served
    kinds = {k["name"]: k for k in client.get("/jobs/kinds", headers=h).json()}
    redesign = kinds["redesign"]["params_schema"]["properties"]
    assert {"n_grids", "min_unit_m2", "n_starts", "seed"} <= set(redesign)
    roster = kinds["roster"]["params_schema"]["properties"]
    assert {"shifts", "weekday_target", "min_officers_per_grid", "headcount"} <= set(roster)
    plan = client.get("/plans", headers=h).json()["items"][0]
    [net] = client.get("/networks", headers=h).json()["items"]
    job = run(client, h, "roster", {"plan_id": plan["id"], "network_id": net["id"],
                                    "shifts": "早:07-15,晚:19-03", "headcount": 30})
    assert job["status"] == "succeeded", job
    assert set(job["result"]["shifts"]) == {"早", "晚"}
    bad = client.post("/jobs", json={"kind": "roster", "params": {
        "plan_id": plan["id"], "network_id": net["id"], "shifts": "day:08-08"}}, headers=h)
    assert bad.status_code == 422 and "start ≠ end" in bad.text
    both = client.post("/jobs", json={"kind": "redesign", "params": {
        "district_code": "310101", "network_id": net["id"], "n_grids": 3,
        "target_workload_h": 20}}, headers=h)
    assert both.status_code == 422 and "n_grids / target_workload_h" in both.text
