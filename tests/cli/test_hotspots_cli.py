"""``gridplan hotspots``: the sample, Fengxian / Jinshan in GCJ-02 without streets, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from api.cli import cli
from geodata.coords import from_wgs84
from geodata.hotspots import sample_hotspot_inputs
from gridplan.boundary import boundary_zones
from gridplan.hotspot_study import study_hotspots

DATA = Path(__file__).parents[1] / "data" / "hotspots"
DISTRICTS = DATA / "fengxian_jinshan_wgs84.geojson"
COLUMNS = (
    "--lon-col",
    "lon",
    "--lat-col",
    "lat",
    "--time-col",
    "time",
    "--category-col",
    "category",
)


def run(*args):
    result = CliRunner().invoke(cli, ["hotspots", *map(str, args)], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def sample_report():
    result = run("--boundary", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_sample_lists_boundary_hotspots_with_joint_patrols(sample_report):
    data = sample_report
    assert "synthetic incidents" in data["note"] and data["status"] == "ok"
    part = data["boundary"]
    assert part["plan_valid"] and part["flagged"]
    assert part["zones"][0]["names"] == ["黄浦区", "静安区"]
    for row in part["flagged"]:
        assert set(row["jurisdictions"]) == {"310101", "310106"}
        assert row["peak_window"][2] == ":" and "–" in row["peak_window"]
        joint = row["joint_patrol"]
        assert joint["route"]["length_m"] > 0 and joint["route"]["geometry_wgs84"]
        assert 121.3 < joint["meeting_point"]["lon"] < 121.6
        assert joint["cadence"] in ("nightly", "daily", "3×/week", "weekly")
        assert joint["lead"] in row["jurisdictions"]
    assert len(part["meeting_list"]) == len(part["flagged"])
    assert part["blind_spots"]["zones"][0]["zone_street_km"] > 1
    trends = {h["trend"] for h in data["hotspots"]}
    assert trends - {"sporadic", "none"}, trends  # realistic volumes give real trend classes


def test_the_cli_and_a_library_call_give_the_same_report(sample_report):
    """The door only parses and prints: the library's report is the CLI's, number for number."""
    inputs = sample_hotspot_inputs()
    study = study_hotspots(inputs.jurisdictions, inputs.incidents, network=inputs.network,
                           grids=inputs.grids, boundary=True)
    library = json.loads(json.dumps(study.to_dict(), ensure_ascii=False, default=str))
    assert library["hotspots"] == sample_report["hotspots"]
    assert library["hotspot_count"] == sample_report["hotspot_count"] >= 3
    assert library["boundary"] == sample_report["boundary"]
    assert library["summary"] == sample_report["summary"]


def test_sample_table_says_synthetic_everywhere():
    result = run("--boundary", "--top", "2")
    assert result.exit_code == 0, result.output
    assert result.output.count("synthetic incidents") >= 3
    assert "Joint patrols" in result.output and "meeting point" in result.output


def _fengxian_jinshan_incidents(path: Path, *, seed: int = 7, outside: int = 9) -> int:
    """Night-time dumping clusters on the Fengxian/Jinshan line plus daytime background, GCJ-02."""
    districts = gpd.read_file(DISTRICTS).rename(columns={"adcode": "code"}).to_crs(32651)
    line = boundary_zones(districts)[0].line
    rng = np.random.default_rng(seed)
    centres = [line.interpolate(f, normalized=True) for f in (0.2, 0.5, 0.8)]
    clusters = np.vstack([rng.normal((c.x, c.y), 70, (70, 2)) for c in centres])
    band = line.buffer(400)
    lo, hi = np.array(band.bounds[:2]), np.array(band.bounds[2:])
    candidates = rng.uniform(lo, hi, (20_000, 2))
    background = candidates[shapely.contains_xy(band, candidates[:, 0], candidates[:, 1])][:700]
    xy = np.vstack([clusters, background])
    hours = np.concatenate(
        [rng.choice([21, 22, 23, 0], len(clusters)), rng.integers(7, 20, len(background))]
    )
    days = rng.integers(0, 56, len(xy))
    times = (
        pd.Timestamp("2026-03-02 00:00")
        + pd.to_timedelta(days, unit="D")
        + pd.to_timedelta(hours, unit="h")
        + pd.to_timedelta(rng.integers(0, 60, len(xy)), unit="min")
    )
    wgs = gpd.GeoSeries(shapely.points(xy), crs=32651).to_crs(4326)
    lon, lat = wgs.x.to_numpy(), wgs.y.to_numpy()
    far_lon, far_lat = np.full(outside, 121.47), np.full(outside, 31.23)  # central Shanghai
    lon, lat = np.concatenate([lon, far_lon]), np.concatenate([lat, far_lat])
    glon, glat = from_wgs84(lon, lat, coords="gcj02")
    labels = ["偷倒建筑垃圾"] * len(clusters) + ["占道经营"] * (len(background) + outside)
    frame = pd.DataFrame(
        {
            "lon": glon.round(7),
            "lat": glat.round(7),
            "time": [str(t) for t in times] + ["2026-03-10 10:00"] * outside,
            "category": labels,
        }
    )
    frame.to_csv(path, index=False)
    # the band runs past the line's ends (the sea, a third district): those points are outside too
    beyond = ~shapely.contains_xy(districts.union_all(), xy[:, 0], xy[:, 1])
    return outside + int(beyond.sum())


def test_fengxian_jinshan_in_gcj02_without_streets(tmp_path):
    csv = tmp_path / "incidents_gcj02.csv"
    expected_outside = _fengxian_jinshan_incidents(csv)
    result = run(
        "--jurisdictions",
        DISTRICTS,
        "--codes",
        "310120,310116",
        "--incidents",
        csv,
        *COLUMNS,
        "--coords",
        "gcj02",
        "--boundary",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "ok" and "note" not in data
    assert data["incidents"]["outside_every_jurisdiction"] == expected_outside >= 9
    assert "boundary zones grown by 500 m" in data["study_area"]
    part = data["boundary"]
    assert part["zones"][0]["shared_length_m"] == pytest.approx(30_000, rel=0.05)
    assert len(part["flagged"]) >= 3
    for row in part["flagged"][:3]:
        assert set(row["jurisdictions"]) == {"310120", "310116"}
        assert set(row["names"]) == {"奉贤区", "金山区"}
        start = int(row["peak_window"][:2])
        assert start in (20, 21, 22, 23, 0), row["peak_window"]
        joint = row["joint_patrol"]
        assert joint["route"] is None and "no street network" in joint["route_note"]
        assert not joint["meeting_point"]["street_crossing"]
        assert joint["dominant_class"] == "市容环境"
    assert any("no street network" in n for n in part["notes"])


def test_jurisdictions_that_do_not_touch_give_an_explained_empty_result(tmp_path):
    boxes = gpd.GeoDataFrame(
        {"code": ["900001", "900002"], "name": ["西", "东"]},
        geometry=[
            shapely.box(121.00, 31.00, 121.03, 31.03),
            shapely.box(121.05, 31.00, 121.08, 31.03),
        ],
        crs=4326,
    )
    path = tmp_path / "apart.geojson"
    boxes.to_file(path, driver="GeoJSON")
    rng = np.random.default_rng(1)
    n = 200
    pd.DataFrame(
        {
            "lon": rng.uniform(121.0, 121.08, n),
            "lat": rng.uniform(31.0, 31.03, n),
            "time": pd.Timestamp("2026-03-02") + pd.to_timedelta(rng.integers(0, 600, n), unit="h"),
            "category": "占道经营",
        }
    ).to_csv(tmp_path / "i.csv", index=False)
    result = run(
        "--jurisdictions", path, "--incidents", tmp_path / "i.csv", *COLUMNS, "--boundary", "--json"
    )
    assert result.exit_code == 0, result.output
    part = json.loads(result.output)["boundary"]
    assert part["zones"] == [] and part["flagged"] == []
    assert "do not touch" in part["explanation"][0] and "m apart" in part["explanation"][0]


def test_too_few_incidents_say_so_plainly(tmp_path):
    pd.DataFrame(
        {
            "lon": [121.47, 121.471, 121.472],
            "lat": [31.23, 31.231, 31.232],
            "time": ["2026-03-02 21:00"] * 3,
            "category": ["偷倒垃圾"] * 3,
        }
    ).to_csv(tmp_path / "few.csv", index=False)
    result = run("--incidents", tmp_path / "few.csv", *COLUMNS, "--boundary", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "insufficient_data" and data["message"].startswith("only ")
    assert data["incidents"]["input"] == 3
    assert data["hotspots"] == [] and data["boundary"]["flagged"] == []
    assert "no hotspot statistics" in data["boundary"]["explanation"][0]
    table = run("--incidents", tmp_path / "few.csv", *COLUMNS)
    assert table.exit_code == 0 and "insufficient_data" in table.output


def test_jurisdictions_without_incidents_is_an_error_report():
    result = CliRunner().invoke(cli, ["hotspots", "--jurisdictions", str(DISTRICTS)])
    assert result.exit_code == 2 and "--incidents" in result.output


def test_san_jose_reports_are_profiled_in_pacific_time(tmp_path):
    """--tz names the export's zone: times are read and profiled in it, and the report says so."""
    raw = pd.read_csv(DATA / "san_jose_illegal_dumping.csv")
    box = shapely.box(raw["lon"].min(), raw["lat"].min(), raw["lon"].max(), raw["lat"].max())
    area = tmp_path / "san_jose.geojson"
    gpd.GeoDataFrame({"code": ["SJ"], "name": ["San José"]}, geometry=[box.buffer(0.005)],
                     crs=4326).to_file(area, driver="GeoJSON")
    result = run("--jurisdictions", area, "--incidents", DATA / "san_jose_illegal_dumping.csv",
                 "--lon-col", "lon", "--lat-col", "lat", "--time-col", "received_utc_ms",
                 "--tz", "America/Los_Angeles", "--cell-size-m", "400",
                 "--neighbour-distance-m", "900", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["time_zone"] == "America/Los_Angeles"
    top = data["hotspots"][0]
    assert top["incidents"] >= 100 and 6 <= int(top["peak_window"][:2]) <= 12
    table = run("--jurisdictions", area, "--incidents", DATA / "san_jose_illegal_dumping.csv",
                "--lon-col", "lon", "--lat-col", "lat", "--time-col", "received_utc_ms",
                "--tz", "America/Los_Angeles", "--cell-size-m", "400")
    assert "time zone   America/Los_Angeles" in table.output


README = Path(__file__).parents[2] / "README.md"


def _readme_block(after: str, fence: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(after)
    start = text.index(fence, start) + len(fence)
    return text[start : text.index("```", start)]


def test_the_readme_hotspots_example_is_this_versions_output():
    block = _readme_block("### Hotspots and joint patrols", "```console\n")
    command, *expected = block.rstrip("\n").split("\n")
    assert command == "$ gridplan hotspots --boundary"
    result = run(*command.split()[3:])
    assert result.exit_code == 0, result.output
    assert [line.rstrip() for line in result.output.rstrip("\n").split("\n")] == expected


def test_the_readme_python_snippet_runs(capsys):
    snippet = _readme_block("The same study from Python", "```python\n")
    exec(compile(snippet, "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("ok: 2400 of 2400 incidents used")


def test_fengxian_jinshan_one_sided_hotspot_is_a_notice_to_the_neighbour(tmp_path):
    """Real district outlines: night dumping 110 m inside Jinshan by the line, none across it,
    plus a cluster straddling the line: one joint patrol, one notice to Fengxian."""
    districts = gpd.read_file(DISTRICTS).rename(columns={"adcode": "code"}).to_crs(32651)
    line = boundary_zones(districts)[0].line
    jinshan = districts.set_index("code").geometry["310116"]
    rng = np.random.default_rng(3)
    on_line = line.interpolate(0.3, normalized=True)
    ahead = line.interpolate(0.3 * line.length + 10)
    normal = np.array([ahead.y - on_line.y, on_line.x - ahead.x]) / 10
    if not jinshan.contains(shapely.Point(np.array(on_line.coords[0]) + 110 * normal)):
        normal = -normal
    one_sided = rng.normal(np.array(on_line.coords[0]) + 110 * normal, 30, (80, 2))
    middle = line.interpolate(0.7, normalized=True)
    straddling = rng.normal((middle.x, middle.y), 60, (80, 2))
    band = line.buffer(500)
    lo, hi = np.array(band.bounds[:2]), np.array(band.bounds[2:])
    candidates = rng.uniform(lo, hi, (20_000, 2))
    background = candidates[shapely.contains_xy(band, candidates[:, 0], candidates[:, 1])][:500]
    xy = np.vstack([one_sided, straddling, background])
    wgs = gpd.GeoSeries(shapely.points(xy), crs=32651).to_crs(4326)
    hours = np.concatenate([rng.choice([22, 23, 0, 1], 160), rng.integers(7, 20, len(background))])
    times = (pd.Timestamp("2026-03-02") + pd.to_timedelta(rng.integers(0, 56, len(xy)), unit="D")
             + pd.to_timedelta(hours, unit="h"))
    pd.DataFrame({"lon": wgs.x, "lat": wgs.y, "time": times.astype(str),
                  "category": ["偷倒垃圾"] * 160 + ["占道经营"] * len(background)}
                 ).to_csv(tmp_path / "i.csv", index=False)
    result = run("--jurisdictions", DISTRICTS, "--codes", "310120,310116", "--incidents",
                 tmp_path / "i.csv", *COLUMNS, "--boundary", "--json")
    assert result.exit_code == 0, result.output
    part = json.loads(result.output)["boundary"]
    notices = [n for n in part["notices"] if n["from"].startswith("310116")]
    assert notices and notices[0]["to"] == "310120 奉贤区"
    mine, theirs = map(int, notices[0]["incidents_by_side"].split(" / "))
    assert mine >= 60 and theirs < 0.1 * mine  # a stray background report or two across
    joint = part["flagged"]
    assert joint and all(min(f["incidents_by_jurisdiction"].get(c, 0)
                             for c in ("310120", "310116")) >= 2 for f in joint)
    assert [f["rank"] for f in joint] == list(range(1, len(joint) + 1))
