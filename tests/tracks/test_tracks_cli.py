"""``gridplan tracks coverage`` end to end on the bundled sample: a plan from ``gridplan
routes``, SIMULATED tracks of its officers exported in GCJ-02, the coverage map and CSV."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from click.testing import CliRunner

from api.cli import cli
from api.cli.tracks import simulated_coverage
from geodata import sample
from geodata.grids import grids_to_model
from gridplan.model import Shift
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import plan_grid

GRID = "310101000000002"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, sample_walk):
    out = tmp_path_factory.mktemp("tracks")
    grid = next(g for g in grids_to_model(sample.grids(), metric_crs=str(sample_walk.crs))
                if g.code == GRID)
    shift = Shift(datetime(2026, 11, 25, 8, tzinfo=TZ), datetime(2026, 11, 25, 12, tzinfo=TZ))
    plan = plan_grid(sample_walk, grid, officers=2, shift=shift,
                     params=PatrolParams(max_iterations=10, estimate_officers_needed=False))
    report, files = simulated_coverage(sample_walk, grid, plan, out, seed=1)
    return out, plan, report, files


def test_simulated_coverage_is_labelled_and_mostly_on_plan(simulated):
    out, plan, report, files = simulated
    assert report.simulated and "SIMULATED" in report.summary()
    assert {f.name for f in files} == {f"SIMULATED_tracks_{GRID}_gcj02.csv",
                                       f"coverage_{GRID}_map.html",
                                       f"coverage_{GRID}_streets.csv", f"coverage_{GRID}.json"}
    # officers stop 15 % early: most, not all, of each route is walked
    assert ((report.plan_routes["on_plan_share"] > 0.6)
            & (report.plan_routes["on_plan_share"] < 1.0)).all()
    html = (out / f"coverage_{GRID}_map.html").read_text(encoding="utf-8")
    assert json.dumps("模拟轨迹")[1:-1] in html and "https://unpkg" not in html
    assert "[[31.2" in html and "121.4" in html  # drawn in WGS-84 degrees, fitted to Shanghai


def test_cli_reads_the_gcj02_export_and_writes_map_and_csv(simulated, tmp_path):
    out, plan, report, files = simulated
    csv = out / f"SIMULATED_tracks_{GRID}_gcj02.csv"
    result = CliRunner().invoke(cli, ["tracks", "coverage", "--tracks", str(csv),
                                      "--coords", "gcj02", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    day = [r for r in data["by_grade"] if r["period"] == "day" and r["grid"] == GRID]
    assert day and sum(r["done_km"] for r in day) > 0
    streets = pd.read_csv(tmp_path / "coverage_streets.csv", encoding="utf-8-sig")
    assert {"street_id", "name", "grade", "passes", "walked_m", "last_walked"} <= set(
        streets.columns)
    assert (streets["grid"].astype(str) == GRID).all()
    assert (tmp_path / "coverage_map.html").exists()


def test_cli_warns_about_the_datum_and_reports_bad_files(simulated, tmp_path):
    out, *_ = simulated
    csv = out / f"SIMULATED_tracks_{GRID}_gcj02.csv"
    runner = CliRunner()
    wrong = runner.invoke(cli, ["tracks", "coverage", "--tracks", str(csv), "--json"])
    assert wrong.exit_code == 0 and "--coords gcj02" in wrong.output
    bad = tmp_path / "bad.csv"
    bad.write_text("who,when,x,y\n1,2,3,4\n", encoding="utf-8")
    result = runner.invoke(cli, ["tracks", "coverage", "--tracks", str(bad)])
    assert result.exit_code == 2 and "traceback" not in result.output.lower()
    assert "a column 'officer'" in result.output and "a column 'time'" in result.output
    assert "rename the column" in result.output


def _routes(tmp_path, *extra):
    result = CliRunner().invoke(cli, [
        "routes", "--grid", GRID, "--officers", "1", "--shift", "08:00-09:00",
        "--date", "2026-11-26", "--max-iterations", "5", "--out", str(tmp_path), "--json",
        *extra])
    assert result.exit_code == 0, result.output
    (plan,) = json.loads(result.output)
    return plan


@pytest.mark.slow  # two plans of a sample grid (≈ 8 CPU s); the rule itself: test_coverage.py
def test_routes_keep_the_streets_the_tracks_missed_first(simulated, tmp_path):
    """Recent coverage into tomorrow's plan: with the coverage.json of the day before, the
    streets a short shift leaves out are, among the same grade, the ones walked as required."""
    out, *_ = simulated
    coverage = out / f"coverage_{GRID}.json"
    from geodata.tracks import read_coverage
    from gridplan.coverage import street_priority_from

    missed = street_priority_from(read_coverage(coverage), day=datetime(2026, 11, 26).date(),
                                  shift="08:00-09:00")
    assert any(v == 1.0 for v in missed.values()) and any(v == 0.0 for v in missed.values())
    plain = _routes(tmp_path / "plain")
    fed = _routes(tmp_path / "fed", "--coverage", str(coverage))

    def left_out_missed(plan):
        by_id = {str(k): v for k, v in missed.items()}
        return sum(by_id.get(u["street_id"], 0.0) * u["length_m"] for u in plan["uncovered"])

    assert left_out_missed(fed) < left_out_missed(plain)


def test_routes_refuse_a_coverage_file_of_another_kind(simulated, tmp_path):
    out, *_ = simulated
    wrong = tmp_path / "plan.json"
    wrong.write_text(json.dumps({"start": "2026-11-25T08:00:00+08:00"}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["routes", "--grid", GRID, "--coverage", str(wrong),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2 and "traceback" not in result.output.lower()
    assert "streets" in result.output and "passes" in result.output
    assert "gridplan tracks" in result.output
