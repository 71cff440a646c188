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
    assert by_period.loc["night", "cause"] == "not rostered"  # nobody on duty at night
    assert by_period.loc["day", "cause"] == "partly rostered"  # 08–16 of 06–20
    assert by_period.loc["weekend", "cause"] == "partly rostered"
    night_km = report.blind_spots.query("period == 'night'")["length_m"].sum() / 1000
    assert by_period.loc["night", "street_km"] == pytest.approx(night_km, abs=1e-3)
    assert 0 < by_period.loc["day", "street_km"] < night_km  # half the plan was walked
    around_the_clock = observed_blind_spots(report, {code: _on_duty(range(24))})
    assert set(around_the_clock.rows["cause"]) == {"rostered, not walked"}
    unknown = observed_blind_spots(report, {})
    assert set(unknown.rows["cause"]) == {"grid not in the roster"}
    assert any("近 7 个夜间未到" in line for line in days_only.lines())


def test_the_saved_coverage_gives_the_same_and_a_wrong_file_is_reported(report):
    code = report.streets["grid"].iloc[0]
    roster = {code: _on_duty(range(8, 20))}
    saved = json.loads(json.dumps(report.to_dict()))
    direct = observed_blind_spots(report, roster).to_dict()
    assert observed_blind_spots(saved, roster).to_dict() == direct
    assert json.loads(json.dumps(direct)) == direct
    with pytest.raises(InvalidInputError, match="coverage"):
        observed_blind_spots({"streets": []}, roster)
