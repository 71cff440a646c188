"""Coverage reports from (simulated) tracks: passes, grades, officers, key points, plan against
actual, 盲区 and the priority input of the next plan."""

from __future__ import annotations

import json
from datetime import time, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from gridplan.coverage import (
    PlannedRoute,
    TrackParams,
    missed_share,
    planned_routes,
    street_priority_from,
    track_coverage,
)
from gridplan.coverage.simulate import plan_tracks
from gridplan.errors import InvalidInputError
from gridplan.model import KeyPoint
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import plan_grid
from tests.routing.plan_data import lattice, shift, whole_grid

EXACT = TrackParams(gps_sigma_m=3.0)


@pytest.fixture(scope="module")
def planned():
    net = lattice(3, 4, seed=3, grades=(2, 3))
    grid = whole_grid(net)
    plan = plan_grid(net, grid, officers=2, shift=shift(8, 12),
                     params=PatrolParams(max_iterations=20))
    return net, grid, plan


def test_walking_the_plan_covers_every_required_pass(planned):
    net, grid, plan = planned
    points = plan_tracks(plan, sample_s=5, noise_m=0.0, seed=1, dropout_rate_per_h=0)
    report = track_coverage(net, [grid], points, plan=planned_routes(plan), params=EXACT,
                            simulated=True)
    passes = report.passes.groupby("street_id").size()
    for sid, need in plan.required.items():
        assert passes.get(sid, 0) >= need
    day = report.by_grade[report.by_grade["period"] == "day"]
    assert day["done_km"].sum() == pytest.approx(day["required_km"].sum())
    assert (report.plan_routes["skipped_km"] == 0).all()
    assert (report.plan_routes["off_plan_km"] == 0).all()
    assert (report.by_officer["outside_grid_min"] == 0).all()
    assert "SIMULATED" in report.summary()
    data = report.to_dict()
    assert data["simulated"] is True
    assert json.loads(json.dumps(data)) == data  # plain JSON, as the service stores it


def test_stopping_early_skips_the_rest_of_the_route(planned):
    net, grid, plan = planned
    points = plan_tracks(plan, sample_s=5, noise_m=0.0, seed=1, dropout_rate_per_h=0,
                         skip_share=0.5)
    report = track_coverage(net, [grid], points, plan=planned_routes(plan), params=EXACT)
    assert (report.plan_routes["skipped_km"] > 0).all()
    skipped = set(report.plan_streets.loc[report.plan_streets["status"] == "skipped",
                                          "street_id"])
    missed = missed_share(report, before=plan.shift.end + timedelta(hours=1))
    assert all(missed[int(s)] > 0 for s in skipped)
    assert all(0.0 <= v <= 1.0 for v in missed.values())


def test_officers_are_paired_with_routes_by_overlap_when_names_differ(planned):
    net, grid, plan = planned
    points = plan_tracks(plan, sample_s=5, noise_m=0.0, seed=1, dropout_rate_per_h=0)
    points["officer"] = points["officer"].map({"A": "王五", "B": "赵六"})
    report = track_coverage(net, [grid], points, plan=planned_routes(plan), params=EXACT)
    pairs = dict(zip(report.plan_routes["route"], report.plan_routes["officer"], strict=True))
    assert pairs == {"A": "王五", "B": "赵六"}


def test_key_points_windows_dwell_and_blind_spots(planned):
    net, grid, plan = planned
    start = plan.shift.start
    here = Point(350_100.0, 3_450_100.0)
    stay = [start + timedelta(minutes=m) for m in range(0, 11)]  # 10 minutes at the point
    points = gpd.GeoDataFrame({"officer": "A", "time": stay}, geometry=[here] * len(stay),
                              crs=net.crs)
    kps = [("G1", KeyPoint("gate", here, dwell_minutes=5, window=(time(7, 55), time(8, 30)))),
           ("G1", KeyPoint("late", here, dwell_minutes=5, window=(time(9, 0), time(9, 30)))),
           ("G1", KeyPoint("far", Point(350_300.0, 3_450_200.0), dwell_minutes=0))]
    report = track_coverage(net, [grid], points, key_points=kps, params=EXACT)
    ok = report.key_points.groupby("id")["ok"].any()
    assert ok.to_dict() == {"far": False, "gate": True, "late": False}
    gate = report.key_points[report.key_points["id"] == "gate"].iloc[0]
    assert gate["dwell_min"] == pytest.approx(10.0)
    blind = report.blind_spots
    assert set(blind.loc[blind["kind"] == "key point", "id"]) == {"far", "late", "gate"}
    nights = blind[blind["not_reached_in"].str.contains("nights")]
    assert "gate" in set(nights["id"]) and len(nights[nights["kind"] == "street"]) == len(
        report.streets)


def test_time_outside_the_grid(planned):
    net, grid, plan = planned
    start = plan.shift.start
    inside, outside = Point(350_100.0, 3_450_000.0), Point(350_100.0, 3_449_000.0)
    times = [start + timedelta(minutes=m) for m in range(6)]
    geoms = [inside, inside, inside, outside, outside, inside]
    points = gpd.GeoDataFrame({"officer": "A", "time": times}, geometry=geoms, crs=net.crs)
    report = track_coverage(net, [grid], points, params=EXACT)
    assert report.by_officer["outside_grid_min"].sum() == pytest.approx(2.0)


def test_flagged_points_are_left_out_and_counted(planned):
    net, grid, plan = planned
    points = plan_tracks(plan, sample_s=10, noise_m=0.0, seed=1, dropout_rate_per_h=0)
    points["flag"] = ""
    points.loc[points.index[::7], "flag"] = "jump"
    report = track_coverage(net, [grid], points, params=EXACT)
    assert report.points_flagged == len(points.index[::7])
    assert np.isclose(report.points, len(points))


def test_a_route_with_no_track_is_all_skipped(planned):
    net, grid, plan = planned
    points = plan_tracks(plan, sample_s=5, noise_m=0.0, seed=1, dropout_rate_per_h=0)
    points = points[points["officer"] == "A"]
    routes = [*planned_routes(plan), PlannedRoute("C", frozenset({"0"}))]
    report = track_coverage(net, [grid], points, plan=routes, params=EXACT)
    c = report.plan_routes.set_index("route").loc["C"]
    assert c["on_plan_km"] == 0 and c["skipped_km"] > 0
    assert isinstance(report.plan_routes, pd.DataFrame)


def test_priority_reads_the_same_from_the_saved_report(planned):
    """coverage.json (the report's to_dict through JSON) gives the planner the same priorities
    as the report itself; the lookback is clipped to the days the tracks cover."""
    net, grid, plan = planned
    points = plan_tracks(plan, sample_s=5, noise_m=0.0, seed=1, dropout_rate_per_h=0,
                         skip_share=0.5)
    report = track_coverage(net, [grid], points, params=EXACT)
    saved = json.loads(json.dumps(report.to_dict()))
    before = plan.shift.start + timedelta(days=1)
    direct = missed_share(report, before=before)
    assert missed_share(saved, before=before) == direct
    assert max(direct.values()) == 1.0 and min(direct.values()) == 0.0  # one day asked, not 7
    later = street_priority_from(saved, day=(before + timedelta(days=30)).date(),
                                 shift="08:00-10:00")
    assert set(later.values()) == {0.0}  # tracks a month old say nothing about this week
    night = street_priority_from(saved, day=before.date(), shift=None, pattern="day+night")
    assert night == street_priority_from(saved, day=before.date(), shift="06:00-18:00")
    with pytest.raises(InvalidInputError, match="which shift"):
        street_priority_from(saved, day=before.date(), shift=None)
    with pytest.raises(InvalidInputError) as bad:
        missed_share({"start": saved["start"]}, before=before)
    assert {p.where for p in bad.value.problems} == {"streets", "passes", "end"}


def test_matched_positions_wobbling_back_within_the_noise_are_one_pass():
    from gridplan.coverage import StreetIndex, TrackParams
    from gridplan.coverage.matcher import MatchedTrack
    from gridplan.coverage.passes import passes_frame, pieces_frame
    from tests.tracks.lattices import random_lattice

    index = StreetIndex(random_lattice(2, 2, seed=0, spacing_m=200.0, jitter_m=0.0,
                                       drop_share=0.0))
    # along a 200 m street, back 35 m (more than turn_back_m, less than 3 σ of 15 m), on
    pieces = np.array([(0, 0.0, 100.0, 0.0, 77.0), (0, 100.0, 65.0, 77.0, 104.0),
                       (0, 65.0, 200.0, 104.0, 208.0)])

    def passes(sigma_m: float) -> int:
        empty = np.zeros(0)
        m = MatchedTrack("A", empty, empty, empty, empty, pieces, sigma_m)
        return len(passes_frame(index, pieces_frame(index, {"A": m}, tz="UTC"), TrackParams()))

    assert passes(15.0) == 1  # jitter of a 15 m-noise track: one walk along the street
    assert passes(3.0) == 0  # a precise track really turned back twice: no leg covers 80 %
