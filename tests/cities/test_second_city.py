"""A second Chinese city nobody tuned for: Beijing, Haidian (raw OSM XML around the China
Agricultural University east campus, ``tests/data/osm/Beijing_Haidian_CAU.osm.gz``) and its real
Haidian / Chaoyang district outlines. Each user workflow runs the way a new user runs it, through
the CLI, on files made here: a bare grids file (no staff columns), SYNTHETIC incidents (seeded)
stated in a non-Shanghai time zone. See ``tests/data/osm/SOURCE.md``."""

from __future__ import annotations

import gzip
import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box

from api.cli import cli
from geodata.coords import wgs84_to_gcj02
from geodata.osm import load_network
from maps import streets_near

DATA = Path(__file__).parents[1] / "data" / "osm"
OSM = DATA / "Beijing_Haidian_CAU.osm.gz"
DISTRICTS = DATA / "beijing_haidian_chaoyang_wgs84.geojson"
DISTRICTS_GCJ02 = DATA / "beijing_haidian_chaoyang_gcj02.geojson"  # as Amap ships them
HAIDIAN, CHAOYANG = "110108", "110105"
UTM_50N = 32650
# two grids side by side around the extract's centre, about 420 m x 610 m each
GRIDS = {"BJ-HD-1": box(116.3470, 40.0005, 116.3519, 40.0060),
         "BJ-HD-2": box(116.3519, 40.0005, 116.3568, 40.0060)}
TZ = "Asia/Urumqi"  # UTC+6: times read in Shanghai time would land two hours later
U_TURN_DEG = 150.0  # a bearing change above this is walking back the way one came


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def run_json(*args) -> object:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_extract_is_raw_osm_with_chinese_street_names():
    with gzip.open(OSM, "rt", encoding="utf-8") as f:
        head = f.read(600)
        rest = f.read()
    assert "<osm version=\"0.6\"" in head and "opendatacommons.org/licenses/odbl" in head
    assert rest.count("<way ") > 500 and 'k="highway"' in rest
    for name in ("学清路", "清华东路"):
        assert f'k="name" v="{name}"' in rest


def test_network_summary_walk_and_drive():
    walk = run_json("network", "summary", "--mode", "walk", OSM)
    drive = run_json("network", "summary", "--mode", "drive", OSM)
    for info in (walk, drive):
        assert info["crs"] == "EPSG:32650"  # Beijing is in UTM zone 50N, Shanghai in 51N
        lon0, lat0, lon1, lat1 = info["bbox_wgs84"]
        assert 116.33 < lon0 < lon1 < 116.37 and 39.98 < lat0 < lat1 < 40.03
        assert info["street_km_total"] == pytest.approx(sum(info["street_km_by_grade"].values()),
                                                        abs=0.01)
    assert walk["edges"] == 2 * walk["streets"]  # on foot every street goes both ways
    assert drive["streets"] < drive["edges"] < 2 * drive["streets"]  # one-way ramps kept
    # the G6 expressway and its ramps are driven, never walked
    assert drive["street_km_by_grade"]["1"] > walk["street_km_by_grade"]["1"]
    gk = run_json("network", "summary", "--crs", "cgcs2000", OSM)
    assert gk["crs"] == "EPSG:4548"  # CGCS2000 3-degree Gauss-Krüger, central meridian 117°E


@pytest.fixture(scope="module")
def network():
    return load_network(OSM, mode="walk")


def test_streets_keep_their_chinese_names(network):
    names = {d.get("name") for _, _, d in network.graph.edges(data=True)}
    assert {"学清路", "清华东路"} <= names


@pytest.fixture(scope="module")
def routes(tmp_path_factory):
    """``gridplan routes --all`` on a bare grids file: the plans (JSON) and the output folder."""
    folder = tmp_path_factory.mktemp("beijing_routes")
    grids = folder / "grids.geojson"
    gpd.GeoDataFrame({"code": list(GRIDS), "parent_code": [HAIDIAN] * len(GRIDS)},
                     geometry=list(GRIDS.values()), crs=4326).to_file(grids, driver="GeoJSON")
    plans = run_json("routes", "--all", "--network", OSM, "--grids", grids, "--officers", 2,
                     "--shift", "08:00-12:00", "--date", "2026-11-25", "--seed", 1,
                     "--max-iterations", 5, "--out", folder / "out")
    return plans, folder / "out"


@pytest.mark.slow  # one route search per grid (~15 s on a busy machine)
def test_routes_plans_are_valid_and_written(routes):
    plans, out = routes
    assert [p["grid"] for p in plans] == list(GRIDS)
    for plan in plans:
        assert plan["valid"], plan
        assert len(plan["officers"]) == 2 and plan["coverage"] == pytest.approx(1.0)
        assert plan["longest_work_min"] >= plan["lower_bound_min"] > 0
        assert plan["longest_min"] <= 240
        code = plan["grid"]
        assert {Path(f).name for f in plan["files"]} == {
            f"{code}.geojson", f"{code}.gpx", f"{code}_turns.csv", f"{code}_map.html"}


def _bearing(a, b) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def _reverses(a: float, b: float) -> bool:
    return abs((b - a + 180.0) % 360.0 - 180.0) > U_TURN_DEG


def _legs(rows: gpd.GeoDataFrame) -> tuple[list[float], int]:
    """Metres of each instruction the route's own lines call for (one per run of pieces on one
    street with one status, cut at every reversal) and how many reversals the lines hold."""
    legs: list[list] = []
    reversals = 0
    previous = None
    for row in rows.itertuples():
        xy = list(row.geometry.coords)
        key = (row.name or "", bool(row.deadhead))
        if previous is not None:
            assert math.dist(previous[2], xy[0]) < 1.0, f"route broken before piece {row.seq}"
        back = previous is not None and _reverses(previous[1], _bearing(xy[0], xy[1]))
        reversals += back
        if legs and legs[-1][0] == key and not back:
            legs[-1][1] += row.geometry.length
        else:
            legs.append([key, row.geometry.length])
        previous = (key, _bearing(xy[-2], xy[-1]), xy[-1])
    return [metres for _, metres in legs], reversals


@pytest.mark.slow  # one route search per grid (~15 s on a busy machine)
def test_every_instruction_is_as_long_as_its_line_and_no_u_turn_is_hidden(routes):
    plans, out = routes
    for plan in plans:
        code = plan["grid"]
        lines = gpd.read_file(out / f"{code}.geojson").to_crs(UTM_50N)
        turns = pd.read_csv(out / f"{code}_turns.csv", encoding="utf-8-sig")
        for officer, rows in lines[lines["layer"] == "routes"].groupby("officer"):
            legs, reversals = _legs(rows.sort_values("seq"))
            said = turns[turns["officer"] == officer]["instruction"].tolist()
            metres = [int(re.search(r" (\d+) m$", s).group(1)) for s in said]
            assert len(metres) == len(legs), (code, officer)
            assert np.allclose(metres, legs, atol=1.5), (code, officer)
            assert sum(s.startswith("掉头") for s in said) == reversals, (code, officer)
            total = turns[turns["officer"] == officer]["route_length_m"].iloc[0]
            assert sum(legs) == pytest.approx(total, abs=1.0)


@pytest.mark.slow  # one more route search (~5 s)
def test_drive_routes_keep_one_ways_and_say_what_they_cannot_reach(tmp_path):
    grids = tmp_path / "grids.geojson"
    gpd.GeoDataFrame({"code": ["BJ-HD-2"], "parent_code": [HAIDIAN]},
                     geometry=[GRIDS["BJ-HD-2"]], crs=4326).to_file(grids, driver="GeoJSON")
    (plan,) = run_json("routes", "--all", "--network", OSM, "--grids", grids, "--mode", "drive",
                       "--officers", 1, "--shift", "20:00-23:00", "--tz", TZ, "--date",
                       "2026-11-25", "--max-iterations", 5, "--lang", "en", "--out", tmp_path)
    assert plan["valid"] and plan["shift_start"] == "2026-11-25T20:00:00+06:00"
    lines = gpd.read_file(tmp_path / "BJ-HD-2.geojson").to_crs(UTM_50N)
    legs, _ = _legs(lines[lines["layer"] == "routes"].sort_values("seq"))
    said = pd.read_csv(tmp_path / "BJ-HD-2_turns.csv", encoding="utf-8-sig")["instruction"]
    assert said.iloc[0].startswith("Follow ") and len(said) == len(legs)


def _layer_features(page: str) -> list[int]:
    """Feature counts of the GeoJSON layers folium inlined in the page."""
    return [len(json.loads(m)["features"]) for m in
            re.findall(r'geo_json_\w+_add\((\{"bbox".*?|\{"features".*?)\);\n', page)]


@pytest.mark.slow  # one route search per grid (~15 s on a busy machine)
def test_route_map_carries_the_street_layer(routes, network):
    _, out = routes
    page = (out / "BJ-HD-1_map.html").read_text("utf-8")
    for name in ("街道", "网格边界"):  # street layer and grid outline, JSON-escaped in scripts
        assert json.dumps(name)[1:-1] in page or name in page
    area = gpd.GeoDataFrame(geometry=[GRIDS["BJ-HD-1"]], crs=4326)
    near = streets_near(network, area)
    assert len(near) > 50 and len(near) in _layer_features(page)


def _incidents(path: Path, centre: tuple[float, float], *, seed: int) -> None:
    """SYNTHETIC reports (seeded): 150 spread over the extract in the daytime and 90 within
    ~20 m of ``centre`` between 21:00 and 23:00 local time in ``TZ``, written as epoch
    milliseconds so only ``--tz`` can put them in the evening."""
    rng = np.random.default_rng(seed)
    spread, cluster = 150, 90
    lon = np.r_[rng.uniform(116.3445, 116.3595, spread), centre[0] + rng.normal(0, 15e-5, cluster)]
    lat = np.r_[rng.uniform(39.9980, 40.0085, spread), centre[1] + rng.normal(0, 15e-5, cluster)]
    days = pd.Timestamp("2026-09-07", tz=TZ) + pd.to_timedelta(
        rng.integers(0, 56, spread + cluster), "D")
    hours = np.r_[rng.uniform(7, 19, spread), rng.uniform(21, 22.95, cluster)]
    times = (days + pd.to_timedelta(hours, "h")).tz_convert("UTC")
    pd.DataFrame({"lon": lon.round(6), "lat": lat.round(6),
                  "ms": times.as_unit("ms").asi8,
                  "category": "占道经营（合成数据）"}).to_csv(path, index=False)


def test_incidents_in_gcj02_are_recognised_on_beijing_streets(tmp_path, network):
    """Points exported from Amap (GCJ-02) sit tens of metres off the OSM streets; the loader
    says which datum fits."""
    nodes = list(network.graph.nodes(data=True))[::3][:150]
    lon, lat = wgs84_to_gcj02(np.array([d["lon"] for _, d in nodes]),
                              np.array([d["lat"] for _, d in nodes]))
    csv = tmp_path / "amap_export.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "time": "2026-09-08 21:30"}).to_csv(csv, index=False)
    result = run("incidents", "summary", csv, "--lon-col", "lon", "--lat-col", "lat",
                 "--network", OSM)
    assert result.exit_code == 0, result.output
    assert "pass --coords gcj02" in result.output


COLUMNS = ("--lon-col", "lon", "--lat-col", "lat", "--time-col", "ms",
           "--category-col", "category")


def test_hotspots_are_profiled_in_the_stated_time_zone(tmp_path):
    csv = tmp_path / "synthetic_incidents.csv"
    _incidents(csv, (116.34615, 40.00646), seed=7)  # on 学清路, inside Haidian
    args = ("hotspots", "--network", OSM, "--jurisdictions", DISTRICTS, "--codes", HAIDIAN,
            "--incidents", csv, *COLUMNS)
    report = run_json(*args, "--tz", TZ)
    assert report["status"] == "ok" and report["time_zone"] == TZ
    top = report["hotspots"][0]
    assert top["incidents"] >= 80 and top["incidents_by_jurisdiction"] == {
        HAIDIAN: top["incidents"]}
    assert top["peak_window"] == "21:00–23:00"
    shanghai = run_json(*args)  # the same instants read as Shanghai time: two hours later
    assert shanghai["time_zone"] == "Asia/Shanghai"
    assert shanghai["hotspots"][0]["peak_window"] == "23:00–01:00"


@pytest.mark.parametrize(("outlines", "datum"), [(DISTRICTS, "wgs84"),
                                                  (DISTRICTS_GCJ02, "gcj02")])
def test_hotspots_boundary_across_haidian_and_chaoyang(tmp_path, outlines, datum):
    districts = gpd.read_file(DISTRICTS).set_index("adcode").to_crs(UTM_50N)
    line = districts.geometry[HAIDIAN].boundary.intersection(
        districts.geometry[CHAOYANG].buffer(5))
    csv = tmp_path / "synthetic_incidents.csv"
    _incidents(csv, (116.35691, 40.009466), seed=11)  # on the district line, inside the extract
    report = run_json("hotspots", "--network", OSM, "--jurisdictions", outlines,
                      "--jurisdiction-coords", datum, "--codes", f"{HAIDIAN},{CHAOYANG}",
                      "--incidents", csv, *COLUMNS, "--tz", TZ, "--boundary", "--top", 3)
    part = report["boundary"]
    (zone,) = part["zones"]
    assert zone["shared_length_m"] > 5_000
    assert part["plan_valid"] and part["flagged"]
    first = part["flagged"][0]
    assert set(first["jurisdictions"]) == {HAIDIAN, CHAOYANG}
    assert set(first["names"]) == {"海淀区", "朝阳区"}
    assert min(first["incidents_by_jurisdiction"].values()) > 10  # both sides share it
    joint = first["joint_patrol"]
    assert joint["time_window"] == "21:00–23:00"
    meeting = joint["meeting_point"]
    assert meeting["street_crossing"]
    assert shapely.Point(meeting["x"], meeting["y"]).distance(line) < 200
    route = joint["route"]
    assert route["uncovered"] == 0 and route["length_m"] >= route["required_m"] > 0


def test_amap_outlines_read_as_wgs84_miss_the_boundary_hotspot(tmp_path):
    """Why --jurisdiction-coords exists: GCJ-02 outlines taken for WGS-84 sit ~500 m off in
    Beijing, and the cluster on the real line falls wholly in Haidian."""
    csv = tmp_path / "synthetic_incidents.csv"
    _incidents(csv, (116.35691, 40.009466), seed=11)
    report = run_json("hotspots", "--network", OSM, "--jurisdictions", DISTRICTS_GCJ02,
                      "--codes", f"{HAIDIAN},{CHAOYANG}", "--incidents", csv, *COLUMNS,
                      "--tz", TZ, "--boundary")
    assert report["hotspots"][0]["incidents_by_jurisdiction"] == {
        HAIDIAN: report["hotspots"][0]["incidents"]}
    assert report["boundary"]["flagged"] == []


def test_hotspots_without_jurisdictions_say_the_sample_districts_are_elsewhere(tmp_path):
    """Without --jurisdictions the bundled Shanghai districts are used; Beijing files never meet
    them, and the report says so instead of 'cannot tile the area'."""
    csv = tmp_path / "synthetic_incidents.csv"
    _incidents(csv, (116.34615, 40.00646), seed=7)
    result = run("hotspots", "--network", OSM, "--incidents", csv, *COLUMNS, "--tz", TZ)
    assert result.exit_code == 2
    assert "--jurisdictions" in result.output and "cannot tile" not in result.output
    assert str(OSM) in result.output and str(csv) in result.output
