"""Frequencies (passes per shift, week plan), parameters, turn lists, day plans."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from gridplan.routing.frequency import (
    CycleStreet,
    assign_days,
    cycle_day,
    min_max_partition,
    shift_passes,
)
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import day_plan, streets_by_day, week_plan
from gridplan.routing.turns import Segment, turn_lines
from tests.routing.plan_data import lattice, shift, whole_grid


@given(st.lists(st.floats(0, 100), min_size=1, max_size=7), st.integers(1, 4))
def test_min_max_partition_is_optimal(weights, parts):
    cuts = min_max_partition(weights, parts)
    assert cuts[0] == 0 and cuts[-1] == len(weights) and cuts == sorted(cuts)

    def largest(c):
        return max(sum(weights[a:b]) for a, b in itertools.pairwise(c))

    brute = min(largest([0, *inner, len(weights)])
                for inner in itertools.combinations_with_replacement(range(len(weights) + 1),
                                                                     parts - 1))
    assert largest(cuts) == pytest.approx(brute)


def test_shift_passes_share_out_daily_frequencies():
    assert [shift_passes(2, shift_rank=r, shifts_today=2) for r in (0, 1)] == [1, 1]
    assert [shift_passes(1, shift_rank=r, shifts_today=2) for r in (0, 1)] == [1, 0]
    assert shift_passes(2, shift_rank=0, shifts_today=1) == 2
    assert [shift_passes(3, shift_rank=r, shifts_today=2) for r in (0, 1)] == [2, 1]


def test_week_plan_puts_each_weekly_street_on_exactly_one_day():
    streets = [CycleStreet(i, 5.0 + i % 3, float(i % 5), float(i // 5), 7) for i in range(30)]
    plan = assign_days(streets, origin=(2.0, 2.0))
    monday = date(2026, 11, 23)
    assert cycle_day(monday, 7) == 0
    days = Counter(s for d in range(7) for s in plan.streets_on(monday + timedelta(days=d)))
    assert set(days) == set(range(30)) and set(days.values()) == {1}
    assert plan.imbalance(7) <= 7.0 + 1e-9  # within the largest street


def test_week_plan_on_a_grid_and_daily_due_streets():
    net = lattice(4, 4, seed=11, grades=(3, 4))
    weekly = week_plan(net, whole_grid(net))
    by_day = streets_by_day(weekly, date(2026, 11, 23))
    grade4 = {d["street_id"] for *_, d in net.graph.edges(data=True) if d["grade"] == 4}
    assert sorted(s for day in by_day.values() for s in day) == sorted(grade4)
    plan = __import__("gridplan.routing.plan", fromlist=["plan_grid"]).plan_grid(
        net, whole_grid(net), officers=1, shift=shift())
    due4 = {s for s in plan.required if s in grade4}
    assert due4 == set(by_day[date(2026, 11, 25)])


def test_day_plan_walks_grade_1_in_both_shifts_and_others_once():
    net = lattice(3, 3, seed=12, grades=(1, 3))
    grades = {d["street_id"]: d["grade"] for *_, d in net.graph.edges(data=True)}
    params = PatrolParams(time_limit_s=30.0, max_iterations=30)
    plan = day_plan(net, whole_grid(net), shifts=[shift(8, 17), shift(18, 23)],
                    officers=[3, 2], params=params)
    day, night = plan.plans
    assert plan.is_valid(net.graph)
    for sid, grade in grades.items():
        if grade == 1:  # both sides, once per shift
            assert day.required[sid] == 2 and night.required[sid] == 2
        else:  # the larger crew's shift only
            assert day.required[sid] == 1 and sid not in night.required
    assert sum(plan.served.values()) == sum(day.required.values()) + sum(
        night.required.values())


def test_params_load_from_toml_and_refuse_bad_values():
    text = """
    [patrol]
    walk_speed_kmh = 4.0
    both_sides_grades = [1]
    passes_per_day = {1 = 2, 2 = 1, 3 = 1, 4 = 0.5}
    """
    params = PatrolParams.from_toml(text)
    assert params.walk_speed_kmh == 4.0 and params.passes_per_day[4] == 0.5
    assert params.sides(2, None) == 1 and params.sides(2, "4") == 2
    with pytest.raises(InvalidInputError, match="unknown"):
        PatrolParams.from_mapping({"walk_speed": 4})
    with pytest.raises(InvalidInputError) as info:
        PatrolParams(walk_speed_kmh=0, passes_per_day={1: 1.5, 2: 1, 3: 1, 4: 1},
                     station_snap_max_m=-1)
    assert len(info.value.problems) == 3
    with pytest.raises(InvalidInputError, match="TOML"):
        PatrolParams.from_toml("[patrol\n")


def test_turn_lines_read_compass_and_turns():
    segs = [Segment("延安中路", False, 200.0, [(0, 0), (100, 0)]),
            Segment("延安中路", False, 120.0, [(100, 0), (220, 0)]),
            Segment("成都北路", False, 150.0, [(220, 0), (220, -150)]),
            Segment("", True, 80.0, [(220, -150), (300, -150)])]
    assert turn_lines(segs) == ["沿延安中路向东 320 m", "右转进入成都北路，向南 150 m",
                                "左转进入无名道路（途经），向东 80 m"]
    assert turn_lines(segs, lang="en")[1] == "Turn right onto 成都北路, south 150 m"
