"""plan_grid on small lattices: validity, bounds, determinism, both sides, shift fit, bad input."""

from __future__ import annotations

from collections import Counter
from datetime import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from gridplan.errors import InfeasibleError, InvalidInputError
from gridplan.model import Grid, KeyPoint
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import OVER_SHIFT, UNREACHABLE_DRIVE, plan_grid
from tests.routing.plan_data import X0, Y0, lattice, shift, whole_grid

FAST = dict(time_limit_s=60.0, max_iterations=40)  # the iteration limit binds: deterministic


def _same(a, b) -> bool:
    da, db = a.to_dict(), b.to_dict()
    da.pop("runtime_s"), db.pop("runtime_s")
    return da == db


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(2, 4), cols=st.integers(2, 4), k=st.integers(1, 3),
       seed=st.integers(0, 50))
def test_random_lattices_give_valid_plans_above_their_bound(rows, cols, k, seed):
    net = lattice(rows, cols, seed=seed, grades=(1, 2, 3))
    params = PatrolParams(seed=seed, **FAST)
    plan = plan_grid(net, whole_grid(net), officers=k, shift=shift(8, 20), params=params)
    assert plan.problems(net.graph) == []
    assert plan.coverage == 1.0 and not plan.uncovered
    assert plan.longest_min >= plan.lower_bound_min - 1e-6
    for route in plan.routes:
        if route.steps:
            assert route.steps[0].u == plan.station_node == route.steps[-1].v
    assert _same(plan, plan_grid(net, whole_grid(net), officers=k, shift=shift(8, 20),
                                 params=params))


def test_both_sides_streets_are_served_twice_and_others_once():
    net = lattice(3, 3, seed=1, grades=(2, 3))
    plan = plan_grid(net, whole_grid(net), officers=2, shift=shift(8, 20),
                     params=PatrolParams(**FAST))
    grades = {d["street_id"]: d["grade"] for *_, d in net.graph.edges(data=True)}
    for sid, need in plan.required.items():
        assert need == (2 if grades[sid] == 2 else 1)
        assert plan.served[sid] >= need
    assert plan.is_valid(net.graph)


def test_one_officer_on_foot_is_the_exact_postman():
    net = lattice(3, 4, seed=2, grades=(3,))
    plan = plan_grid(net, whole_grid(net), officers=1, shift=shift(8, 20))
    assert plan.method.startswith("postman")
    assert plan.gap < 1e-3  # exact up to the T-join's integer rounding of minutes


def test_a_short_shift_leaves_out_low_priority_streets_by_name():
    net = lattice(4, 4, seed=3, grades=(1, 3))
    plan = plan_grid(net, whole_grid(net), officers=1, shift=shift(8, 9),
                     params=PatrolParams(**FAST))
    assert plan.uncovered and all(u.reason == OVER_SHIFT for u in plan.uncovered)
    assert {u["reason_code"] for u in plan.to_dict()["uncovered"]} == {"over_shift"}
    assert plan.longest_min <= 60 + 1e-6
    assert plan.is_valid(net.graph) and plan.coverage < 1
    # every street's first pass outranks later passes (second side, 一日双巡), then grade
    fully_dropped = [u for u in plan.uncovered if u.passes_missing == plan.required[u.street_id]]
    partly_dropped = [u for u in plan.uncovered if u.passes_missing < plan.required[u.street_id]]
    assert not (fully_dropped and partly_dropped and any(
        plan.served[u.street_id] > 1 for u in partly_dropped))
    grades = Counter(u.grade for u in fully_dropped)
    assert not grades[1] or not any(plan.served[s] for s, n in plan.required.items()
                                    if n == 1)  # grade-3 streets (one pass) go first
    assert plan.officers_needed is None or plan.officers_needed > 1


def test_key_point_street_becomes_required_and_window_is_checked():
    net = lattice(3, 3, seed=4, grades=(4,))  # grade 4: weekly, maybe not due today
    kp = KeyPoint("K1", Point(X0 + 150, Y0 + 203), 10.0, (time(8, 0), time(8, 20)), "校门")
    plan = plan_grid(net, whole_grid(net), officers=1, shift=shift(), key_points=[kp],
                     params=PatrolParams(**FAST))
    visit = plan.key_points[0]
    assert visit.street_id in plan.required and plan.served[visit.street_id] >= 1
    assert visit.on_time and visit.arrival is not None
    assert plan.routes[0].dwell_min == pytest.approx(10.0)
    late = KeyPoint("K2", Point(X0 + 150, Y0 + 203), 5.0, (time(7, 0), time(7, 30)), "早市")
    missed = plan_grid(net, whole_grid(net), officers=1, shift=shift(), key_points=[late],
                       params=PatrolParams(**FAST)).key_points[0]
    assert not missed.on_time and "after the window closes" in missed.missed


def test_key_point_window_repair_moves_the_street():
    net = lattice(3, 6, seed=5, grades=(3,))
    far = Point(X0 + 450, Y0 + 203)  # far side of the grid, window at the shift start
    kp = KeyPoint("K1", far, 0.0, (time(8, 0), time(8, 12)), "菜场")
    plan = plan_grid(net, whole_grid(net), officers=1, shift=shift(), key_points=[kp],
                     params=PatrolParams(**FAST))
    visit = plan.key_points[0]
    assert visit.on_time, plan.summary()
    assert plan.is_valid(net.graph)


def test_drive_mode_lists_one_way_dead_ends_as_uncovered():
    one_way = {((0, 2), (1, 2)), ((1, 2), (2, 2))}  # (2,2) is a corner: in via one way only
    net = lattice(3, 3, seed=6, grades=(3,), mode="drive", one_way=one_way)
    net.graph.remove_edge((2, 2), (2, 1))  # only way out of the corner gone
    plan = plan_grid(net, whole_grid(net), officers=2, shift=shift(8, 20),
                     params=PatrolParams(**FAST))
    assert any(u.reason == UNREACHABLE_DRIVE for u in plan.uncovered)
    assert plan.is_valid(net.graph)


def test_bad_inputs_are_refused_with_a_fix():
    net = lattice(3, 3, seed=7)
    grid = whole_grid(net)
    with pytest.raises(InvalidInputError, match="no officers"):
        plan_grid(net, grid, officers=0, shift=shift())
    empty = Grid("G0", box(0, 0, 10, 10), "310101", station=Point(5, 5))
    with pytest.raises(InvalidInputError, match="no streets"):
        plan_grid(net, empty, officers=1, shift=shift())
    far = whole_grid(net, station=Point(X0 - 2000, Y0))
    with pytest.raises(InfeasibleError, match="off the street network") as info:
        plan_grid(net, far, officers=1, shift=shift())
    assert "2000 m" in str(info.value) or "m away" in str(info.value)
    tiny = lattice(2, 2, spacing_m=3000.0, seed=8, grades=(3,))
    with pytest.raises(InfeasibleError, match="too short for any street"):
        plan_grid(tiny, whole_grid(tiny), officers=1, shift=shift(8, 9))


def test_station_snap_distance_is_reported():
    net = lattice(3, 3, seed=9, grades=(3,))
    plan = plan_grid(net, whole_grid(net, station=Point(X0 + 30, Y0 + 40)), officers=1,
                     shift=shift())
    assert plan.station_snap_m == pytest.approx(50.0)


def test_the_start_is_said_once_and_truly_with_or_without_a_station():
    """A grid with no station starts nearest its centre: the summary says that, never that a
    station snapped (the two used to stand side by side)."""
    net = lattice(3, 3, seed=9, grades=(3,))
    bare = whole_grid(net)
    bare = Grid(bare.code, bare.geometry, bare.parent_code)  # no station
    plan = plan_grid(net, bare, officers=1, shift=shift())
    text = plan.summary(lang="en")
    assert "station snapped" not in text
    assert text.count("no station given") == 1 and "grid's centre" in text
    assert plan.to_dict()["station_given"] is False
    with_station = plan_grid(net, whole_grid(net, station=Point(X0 + 30, Y0 + 40)), officers=1,
                             shift=shift())
    assert "station snapped 50 m" in with_station.summary(lang="en")
    assert "no station" not in with_station.summary(lang="en")
    assert with_station.to_dict()["station_given"] is True


def test_streets_missed_lately_are_kept_first_when_the_shift_is_short():
    """Recent coverage into the next plan: a street the tracks say nobody walked (missed share
    1) outranks the same grade's streets walked as required, so a short shift keeps it."""
    net = lattice(6, 6, seed=3, grades=(3,))
    plain = plan_grid(net, whole_grid(net), officers=1, shift=shift(8, 9),
                      params=PatrolParams(**FAST))
    left_out = [u.street_id for u in plain.uncovered if u.passes_missing ==
                plain.required[u.street_id]]
    assert left_out
    missed = {sid: 1.0 for sid in left_out[:5]}
    again = plan_grid(net, whole_grid(net), officers=1, shift=shift(8, 9),
                      params=PatrolParams(**FAST), street_priority=missed)
    assert again.is_valid(net.graph)
    kept = [sid for sid in missed if again.served[sid] > 0]
    assert len(kept) >= 4  # (the odd one may still not fit the shift's walk)
    still_left = {u.street_id for u in again.uncovered}
    assert still_left - set(missed)  # others of the same grade gave way
