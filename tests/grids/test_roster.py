"""Week roster (5+2, 白+黑) meets its targets; blind-spot windows wrap midnight and the week."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InfeasibleError, InvalidInputError
from gridplan.grids.roster import (
    RosterParams,
    ShiftType,
    Window,
    blind_spots,
    build_roster,
    uncovered_windows,
)


def _officers(counts: dict[str, int]) -> dict[str, list[str]]:
    return {g: [f"{g}-{k}" for k in range(n)] for g, n in counts.items()}


@pytest.mark.parametrize("counts", [{"A": 3}, {"A": 4, "B": 5}])
def test_roster_meets_targets_and_rules(counts: dict[str, int]) -> None:
    roster = build_roster(_officers(counts))
    assert roster.meets_targets()
    assert roster.is_valid(), roster.problems()
    for grid in counts:
        table = roster.on_duty(grid)
        assert (table >= 1).all()  # every day, weekends too, day and night
    for duties in roster.duties.values():
        assert len(duties) <= 5


def test_no_day_shift_right_after_a_night_even_across_the_week_end() -> None:
    roster = build_roster(_officers({"A": 5}))
    for duties in roster.duties.values():
        worked = set(duties)
        for day in range(7):
            assert not ((day, "night") in worked and ((day + 1) % 7, "day") in worked)


def test_weekend_targets_and_demand_place_extra_officers() -> None:
    params = RosterParams(weekend_targets={"day": 2, "night": 2})
    demand = {"A": np.tile([[1.0, 5.0]], (7, 1))}  # nights matter more
    roster = build_roster(_officers({"A": 5}), params=params, demand=demand)
    table = roster.on_duty("A")
    assert (table[5:] >= 2).all()
    assert table[:, 1].sum() >= table[:, 0].sum()


def test_too_few_officers_raise_with_a_fix() -> None:
    with pytest.raises(InfeasibleError) as info:
        build_roster(_officers({"A": 2}))
    problem = info.value.problems[0]
    assert problem.where == "grid A"
    assert "at least 3 officers" in problem.fix
    roster = build_roster(_officers({"A": 2}), on_shortfall="report")
    assert not roster.meets_targets()
    assert len(roster.shortfalls()) == 4  # 14 slots, 2 officers × 5 shifts


@settings(max_examples=15, deadline=None)
@given(st.integers(3, 6), st.integers(0, 2), st.integers(0, 2))
def test_roster_targets_met_whenever_capacity_allows(n: int, extra_day: int, extra_night: int
                                                     ) -> None:
    params = RosterParams(weekday_targets={"day": 1 + extra_day, "night": 1},
                          weekend_targets={"day": 1, "night": 1 + extra_night})
    roster = build_roster(_officers({"G": n}), params=params, on_shortfall="report")
    assert roster.is_valid()
    needed = int(params.targets().sum())
    if roster.meets_targets():
        assert n * 5 >= needed
    assert n * 5 >= needed or not roster.meets_targets()


def test_invalid_params_collected() -> None:
    with pytest.raises(InvalidInputError) as info:
        RosterParams(shifts=(ShiftType("day", 8, 8),), weekday_targets={"night": 1},
                     min_rest_h=30)
    assert len(info.value.problems) == 3  # weekday and (default) weekend 'night' target, rest


def test_windows_wrap_midnight_and_week() -> None:
    cov = np.ones((7, 24), dtype=int)
    cov[5, 22:] = 0  # Saturday 22:00 ...
    cov[6, :2] = 0  # ... to Sunday 02:00
    cov[6, 22:] = 0  # Sunday 22:00 ...
    cov[0, :2] = 0  # ... to Monday 02:00 (wraps the week)
    windows = uncovered_windows(cov, grid="A")
    assert [(w.start, w.hours) for w in windows] == [(5 * 24 + 22, 4), (6 * 24 + 22, 4)]
    assert windows[1].time_label == "22:00–02:00"
    assert Window("A", 6 * 24 + 20, 40).time_label == "周日 20:00–周二 12:00"
    assert uncovered_windows(np.zeros((7, 24)), grid="A")[0].hours == 168
    assert uncovered_windows(np.ones((7, 24))) == []


def test_blind_spot_report_shares_by_class() -> None:
    cov = np.ones((7, 24), dtype=int)
    for day in (5, 6):
        cov[day, 22:] = 0
        cov[(day + 1) % 7, :2] = 0
    tz = "Asia/Shanghai"
    times = pd.to_datetime([
        "2024-03-09 23:30",  # Saturday night: uncovered
        "2024-03-11 01:15",  # Monday 01:15 = Sunday's night window: uncovered
        "2024-03-11 10:00",  # Monday morning: covered
        "2024-03-10 12:00",  # Sunday noon: covered
        "2024-03-09 23:00",  # grid B has no coverage data: skipped
    ]).tz_localize(tz).tz_convert("UTC")  # given in UTC, read in local time
    incidents = pd.DataFrame({"grid": ["A", "A", "A", "A", "B"], "time": times,
                              "event_class": ["市容环境", "市容环境", "市容环境", "街面秩序",
                                              "市容环境"]})
    report = blind_spots(incidents, {"A": cov})
    assert report.skipped_incidents == 1
    assert report.uncovered_share_by_class == {"市容环境": pytest.approx(2 / 3), "街面秩序": 0.0}
    assert report.lines()[0].startswith("周末 22:00–02:00 uncovered in 1 grid: 67% of 市容环境")


def test_naive_incident_times_refused() -> None:
    incidents = pd.DataFrame({"grid": ["A"], "time": pd.to_datetime(["2024-03-09 23:30"]),
                              "event_class": ["其他"]})
    with pytest.raises(InvalidInputError, match="placed in the week"):
        blind_spots(incidents, {"A": np.ones((7, 24))})


def test_roster_coverage_feeds_blind_spots() -> None:
    roster = build_roster(_officers({"A": 3}))
    cov = roster.coverage_by_hour()["A"]
    windows = uncovered_windows(cov, grid="A")
    labels = {w.time_label for w in windows}
    assert labels == {"02:00–08:00", "16:00–18:00"}  # default shifts 08–16 and 18–02
