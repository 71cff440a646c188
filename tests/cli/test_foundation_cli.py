import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from geodata import sample

PBF = Path(__file__).parents[1] / "data" / "osm" / "Helsinki.osm.pbf"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.mark.parametrize(
    ("path", "mode"),
    [(sample.OSM_FILE, "walk"), (sample.OSM_FILE, "drive"), (PBF, "walk"), (PBF, "drive")],
)
def test_network_summary_json(run, path, mode):
    result = run("network", "summary", path, "--mode", mode, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert {"nodes", "edges", "street_km_by_grade", "crs", "bbox", "bbox_wgs84"} <= set(info)
    assert info["mode"] == mode and info["nodes"] > 100
    assert set(info["street_km_by_grade"]) == {"1", "2", "3", "4"}


def test_incidents_summary_json_with_gcj02(run, tmp_path):
    frame = sample.incidents(n=150)
    from geodata.coords import from_wgs84

    lon, lat = from_wgs84(frame.geometry.x, frame.geometry.y, coords="gcj02")
    path = tmp_path / "export.csv"
    frame.assign(lng=lon, lat=lat, t=frame["time"].astype(str))[
        ["id", "t", "category", "lng", "lat"]
    ].to_csv(path, index=False)
    result = run(
        "incidents",
        "summary",
        path,
        "--lon-col",
        "lng",
        "--lat-col",
        "lat",
        "--time-col",
        "t",
        "--category-col",
        "category",
        "--coords",
        "gcj02",
        "--json",
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["count"] == 150 and sum(info["by_class"].values()) == 150
    assert info["bbox_wgs84"][0] > 121.45 and info["time_first"] < info["time_last"]


def test_bad_input_is_a_report_not_a_traceback(run, tmp_path):
    result = run("network", "summary", tmp_path / "missing.osm.pbf")
    assert result.exit_code == 2
    assert "error:" in result.output and "Fix:" in result.output
    assert "Traceback" not in result.output


def test_help_is_followable(run):
    out = run("--help").output
    for word in ("network", "incidents", "demo"):
        assert word in out
    assert "--lon-col" in run("incidents", "summary", "--help").output


def test_demo_writes_summary(run, tmp_path):
    result = run("demo", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["grids"]["illustrative"] is True
    assert summary["incidents"]["note"] == "synthetic incidents"
    assert summary["jurisdictions"]["shared_boundaries"][0]["length_m"] > 1000
    assert "synthetic incidents" in result.output
    assert (tmp_path / "incidents_synthetic_gcj02.csv").exists()
