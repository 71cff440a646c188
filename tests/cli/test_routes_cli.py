"""``gridplan routes`` on one grid of the bundled sample (no files needed)."""

import json

import geopandas as gpd
import pandas as pd
from click.testing import CliRunner

from api.cli import cli

GRID = "310101000000002"
KEY_POINTS = ("id,name,lon,lat,dwell_minutes,window\n"
              "K1,学校,121.4720,31.2352,10,09:00-10:00\n"   # in grid 2
              "K2,菜场,121.4782,31.2356,5,\n")               # in grid 4: not grid 2's


def test_routes_json_on_a_sample_grid(tmp_path):
    kps = tmp_path / "kp.csv"
    kps.write_text(KEY_POINTS, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "routes", "--grid", GRID, "--officers", "2", "--shift", "08:00-12:00",
        "--date", "2026-11-25", "--key-points", str(kps), "--seed", "3", "--time-limit-s", "1",
        "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    (plan,) = json.loads(result.output)
    assert plan["grid"] == GRID and plan["valid"]
    assert len(plan["officers"]) == 2 and plan["longest_work_min"] >= plan["lower_bound_min"]
    assert plan["longest_min"] <= 240 and 0 < plan["coverage"] <= 1
    assert [k["id"] for k in plan["key_points"]] == ["K1"]  # K2 belongs to grid 4
    visitor = plan["key_points"][0]["officer"]
    names = {p.rsplit("/", 1)[-1] for p in plan["files"]}
    assert names == {f"{GRID}.geojson", f"{GRID}.gpx", f"{GRID}_turns.csv", f"{GRID}_map.html"}
    layers = gpd.read_file(out / f"{GRID}.geojson")
    assert set(layers["layer"]) >= {"routes", "key_points"}
    k1 = layers[layers["layer"] == "key_points"].iloc[0]
    assert k1["officer"] == visitor and str(k1["arrival"])[:2] == "09"
    assert plan["officers"][0]["turns"][0].startswith("沿")
    turns = pd.read_csv(out / f"{GRID}_turns.csv", encoding="utf-8-sig")  # header first
    stop = turns[turns["instruction"].str.startswith("到达重点点位 学校（K1）")]
    assert list(stop["officer"]) == [visitor]
    assert f"{visitor} 09:" in (out / f"{GRID}.gpx").read_text(encoding="utf-8")


def test_routes_refuses_bad_input_with_a_report(tmp_path):
    runner = CliRunner()
    bad_shift = runner.invoke(cli, ["routes", "--grid", GRID, "--shift", "8-12",
                                    "--out", str(tmp_path)])
    assert bad_shift.exit_code == 2 and "HH:MM-HH:MM" in bad_shift.output
    no_length = runner.invoke(cli, ["routes", "--grid", GRID, "--shift", "08:00-08:00",
                                    "--out", str(tmp_path)])
    assert no_length.exit_code == 2 and "an end different from the start" in no_length.output
    no_grid = runner.invoke(cli, ["routes", "--grid", "nope", "--out", str(tmp_path)])
    assert no_grid.exit_code == 2 and "no such grid" in no_grid.output
    zero = runner.invoke(cli, ["routes", "--grid", GRID, "--officers", "0", "--out",
                               str(tmp_path)])
    assert zero.exit_code == 2 and "at least one officer" in zero.output
    stray = tmp_path / "stray.csv"
    stray.write_text("id,name,lon,lat\nK9,远处,121.60,31.30\n", encoding="utf-8")
    outside = runner.invoke(cli, ["routes", "--all", "--key-points", str(stray),
                                  "--out", str(tmp_path)])
    assert outside.exit_code == 2 and "K9" in outside.output and "outside every grid" in \
        outside.output
    assert not list(tmp_path.glob("*.geojson"))  # nothing half-written


def test_routes_on_a_second_city_with_a_bare_grids_file(tmp_path):
    """Helsinki's raw PBF and a grids file with only code and parent_code (no staff columns,
    no station): one officer by default, the day's first shift of a day+night pattern."""
    from pathlib import Path

    from shapely.geometry import box

    pbf = Path(__file__).parents[1] / "data" / "osm" / "Helsinki.osm.pbf"
    grids = tmp_path / "grids.geojson"
    gpd.GeoDataFrame({"code": ["HEL-1"], "parent_code": ["HEL"]},
                     geometry=[box(24.9440, 60.1680, 24.9500, 60.1710)], crs="EPSG:4326"
                     ).to_file(grids, driver="GeoJSON")
    result = CliRunner().invoke(cli, [
        "routes", "--all", "--network", str(pbf), "--grids", str(grids), "--shift",
        "07:00-11:00", "--pattern", "day+night", "--tz", "Europe/Helsinki", "--date",
        "2026-11-25", "--max-iterations", "5", "--lang", "en", "--out", str(tmp_path / "o"),
        "--json"])
    assert result.exit_code == 0, result.output
    (plan,) = json.loads(result.output)
    assert plan["valid"] and len(plan["officers"]) == 1 and plan["day_part"] == "白"
    assert plan["shift_start"] == "2026-11-25T07:00:00+02:00"
    header = (tmp_path / "o" / "HEL-1_turns.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("officer,step,instruction")
