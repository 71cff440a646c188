"""Observed blind spots (streets the tracks never reached) next to the roster's planned ones:
a night nobody is rostered for is a roster gap, a night officers are on duty and still do not
reach a street is a patrol gap."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gridplan.coverage import TrackParams, track_coverage
from gridplan.coverage.simulate import plan_tracks
from gridplan.errors import InvalidInputError
from gridplan.grids.observed import observed_blind_spots
from gridplan.grids.roster import ShiftType
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import plan_grid
from tests.routing.plan_data import lattice, shift, whole_grid


@pytest.fixture(scope="module")
def report():
    """Half of a day's plan walked (08:00–12:00): the rest of the streets is not reached in
    7 days, and no street at night or at a weekend."""
    net = lattice(3, 4, seed=3, grades=(2, 3))
    grid = whole_grid(net)
    plan = plan_grid(net, grid, officers=1, shift=shift(8, 12),
                     params=PatrolParams(max_iterations=10))
    points = plan_tracks(plan, sample_s=5, noise_m=0.0, seed=1, dropout_rate_per_h=0,
                         skip_share=0.5)
    return track_coverage(net, [grid], points, params=TrackParams(gps_sigma_m=3.0))


def _on_duty(hours: range) -> np.ndarray:
    week = np.zeros((7, 24), int)
    week[:, list(hours)] = 2
    return week


def test_each_observed_blind_spot_gets_its_cause_from_the_roster(report):
    code = report.streets["grid"].iloc[0]
    days_only = observed_blind_spots(report, {code: _on_duty(range(8, 16))})
    by_period = days_only.rows.set_index("period")
    assert by_period.loc["night", "cause"] == "not_rostered"  # nobody on duty at night
    assert by_period.loc["day", "cause"] == "partly_rostered"  # 08–16 of 06–20
    assert by_period.loc["weekend", "cause"] == "partly_rostered"
    night_km = report.blind_spots.query("period == 'night'")["length_m"].sum() / 1000
    assert by_period.loc["night", "street_km"] == pytest.approx(night_km, abs=1e-3)
    assert 0 < by_period.loc["day", "street_km"] < night_km  # half the plan was walked
    around_the_clock = observed_blind_spots(report, {code: _on_duty(range(24))})
    assert set(around_the_clock.rows["cause"]) == {"rostered_not_walked"}
    unknown = observed_blind_spots(report, {})
    assert set(unknown.rows["cause"]) == {"not_in_roster"}
    assert any("近 7 个夜间未到" in line and "— not rostered" in line
               for line in days_only.lines())


def test_the_calendar_marks_the_shifts_the_tracks_left_blind(report):
    """白 08–16 meets only day hours, 黑 18–02 night hours too: every night shift is blind by
    the night streets, Saturday's and Sunday's shifts by the weekend ones as well."""
    code = report.streets["grid"].iloc[0]
    shifts = (ShiftType("day", 8, 8), ShiftType("night", 18, 8))
    observed = observed_blind_spots(report, {code: _on_duty(range(8, 16))}, shifts=shifts)
    cells = observed.calendar.set_index(["day", "shift"])
    assert len(cells) == 14  # the day period: some street not reached at all, in every shift
    assert cells.loc[(0, "day"), "periods"] == ("day",)
    assert cells.loc[(0, "night"), "periods"] == ("day", "night")
    assert cells.loc[(6, "day"), "periods"] == ("day", "weekend")
    rows = observed.rows.set_index("period")["street_km"]
    assert cells.loc[(0, "day"), "street_km"] == rows["day"]
    # each street once: the night streets include the ones not reached at all
    assert cells.loc[(0, "night"), "street_km"] == pytest.approx(rows["night"], abs=1e-3)
    assert observed.to_dict()["calendar"][0]["periods"] == ["day"]
    table = observed.calendar_table(code)
    assert list(table.index) == ["day", "night"] and table.columns[0] == "周一"
    assert table.loc["day", "周一"] == f"{rows['day']:.1f}"
    walked_days = {**report.to_dict(), "blind_spots": [
        b for b in report.to_dict()["blind_spots"] if b["period"] != "day"]}
    nights_only = observed_blind_spots(walked_days, {}, shifts=shifts).calendar
    assert set(nights_only[nights_only["day"] < 5]["shift"]) == {"night"}


def test_several_coverages_one_per_grid(report):
    saved = json.loads(json.dumps(report.to_dict()))
    other = {"blind_spots": [dict(b, grid="G2") for b in saved["blind_spots"]]}
    code = str(report.streets["grid"].iloc[0])
    both = observed_blind_spots([saved, other], {code: _on_duty(range(24))})
    assert set(both.rows["grid"]) == {code, "G2"}
    unknown = both.to_dict()["rows"]  # G2 is in no roster: no share (None, not NaN)
    assert {r["rostered_share"] for r in unknown if r["grid"] == "G2"} == {None}
    assert {r["rostered_share"] for r in unknown if r["grid"] == code} == {1.0}
    assert all("roster unknown" in line for line in both.lines() if line.startswith("G2"))
    with pytest.raises(InvalidInputError, match="coverage") as twice:
        observed_blind_spots([saved, saved], {})
    assert "measure the grid's tracks together" in str(twice.value.problems)


def test_the_saved_coverage_gives_the_same_and_a_wrong_file_is_reported(report):
    code = report.streets["grid"].iloc[0]
    roster = {code: _on_duty(range(8, 20))}
    saved = json.loads(json.dumps(report.to_dict()))
    direct = observed_blind_spots(report, roster).to_dict()
    assert observed_blind_spots(saved, roster).to_dict() == direct
    assert json.loads(json.dumps(direct)) == direct
    with pytest.raises(InvalidInputError, match="coverage"):
        observed_blind_spots({"streets": []}, roster)
