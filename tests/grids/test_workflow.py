"""The planner's workflow on a real 1.1 km window of central Shanghai (tests/data/grids)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.synthetic import synthetic_incidents
from gridplan.errors import InfeasibleError, InvalidInputError
from gridplan.grids import (
    RosterParams,
    ShiftType,
    StaffingParams,
    current_layout,
    planning_units,
    reading_order,
    redesign,
    unit_adjacency,
)
from gridplan.grids.workflow import NO_GRID_PREFIX, _largest_remainder, grid_graph
from tests.grids.units_helpers import jurisdictions, shanghai_network


@pytest.fixture(scope="module")
def net():
    return shanghai_network()


@pytest.fixture(scope="module")
def incidents(net):
    return synthetic_incidents(net, n=400, weeks=4, seed=7)


@pytest.fixture(scope="module")
def units(net, incidents):
    return planning_units(net, jurisdictions(), incidents=incidents)


def strips(jur: gpd.GeoDataFrame, per_jurisdiction: int, *, keep_share: float = 1.0
           ) -> gpd.GeoDataFrame:
    """An invented 'today' layout: vertical strips of each jurisdiction; with keep_share < 1
    the eastern part of each jurisdiction is left outside every grid."""
    rows = []
    for _, j in jur.iterrows():
        x0, y0, x1, y1 = j.geometry.bounds
        x1 = x0 + (x1 - x0) * keep_share
        edges = np.linspace(x0, x1, per_jurisdiction + 1)
        for k in range(per_jurisdiction):
            piece = j.geometry.intersection(shapely.box(edges[k], y0, edges[k + 1], y1))
            if not piece.is_empty:
                rows.append({"code": f"{j.code}000000{k + 1:03d}", "parent_code": j.code,
                             "name": f"today {j.code}-{k + 1}", "enforcement": 4,
                             "sanitation": 2 + k, "municipal": 1, "greening": 1,
                             "geometry": piece})
    return gpd.GeoDataFrame(rows, crs=jur.crs)


@pytest.fixture(scope="module")
def today(units):
    return current_layout(units.units, units.adjacency, strips(jurisdictions(), 3))


@pytest.fixture(scope="module")
def result(units, today, net, incidents):
    return redesign(units.units, units.adjacency, n_grids=5, current=today, network=net,
                    incidents=incidents, seed=3)


# ---- today's layout ------------------------------------------------------------------------

def test_current_layout_puts_each_unit_in_the_grid_covering_most_of_it(units, today):
    layout = strips(jurisdictions(), 3).to_crs(units.units.crs)
    plan = today.plan
    assert len(plan.units) == len(units.units)
    for uid, row in plan.units.iterrows():
        shares = shapely.area(shapely.intersection(layout.geometry.values, row.geometry))
        assert today.keys[int(row["grid"])] == layout["code"].iloc[int(np.argmax(shares))], uid
    assert today.uncovered_units == ()
    assert today.enforcement_total == 4 * today.n_real_grids


def test_units_outside_every_grid_go_to_a_reported_no_grid_bucket(units):
    partial = strips(jurisdictions(), 2, keep_share=0.6)
    layout = current_layout(units.units, units.adjacency, partial)
    assert layout.uncovered_units
    buckets = {k for k in layout.keys.values() if k.startswith(NO_GRID_PREFIX)}
    assert buckets and layout.n_real_grids == len(partial)
    in_bucket = layout.plan.units.loc[list(layout.uncovered_units), "grid"]
    assert {layout.keys[int(g)] for g in in_bucket} <= buckets
    assert any("outside every grid" in w.found for w in layout.warnings)
    assert layout.staff.loc[sorted(buckets), "enforcement"].sum() == 0


# ---- the redesign --------------------------------------------------------------------------

def test_every_unit_in_exactly_one_grid_contiguous_and_nested(result, units):
    plan = result.proposed.plan
    assert list(plan.units.index) == list(units.units.index)
    assert plan.units["grid"].notna().all()
    assert plan.is_valid(), plan.problems()  # contiguous, or islands declared
    for _, part in plan.units.groupby("grid"):
        assert part["jurisdiction"].nunique() == 1
    assert result.is_valid(), result.problems()


def test_codes_unique_nested_and_in_reading_order(units, net):
    fresh = redesign(units.units, units.adjacency, n_grids=5, network=None, seed=3)
    plan = fresh.proposed.plan
    codes = list(plan.codes.values())
    assert len(set(codes)) == len(codes) == len(plan.grids)
    for jur, grids in plan.grids.groupby("jurisdiction"):
        parent = str(jur).ljust(12, "0")
        cent = shapely.centroid(grids.geometry.values)
        xy = np.column_stack([shapely.get_x(cent), shapely.get_y(cent)])
        height = float(np.sqrt(np.median(plan.grids["area_m2"])))
        order = grids.index[reading_order(xy, band_height_m=height)]
        assert [plan.codes[int(g)] for g in order] == [
            f"{parent}{k:03d}" for k in range(1, len(grids) + 1)]


def test_unchanged_grids_keep_their_code(units):
    one_each = current_layout(units.units, units.adjacency, strips(jurisdictions(), 1))
    again = redesign(units.units, units.adjacency, current=one_each, seed=0)
    # one grid per jurisdiction both times: identical unit sets, so the old codes survive
    assert sorted(again.proposed.plan.codes.values()) == sorted(
        strips(jurisdictions(), 1)["code"])
    assert again.comparison is not None and not again.comparison.changed_units


def test_same_seed_same_redesign(units, today, net, incidents, result):
    again = redesign(units.units, units.adjacency, n_grids=5, current=today, network=net,
                     incidents=incidents, seed=3)
    assert np.array_equal(again.proposed.plan.labels(), result.proposed.plan.labels())
    assert dict(again.proposed.plan.codes) == dict(result.proposed.plan.codes)
    assert dict(again.proposed.officers) == dict(result.proposed.officers)
    assert dict(again.proposed.roster.duties) == dict(result.proposed.roster.duties)
    assert again.summary() == result.summary()


def test_staffing_within_bounds_and_headcount(result, today):
    params = StaffingParams()
    officers = result.proposed.officers
    assert all(params.min_officers_per_grid <= n <= params.max_officers_per_grid
               for n in officers.values())
    assert sum(officers.values()) <= today.enforcement_total == result.proposed.headcount
    assert set(officers) == set(result.proposed.plan.codes.values())


def test_roster_meets_targets_day_and_night_weekdays_and_weekends(result):
    roster = result.proposed.roster
    assert roster.meets_targets() and not roster.problems()
    for key in result.proposed.officers:
        table = roster.on_duty(key)  # (7 days, day/night)
        assert (table >= 1).all(), key  # 5+2 and 白+黑


def test_ab_pairs_join_adjacent_grids_and_cover_every_grid(result):
    graph = grid_graph(result.proposed.plan, result.proposed.keys)
    assert not result.proposed.ab.problems(graph)


def test_stations_lie_in_their_grid(result):
    plan = result.proposed.plan
    for g, geom in plan.grids.geometry.items():
        xy = result.proposed.station_xy(result.proposed.keys[int(g)])
        assert xy is not None and geom.buffer(1.0).covers(shapely.Point(xy))


def test_other_staff_carried_over_with_totals_kept(result, today):
    for role in ("sanitation", "municipal", "greening"):
        assert result.other_staff[role].sum() == today.staff[role].sum()
        assert (result.other_staff[role] >= 0).all()


def test_comparison_has_the_planner_measures(result):
    table = result.comparison.table
    for row in ("max_min_ratio", "max_dev_from_mean", "polsby_popper_mean", "staff_needed",
                "blind_spots", "boundary_length_m", "units_changed_grid"):
        assert row in table.index
    assert table.at["units_changed_grid", "b"] == len(result.comparison.changed_units)


def test_blind_spot_share_counts_incidents_in_unstaffed_hours(units, net):
    # default shifts 08–16 and 18–02 leave 02–08 uncovered: 03:00 incidents are all blind
    pts = shapely.point_on_surface(units.units.geometry.values[:6])
    times = pd.to_datetime(["2026-09-01 03:10"] * 3 + ["2026-09-01 10:00"] * 3).tz_localize(
        "Asia/Shanghai")
    frame = gpd.GeoDataFrame({"time": times, "event_class": ["市容环境"] * 6}, geometry=pts,
                             crs=units.units.crs)
    r = redesign(units.units, units.adjacency, n_grids=3, incidents=frame, seed=1)
    assert r.proposed.uncovered_share == pytest.approx(0.5)
    assert r.proposed.blind_spots.lines()[0].startswith("每天 02:00–08:00")


def test_target_workload_sets_the_grid_count(units):
    total = units.units["workload_h"].sum()
    r = redesign(units.units, units.adjacency, target_workload_h=total / 4, seed=0)
    assert len(r.proposed.plan.grids) >= 4


# ---- bad input -----------------------------------------------------------------------------

def test_more_grids_than_units_is_refused_before_any_work(units):
    with pytest.raises(InvalidInputError, match="not usable") as err:
        redesign(units.units, units.adjacency, n_grids=len(units.units) + 1)
    assert "number of units" in err.value.problems[0].expected


def test_headcount_below_grids_times_minimum_is_infeasible(units):
    with pytest.raises(InfeasibleError) as err:
        redesign(units.units, units.adjacency, n_grids=5, headcount=14)
    assert "5 grids × 3 minimum" in err.value.problems[0].expected
    assert "add 1 officers" in err.value.problems[0].fix


def test_both_request_problems_reported_at_once(units):
    with pytest.raises(InvalidInputError) as err:
        redesign(units.units, units.adjacency, n_grids=len(units.units) + 1, headcount=1)
    assert {p.where for p in err.value.problems} == {"n_grids", "headcount"}


def test_jurisdiction_with_no_streets_is_a_clear_error(net):
    jur = jurisdictions()
    far = gpd.GeoDataFrame({"code": ["330902"], "name": ["far"]},
                           geometry=[shapely.box(0, 0, 500, 500)], crs=jur.crs)
    with pytest.raises(InvalidInputError) as err:
        planning_units(net, pd.concat([jur, far], ignore_index=True))
    assert [p.where for p in err.value.problems] == ["jurisdiction 330902"]


def test_a_small_roster_that_cannot_meet_targets_is_reported_not_hidden(units):
    three_shifts = RosterParams(
        shifts=(ShiftType("early", 0, 8), ShiftType("day", 8, 8), ShiftType("late", 16, 8)),
        weekday_targets={"early": 1, "day": 1, "late": 1},
        weekend_targets={"early": 1, "day": 1, "late": 1})
    r = redesign(units.units, units.adjacency, n_grids=2, headcount=6, roster_params=three_shifts,
                 seed=0)  # 3 officers × 5 shifts < 21 shifts a week
    assert not r.proposed.roster.meets_targets()
    assert any(p.source == "roster" for p in r.problems())


# ---- islands (an archipelago like Zhoushan) ------------------------------------------------

def archipelago(*, split: bool = False) -> tuple[gpd.GeoDataFrame, object]:
    """Two 300 m islands 2 km apart, 100 m cells of 2 h/week each; one jurisdiction, or one
    jurisdiction per island with ``split``."""
    from gridplan.grids import square_cells

    west, east = shapely.box(0, 0, 300, 300), shapely.box(2300, 0, 2600, 300)
    if split:
        jur = gpd.GeoDataFrame({"code": ["330902", "330903"]}, geometry=[west, east],
                               crs="EPSG:32651")
    else:
        jur = gpd.GeoDataFrame({"code": ["330902"]}, geometry=[shapely.MultiPolygon([west, east])],
                               crs="EPSG:32651")
    cells = square_cells(jur)
    cells["workload_h"] = 2.0
    return cells, unit_adjacency(cells)


def test_island_units_are_allowed_and_reported():
    cells, adj = archipelago()
    one = redesign(cells, adj, n_grids=1, seed=0)
    assert one.is_valid(), one.problems()
    assert int(one.proposed.plan.units["island"].sum()) == 9  # one whole island, declared
    assert one.summary()["proposed"]["island_units"] == 9


def test_grids_on_separate_islands_have_no_ab_partner_and_say_so():
    cells, adj = archipelago(split=True)
    two = redesign(cells, adj, n_grids=2, seed=0)
    assert two.proposed.plan.is_valid()
    assert sorted(two.proposed.ab.islands) == sorted(two.proposed.plan.codes.values())
    assert len(two.summary()["proposed"]["ab_islands"]) == 2


def test_two_equal_islands_get_a_grid_each():
    cells, adj = archipelago()
    two = redesign(cells, adj, n_grids=2, seed=0)
    assert int(two.proposed.plan.units["island"].sum()) == 0


# ---- helpers -------------------------------------------------------------------------------

@given(st.lists(st.floats(0, 50, allow_nan=False), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_largest_remainder_keeps_the_total_and_rounds_each_share(quota):
    q = np.asarray(quota)
    total = int(round(q.sum()))
    out = _largest_remainder(q, total)
    assert out.sum() == total
    assert np.all(out >= np.floor(q + 1e-9)) and np.all(out <= np.floor(q + 1e-9) + 1)
