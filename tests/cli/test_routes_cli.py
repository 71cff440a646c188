"""``gridplan routes`` on one grid of the bundled sample (no files needed)."""

import json

import geopandas as gpd
from click.testing import CliRunner

from api.cli import cli

GRID = "310101000000002"


def test_routes_json_on_a_sample_grid(tmp_path):
    kps = tmp_path / "kp.csv"
    kps.write_text("id,name,lon,lat,dwell_minutes,window\nK1,学校,121.4795,31.2360,10,09:00-10:00\n",
                   encoding="utf-8")
    result = CliRunner().invoke(cli, [
        "routes", "--grid", GRID, "--officers", "2", "--shift", "08:00-12:00",
        "--date", "2026-11-25", "--key-points", str(kps), "--seed", "3", "--time-limit", "1",
        "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    (plan,) = json.loads(result.output)
    assert plan["grid"] == GRID and plan["valid"]
    assert len(plan["officers"]) == 2 and plan["longest_min"] >= plan["lower_bound_min"]
    assert plan["longest_min"] <= 240 and 0 < plan["coverage"] <= 1
    assert plan["key_points"][0]["id"] == "K1"
    names = {p.rsplit("/", 1)[-1] for p in plan["files"]}
    assert names == {f"{GRID}.geojson", f"{GRID}.gpx", f"{GRID}_turns.csv", f"{GRID}_map.html"}
    layers = gpd.read_file(tmp_path / "out" / f"{GRID}.geojson")
    assert set(layers["layer"]) >= {"routes", "key_points"}
    assert plan["officers"][0]["turns"][0].startswith("沿")


def test_routes_refuses_bad_input_with_a_report(tmp_path):
    runner = CliRunner()
    bad_shift = runner.invoke(cli, ["routes", "--grid", GRID, "--shift", "8-12",
                                    "--out", str(tmp_path)])
    assert bad_shift.exit_code == 2 and "HH:MM-HH:MM" in bad_shift.output
    no_grid = runner.invoke(cli, ["routes", "--grid", "nope", "--out", str(tmp_path)])
    assert no_grid.exit_code == 2 and "no grid" in no_grid.output
    zero = runner.invoke(cli, ["routes", "--grid", GRID, "--officers", "0", "--out",
                               str(tmp_path)])
    assert zero.exit_code == 2 and "at least one officer" in zero.output
