"""The routes workflow: a shift's place in the day, key points' grids, gaps, cancellation —
on lattices and on a second real city (Helsinki, raw PBF)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path

import pytest
from shapely.geometry import Point, box

from gridplan.errors import InvalidInputError
from gridplan.model import Grid, KeyPoint
from gridplan.progress import Cancelled
from gridplan.routing import PatrolParams, ShiftPattern, plan_grid, plan_routes, shift_on
from gridplan.routing.turns import U_TURN_DEG, Segment, merge_legs
from tests.routing.plan_data import TZ, X0, Y0, lattice, shift, whole_grid

HELSINKI = Path(__file__).parents[1] / "data" / "osm" / "Helsinki.osm.pbf"
DAY = date(2026, 11, 25)
FAST = {"time_limit_s": 30.0, "max_iterations": 10, "estimate_officers_needed": False}


def _grades(net):
    return {d["street_id"]: d["grade"] for *_, d in net.graph.edges(data=True)}


# ------------------------------------------------------------------------------ shift pattern
def test_a_shift_of_no_length_is_refused_not_a_whole_day():
    with pytest.raises(InvalidInputError, match="no length"):
        shift_on(DAY, "08:00-08:00")
    with pytest.raises(InvalidInputError, match="overlap"):
        ShiftPattern.parse("早=08:00-12:00,午=11:00-14:00")
    assert shift_on(DAY, "20:00-02:00").minutes == 360


def test_the_morning_shift_of_a_day_night_pattern_gets_one_pass_of_a_twice_daily_street():
    net = lattice(3, 3, seed=12, grades=(1, 2))
    grades = _grades(net)
    params = PatrolParams(**FAST)
    alone = plan_grid(net, whole_grid(net), officers=2, shift=shift(8, 12), params=params)
    morning = plan_grid(net, whole_grid(net), officers=2, shift=shift(8, 12),
                        pattern="day+night", params=params)
    night = plan_grid(net, whole_grid(net), officers=2, shift=shift(19, 23),
                      pattern="day+night", params=params)
    for sid, grade in grades.items():  # grades 1 and 2 are patrolled on both sides
        if grade == 1:
            assert alone.required[sid] == 4  # the shift is the whole day: twice, both sides
            assert morning.required[sid] == night.required[sid] == 2
        else:
            assert morning.required[sid] == 2 and sid not in night.required
    assert morning.day_part == "白" and night.day_part == "黑" and night.shifts_today == 2
    assert "白, 1 of 2 shifts of the day" in morning.summary()
    day = Counter(morning.required) + Counter(night.required)
    assert day == Counter(alone.required)  # the day's passes, shared out, not repeated


def test_a_shift_outside_the_pattern_is_refused():
    net = lattice(2, 2, seed=1)
    with pytest.raises(InvalidInputError, match="outside the day's pattern"):
        plan_grid(net, whole_grid(net), officers=1, shift=shift(8, 12),
                  pattern="夜=20:00-23:00")


# ------------------------------------------------------------------------------ key points
def _two_grids(net):
    west = Grid("W", box(X0 - 10, Y0 - 10, X0 + 150, Y0 + 210), "310101",
                station=Point(X0, Y0), staff={"enforcement": 1})
    east = Grid("E", box(X0 + 150, Y0 - 10, X0 + 310, Y0 + 210), "310101",
                station=Point(X0 + 300, Y0), staff={"enforcement": 1})
    return [west, east]


def test_each_key_point_is_visited_by_its_own_grid_only():
    net = lattice(3, 4, seed=5, grades=(3,))
    grids = _two_grids(net)
    kps = [KeyPoint("in-west", Point(X0 + 50, Y0 + 100), 5.0),
           KeyPoint("in-east", Point(X0 + 250, Y0 + 100), 5.0),
           KeyPoint("named", Point(X0 + 250, Y0 + 200), 5.0, grid_code="W")]
    result = plan_routes(net, grids, shift="08:00-12:00", day=DAY, key_points=kps,
                         params=PatrolParams(**FAST))
    seen = {p.grid_code: sorted(k.id for k in p.key_points) for p in result.plans}
    assert seen == {"W": ["in-west", "named"], "E": ["in-east"]}
    assert all(k.officer == "A" and k.arrival is not None for p in result.plans
               for k in p.key_points)


def test_a_key_point_outside_every_grid_is_one_clear_error():
    net = lattice(3, 4, seed=5, grades=(3,))
    kps = [KeyPoint("far", Point(X0 + 5000, Y0)), KeyPoint("typo", Point(X0, Y0), grid_code="Q")]
    with pytest.raises(InvalidInputError) as info:
        plan_routes(net, _two_grids(net), shift="08:00-12:00", day=DAY, key_points=kps)
    text = str(info.value)
    assert "far" in text and "outside every grid" in text and "'Q'" in text


def test_waiting_for_a_window_is_not_counted_in_the_gap():
    net = lattice(3, 3, seed=3, grades=(3,))
    late = KeyPoint("K", Point(X0 + 100, Y0 + 100), 5.0, (clock(11, 0), clock(11, 30)))
    plan = plan_grid(net, whole_grid(net), officers=1, shift=shift(8, 12), key_points=[late],
                     params=PatrolParams(**FAST))
    (visit,) = plan.key_points
    assert visit.on_time and visit.wait_min > 30
    route = plan.routes[0]
    assert plan.longest_min - plan.longest_work_min == pytest.approx(route.wait_min)
    assert plan.gap == pytest.approx(plan.longest_work_min / plan.lower_bound_min - 1, abs=1e-9)
    assert plan.gap < 0.5 and plan.is_valid(net.graph)


# ------------------------------------------------------------------------------ progress, cancel
def test_progress_rises_to_the_end_and_a_cancel_stops_planning():
    net = lattice(3, 3, seed=2)
    heard: list[float] = []
    plan_routes(net, [whole_grid(net)], shift="08:00-12:00", day=DAY, officers=2,
                params=PatrolParams(**FAST), progress=lambda f, m: heard.append(f))
    assert heard == sorted(heard) and heard[-1] == 1.0
    with pytest.raises(Cancelled):
        plan_routes(net, [whole_grid(net)], shift="08:00-12:00", day=DAY, officers=2,
                    params=PatrolParams(**FAST), should_cancel=lambda: True)


def test_a_cancel_during_a_long_search_stops_within_two_seconds():
    net = lattice(6, 6, seed=4)
    flag = threading.Event()
    threading.Timer(1.0, flag.set).start()
    began = time.perf_counter()
    with pytest.raises(Cancelled):
        plan_grid(net, whole_grid(net), officers=3, shift=shift(8, 20),
                  params=PatrolParams(max_iterations=100_000, time_limit_s=600),
                  should_cancel=flag.is_set)
    assert time.perf_counter() - began < 1.0 + 2.0


# ------------------------------------------------------------------------------ Helsinki
@pytest.fixture(scope="module")
def helsinki():
    from geodata.osm import load_network

    net = load_network(HELSINKI, mode="walk", use_cache=False)
    cx, cy = 385_950.0, 6_672_300.0
    grid = Grid("HEL-1", box(cx - 200, cy - 200, cx + 200, cy + 200), "HEL",
                station=Point(cx, cy), staff={"enforcement": 1})
    return net, grid


def test_helsinki_day_and_night_share_the_day_and_directions_never_double_back(helsinki):
    net, grid = helsinki
    result = plan_routes(net, [grid], shift=None, day=DAY, tz="Europe/Helsinki",
                         pattern="day+night", params=PatrolParams(**FAST))
    day, night = result.plans
    assert (day.shift.start, night.shift.start) == (
        datetime(2026, 11, 25, 6, tzinfo=day.shift.start.tzinfo),
        datetime(2026, 11, 25, 18, tzinfo=day.shift.start.tzinfo))
    assert str(day.shift.start.tzinfo) == "Europe/Helsinki"
    assert result.stem(day) == "HEL-1_白" and result.is_valid(net.graph)
    grade = {d["street_id"]: d["grade"] for *_, d in net.graph.edges(data=True)}
    for sid, n in night.required.items():  # only 一日双巡 streets come back at night
        assert grade[sid] == 1 and n == day.required[sid]
    for plan in result.plans:
        for route in plan.routes:
            legs = merge_legs(Segment(s.name, s.deadhead, s.length_m, list(s.geometry.coords))
                              for s in route.steps)
            assert sum(leg.length_m for leg in legs) == pytest.approx(route.length_m)
            for leg in legs:
                assert not _doubles_back(leg.coords)


def _doubles_back(coords, *, ignore_below_m: float = 2.0) -> bool:
    """True when the line turns back on itself; pieces under ``ignore_below_m`` are skipped
    (OSM ways hold metre-long digitising spikes no walker follows)."""
    import math

    bearings = [math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
                for a, b in zip(coords, coords[1:], strict=False)
                if math.dist(a, b) >= ignore_below_m]
    return any(abs((b - a + 180) % 360 - 180) > U_TURN_DEG
               for a, b in zip(bearings, bearings[1:], strict=False))


_ = TZ  # the lattice fixtures' zone (Asia/Shanghai) is the default of every shift here


def test_the_policy_grades_are_the_network_grades():
    from gridplan.network import GRADES
    from gridplan.routing import params

    assert params.GRADES == GRADES
