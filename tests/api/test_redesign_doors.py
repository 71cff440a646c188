"""One redesign, three doors (issue 11): the library call, ``gridplan grids redesign`` and the
service's redesign job give the same grids on the bundled sample."""

from __future__ import annotations

import json

import geopandas as gpd
from click.testing import CliRunner

from api.cli import cli
from geodata import sample
from gridplan.grids.core import PartitionParams
from gridplan.grids.jobs import redesign_grids
from gridplan.grids.params import GridSizingParams
from gridplan.grids.tables import proposed_frame
from tests.api.test_planning_jobs import run, served  # noqa: F401 - the module's service

DISTRICT, N_GRIDS, SEED = "310101", 4, 7


def _grids(frame) -> list[tuple[str, float, float, int]]:
    return sorted((str(r["code"]), round(float(r["workload_h"]), 1),
                   round(float(r["area_m2"]), -1), int(r["n_units"]))
                  for _, r in frame.iterrows())


def test_library_cli_and_service_give_the_same_redesign(served, tmp_path):  # noqa: F811
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
    [net] = client.get("/networks", headers=h).json()
    job = run(client, h, "redesign", {"district_code": DISTRICT, "network_id": net["id"],
                                      "n_grids": N_GRIDS, "seed": SEED, "n_starts": 1})
    assert job["status"] == "succeeded", job
    props = [f["properties"] for f in job["result"]["grids"]["features"]]
    assert _grids(gpd.GeoDataFrame(props)) == expected


def test_service_maps_carry_the_streets(served):  # noqa: F811
    """Issue 10.6 at the service: a plan's grid map and a routes job's map draw the streets (and
    the route map the grid outline) with no tiles."""
    import json as _json

    client, h = served
    plan = client.get("/plans", headers=h).json()[0]
    page = client.get(f"/plans/{plan['id']}/map.html", headers=h).text
    assert _json.dumps("街道")[1:-1] in page or "街道" in page
    grid = client.get("/grids", headers=h).json()[0]
    [net] = client.get("/networks", headers=h).json()
    job = run(client, h, "routes", {"grid_id": grid["id"], "network_id": net["id"],
                                    "officers": 1, "time_limit_s": 1})
    assert job["status"] == "succeeded", job
    context = job["result"]["layers"]["context"]
    assert len(context["streets"]["features"]) > 50 and len(context["grid"]["features"]) == 1
    page = client.get(f"/jobs/{job['id']}/map.html", headers=h).text
    for name in ("街道", "网格边界"):
        assert _json.dumps(name)[1:-1] in page or name in page
