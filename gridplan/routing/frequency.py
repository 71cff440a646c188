"""How often each street is patrolled: passes per shift, and low-frequency streets spread over days.

* Whole frequencies (``passes_per_day`` 1, 2, ...) are shared among the day's shifts: a street due
  ``p`` times a day gets ``p // n`` passes in each of the ``n`` shifts, and the remaining
  ``p % n`` go to the shifts with the most crew-minutes (officers × shift minutes; ties: the earlier
  shift). With a day and a night shift, grade 1 (一日双巡) is walked in both, the others in the
  day shift (the larger crew).
* Fractional frequencies ``1/n`` (every n days, e.g. weekly) are assigned a day in a cycle of n
  days by :func:`assign_days`: streets are ordered by their bearing round the station (a sweep, so
  one day's streets lie together) and the order is cut into n consecutive runs whose largest total
  minutes is as small as possible (exact min–max linear partition). Day ``i`` of the cycle is the
  date with ``(date.toordinal() - 1) % n == i`` — for n = 7 that is the weekday (0 = Monday).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from gridplan.routing.params import PatrolParams, period_days, whole_passes


@dataclass(frozen=True, slots=True)
class CycleStreet:
    """A street due every ``period_days`` days: its id, the minutes it takes and where it is."""

    street_id: Hashable
    minutes: float
    x: float
    y: float
    period_days: int


@dataclass(frozen=True)
class CyclePlan:
    """Low-frequency streets assigned to a day of their cycle (the week plan for weekly streets)."""

    day_of: Mapping[Hashable, int]  # street id -> day index within its cycle
    period_of: Mapping[Hashable, int]  # street id -> cycle length in days
    minutes_by_day: Mapping[int, Mapping[int, float]]  # period -> day -> minutes

    def due_on(self, street_id: Hashable, day: date) -> bool:
        period = self.period_of[street_id]
        return cycle_day(day, period) == self.day_of[street_id]

    def streets_on(self, day: date) -> list[Hashable]:
        return [s for s in self.day_of if self.due_on(s, day)]

    def imbalance(self, period: int) -> float:
        """Largest minus smallest day of a cycle (minutes)."""
        days = self.minutes_by_day.get(period, {})
        return max(days.values()) - min(days.values()) if days else 0.0


def cycle_day(day: date, period: int) -> int:
    """Index of ``day`` in a cycle of ``period`` days (for 7: the weekday, Monday = 0)."""
    return (day.toordinal() - 1) % period


def shift_passes(per_day: float, *, shift_rank: int, shifts_today: int) -> int:
    """Passes in one shift of a street due ``per_day`` times a day (whole frequencies only).

    ``shift_rank`` 0 is the shift with the most crew-minutes. Fractional frequencies give 1 (the
    caller decides whether the street is due today at all).
    """
    whole = whole_passes(per_day)
    if whole is None:
        return 1 if shift_rank == 0 else 0
    base, extra = divmod(whole, shifts_today)
    return base + (1 if shift_rank < extra else 0)


def street_period(grade: int, params: PatrolParams) -> int:
    """1 for streets due every day, n for streets due every n days."""
    return period_days(params.passes_per_day[int(grade)]) or 1


def assign_days(streets: Sequence[CycleStreet], *, origin: tuple[float, float]) -> CyclePlan:
    """Give each street a day of its cycle, balancing minutes and keeping each day together."""
    day_of: dict[Hashable, int] = {}
    period_of: dict[Hashable, int] = {}
    minutes_by_day: dict[int, dict[int, float]] = {}
    for period in sorted({s.period_days for s in streets}):
        group = sorted((s for s in streets if s.period_days == period),
                       key=lambda s: (_bearing(origin, s), repr(s.street_id)))
        cuts = min_max_partition([s.minutes for s in group], period)
        totals = dict.fromkeys(range(period), 0.0)
        for day, (lo, hi) in enumerate(zip(cuts, cuts[1:], strict=False)):
            for s in group[lo:hi]:
                day_of[s.street_id] = day
                period_of[s.street_id] = period
                totals[day] += s.minutes
        minutes_by_day[period] = totals
    return CyclePlan(day_of, period_of, minutes_by_day)


def _bearing(origin: tuple[float, float], s: CycleStreet) -> float:
    return math.atan2(s.y - origin[1], s.x - origin[0]) % (2 * math.pi)


def min_max_partition(weights: Sequence[float], parts: int) -> list[int]:
    """Cut points ``0 = c0 <= c1 <= ... <= c_parts = len(weights)`` of consecutive runs whose
    largest sum is minimal (dynamic programme, O(parts · n²); fine for the streets of a grid)."""
    n = len(weights)
    prefix = [0.0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    inf = math.inf
    # best[j][i]: smallest largest-run using j runs for the first i weights
    best = [[inf] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0.0
    for j in range(1, parts + 1):
        for i in range(n + 1):
            for k in range(i + 1):
                value = max(best[j - 1][k], prefix[i] - prefix[k])
                if value < best[j][i] - 1e-12:
                    best[j][i], cut[j][i] = value, k
    cuts = [n]
    for j in range(parts, 0, -1):
        cuts.append(cut[j][cuts[-1]])
    return cuts[::-1]
