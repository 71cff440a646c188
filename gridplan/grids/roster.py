"""Week rosters that cover every grid "5+2" and "白+黑", and the blind spots they leave.

**Roster.** For each grid, its fixed officers are given shifts over one week (Monday 0 … Sunday
6) by a small binary programme solved with HiGHS (``scipy.optimize.milp``); grids are independent
because officers are fixed to their grid. Hard rules per officer: at most one shift a day, at most
``max_hours_week`` hours, at least ``min_days_off`` days off, at least ``min_rest_h`` hours between
the end of one shift and the start of the next. The week is cyclic — Sunday night is followed by
Monday morning — so the roster can repeat week after week. Targets (minimum officers on duty per
shift, weekdays and weekends apart) are met when possible; a shortfall is penalised so heavily
that it only appears when no roster meets them, and is then reported (or raised). Among rosters
that meet the targets, the objective places extra officers where ``demand`` (e.g. incidents per
grid, day and shift) is highest, the first extra officer on a shift counting double.

**Blind spots.** Hours of the week (7 × 24) when a grid has fewer than ``min_on_duty`` officers on
duty, merged into contiguous windows (wrapping midnight and Sunday → Monday), against the hours of
its incidents: "周末 22:00–02:00 uncovered: 14 % of 市容环境 incidents".

Times are local wall-clock hours (Asia/Shanghai unless the caller says otherwise).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from gridplan.errors import InfeasibleError, InvalidInputError, Problem, ProblemCollector
from gridplan.params import Params, param

DAYS = 7
HOURS_PER_WEEK = DAYS * 24
DAY_NAMES_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKEND = frozenset({5, 6})


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A daily shift: starts at ``start_hour`` (0–23, local), lasts ``hours`` (may pass 24:00)."""

    name: str
    start_hour: int
    hours: int

    def __post_init__(self) -> None:
        issues = ProblemCollector("ShiftType")
        if not 0 <= self.start_hour <= 23:
            issues.add(self.name, expected="start_hour in 0..23", found=str(self.start_hour),
                       fix="use the local hour the shift begins")
        if not 1 <= self.hours <= 24:
            issues.add(self.name, expected="hours in 1..24", found=str(self.hours),
                       fix="a shift lasts at most a day")
        issues.raise_if_any("invalid shift type")

    def hours_of_week(self, day: int) -> np.ndarray:
        """Hour-of-week indices (0 = Monday 00:00) this shift covers when it starts on ``day``."""
        return (day * 24 + self.start_hour + np.arange(self.hours)) % HOURS_PER_WEEK


DEFAULT_SHIFTS = (ShiftType("day", 8, 8), ShiftType("night", 18, 8))  # 白班 08–16, 夜班 18–02


@dataclass(frozen=True, slots=True)
class RosterParams:
    """Shift pattern, per-officer rules and per-shift targets (officers on duty per grid)."""

    shifts: tuple[ShiftType, ...] = DEFAULT_SHIFTS
    weekday_targets: Mapping[str, int] = field(default_factory=lambda: {"day": 1, "night": 1})
    weekend_targets: Mapping[str, int] = field(default_factory=lambda: {"day": 1, "night": 1})
    max_hours_week: float = 40.0
    min_rest_h: float = 11.0
    min_days_off: int = 2

    def __post_init__(self) -> None:
        issues = ProblemCollector("RosterParams")
        names = [s.name for s in self.shifts]
        if not names or len(set(names)) != len(names):
            issues.add("shifts", expected="one or more shift types with distinct names",
                       found=str(names), fix="name each shift once, e.g. 'day', 'night'")
        for label, targets in (("weekday_targets", self.weekday_targets),
                               ("weekend_targets", self.weekend_targets)):
            for name, n in targets.items():
                if name not in names or not (isinstance(n, int) and n >= 0):
                    issues.add(f"{label}[{name!r}]", expected=f"a shift in {names} and a count "
                               ">= 0", found=f"{name!r}: {n!r}",
                               fix="use the shift names of `shifts`")
        if not 0 < self.max_hours_week <= 84:
            issues.add("max_hours_week", expected="in (0, 84]", found=str(self.max_hours_week),
                       fix="use the contracted weekly hours, e.g. 40")
        if not 0 <= self.min_rest_h < 24:
            issues.add("min_rest_h", expected="in [0, 24)", found=str(self.min_rest_h),
                       fix="e.g. 11 hours between shifts")
        if not 0 <= self.min_days_off <= 6:
            issues.add("min_days_off", expected="in 0..6", found=str(self.min_days_off),
                       fix="e.g. 2 days off a week")
        issues.raise_if_any("invalid roster parameters")

    def target(self, day: int, shift: str) -> int:
        table = self.weekend_targets if day in WEEKEND else self.weekday_targets
        return int(table.get(shift, 0))

    def targets(self) -> np.ndarray:
        """(7, n_shifts) minimum officers on duty."""
        return np.array([[self.target(d, s.name) for s in self.shifts] for d in range(DAYS)])

    def conflicts(self) -> list[tuple[int, int, int, int]]:
        """Pairs of (day, shift) slots one officer cannot both work (overlap or short rest)."""
        slots = [(d, k) for d in range(DAYS) for k in range(len(self.shifts))]
        found = []
        for a, (da, ka) in enumerate(slots):
            for db, kb in slots[a + 1:]:
                if da == db or self._too_close(da, ka, db, kb) or self._too_close(db, kb, da, ka):
                    found.append((da, ka, db, kb))
        return found

    def _too_close(self, d1: int, k1: int, d2: int, k2: int) -> bool:
        """Slot 2 starts less than min_rest_h after slot 1 ends (cyclic week)."""
        s1, s2 = self.shifts[k1], self.shifts[k2]
        end1 = d1 * 24 + s1.start_hour + s1.hours
        start2 = d2 * 24 + s2.start_hour
        gap = (start2 - end1) % HOURS_PER_WEEK
        overlap = (start2 - (d1 * 24 + s1.start_hour)) % HOURS_PER_WEEK < s1.hours
        return overlap or gap < self.min_rest_h


@dataclass(frozen=True, kw_only=True)
class ShiftPlanParams(Params):
    """The roster a planner asks for, as plain values (TOML table ``[roster]``, CLI options,
    API fields); :meth:`roster_params` turns it into the engine's :class:`RosterParams`."""

    _section = "roster"

    shifts: str = param("day:08-16,night:18-02",
                        help="daily shifts as name:HH-HH, comma-separated, local hours (白+黑: "
                             "a day and a night shift); an end before the start passes midnight")
    weekday_target: int = param(1, unit="officers", ge=0, le=50,
                                help="officers on duty per shift and grid, Monday–Friday")
    weekend_target: int = param(1, unit="officers", ge=0, le=50,
                                help="officers on duty per shift and grid, weekends (5+2)")
    max_hours_week: float = param(40.0, unit="h/week", gt=0, le=84,
                                  help="most hours one officer works in a week")
    min_rest_h: float = param(11.0, unit="h", ge=0, lt=24,
                              help="least rest between two shifts of one officer")
    min_days_off: int = param(2, unit="days", ge=0, le=6, help="days off a week, at least")

    def _check(self, issues: ProblemCollector) -> None:
        _, problems = _parse_shifts(self.shifts)
        issues.problems.extend(problems)

    def shift_types(self) -> tuple[ShiftType, ...]:
        return _parse_shifts(self.shifts)[0]

    def roster_params(self) -> RosterParams:
        types = self.shift_types()
        return RosterParams(
            shifts=types,
            weekday_targets={t.name: self.weekday_target for t in types},
            weekend_targets={t.name: self.weekend_target for t in types},
            max_hours_week=self.max_hours_week, min_rest_h=self.min_rest_h,
            min_days_off=self.min_days_off)


def _parse_shifts(text: str) -> tuple[tuple[ShiftType, ...], list[Problem]]:
    """'day:08-16,night:18-02' → shift types; a start equal to its end is refused (is it
    no time or 24 hours?), every unreadable part reported."""
    shifts, bad = [], []
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        try:
            name, span = part.split(":")
            start, end = (int(h) for h in span.split("-"))
            if start == end or not (0 <= start <= 23 and 0 <= end <= 24) or not name.strip():
                raise ValueError(part)
            shifts.append(ShiftType(name.strip(), start, (end - start) % 24 or 24))
        except ValueError:
            bad.append(part)
    problems = []
    names = [s.name for s in shifts]
    if bad or not shifts:
        problems.append(Problem(
            "shifts", ", ".join(bad) or repr(text),
            "name:HH-HH pairs separated by commas, start ≠ end, e.g. day:08-16,night:18-02",
            "unreadable" if bad else "no shift", "write each shift as name:start-end in local "
            "hours 0–24 with start ≠ end (08-08 could mean no time or a day: write a 24-hour "
            "duty as two shifts, e.g. day:08-20,night:20-08)"))
    elif len(set(names)) != len(names):
        problems.append(Problem("shifts", "", "distinct shift names", str(names),
                                "name each shift once"))
    return tuple(shifts), problems


@dataclass(frozen=True, slots=True)
class Shortfall:
    grid: Hashable
    day: int
    shift: str
    on_duty: int
    target: int


@dataclass(frozen=True, eq=False)
class Roster:
    """Shifts per officer for one week; ``duties[officer]`` = ((day, shift name), …)."""

    params: RosterParams
    officers_by_grid: Mapping[Hashable, tuple[Hashable, ...]]
    duties: Mapping[Hashable, tuple[tuple[int, str], ...]]

    def on_duty(self, grid: Hashable) -> np.ndarray:
        """(7, n_shifts) officers on duty per day and shift."""
        names = [s.name for s in self.params.shifts]
        table = np.zeros((DAYS, len(names)), dtype=int)
        for officer in self.officers_by_grid[grid]:
            for day, shift in self.duties.get(officer, ()):
                table[day, names.index(shift)] += 1
        return table

    def coverage_by_hour(self) -> dict[Hashable, np.ndarray]:
        """Per grid, (7, 24) officers on duty in each local hour (night shifts spill to the next
        day; Sunday night spills into Monday morning)."""
        result = {}
        for grid in self.officers_by_grid:
            hours = np.zeros(HOURS_PER_WEEK, dtype=int)
            table = self.on_duty(grid)
            for day in range(DAYS):
                for k, shift in enumerate(self.params.shifts):
                    hours[shift.hours_of_week(day)] += table[day, k]
            result[grid] = hours.reshape(DAYS, 24)
        return result

    def shortfalls(self) -> list[Shortfall]:
        targets = self.params.targets()
        found = []
        for grid in self.officers_by_grid:
            table = self.on_duty(grid)
            for day, k in zip(*np.nonzero(table < targets), strict=True):
                found.append(Shortfall(grid, int(day), self.params.shifts[k].name,
                                       int(table[day, k]), int(targets[day, k])))
        return found

    def meets_targets(self) -> bool:
        return not self.shortfalls()

    def problems(self) -> list[Problem]:
        """Every broken per-officer rule (one shift a day, hours, days off, rest)."""
        p = self.params
        hours_of = {s.name: s.hours for s in p.shifts}
        index = {s.name: k for k, s in enumerate(p.shifts)}
        conflicts = set(p.conflicts())
        found = []
        for officer, duties in self.duties.items():
            where = f"officer {officer}"
            days = [d for d, _ in duties]
            if len(set(days)) != len(days):
                found.append(Problem("Roster", where, "one shift a day", str(duties), "bug"))
            hours = sum(hours_of[s] for _, s in duties)
            if hours > p.max_hours_week + 1e-9:
                found.append(Problem("Roster", where, f"<= {p.max_hours_week} h", f"{hours} h",
                                     "bug"))
            if DAYS - len(set(days)) < p.min_days_off:
                found.append(Problem("Roster", where, f">= {p.min_days_off} days off",
                                     f"{DAYS - len(set(days))}", "bug"))
            slots = sorted((d, index[s]) for d, s in duties)
            for a, sa in enumerate(slots):
                for sb in slots[a + 1:]:
                    if (*sa, *sb) in conflicts:
                        found.append(Problem("Roster", where, f">= {p.min_rest_h} h rest",
                                             f"slots {sa} and {sb}", "bug"))
        return found

    def is_valid(self) -> bool:
        return not self.problems()

    def table(self, grid: Hashable) -> pd.DataFrame:
        """Officer × day grid of shift names ("" = day off), for printing."""
        rows = {}
        for officer in self.officers_by_grid[grid]:
            row = [""] * DAYS
            for day, shift in self.duties.get(officer, ()):
                row[day] = shift
            rows[officer] = row
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(DAY_NAMES_ZH))


def build_roster(
    officers_by_grid: Mapping[Hashable, Sequence[Hashable]],
    *,
    params: RosterParams | None = None,
    demand: Mapping[Hashable, np.ndarray] | None = None,
    on_shortfall: Literal["raise", "report"] = "raise",
    time_limit_s: float = 30.0,
) -> Roster:
    """A week roster per grid (see the module docstring for the rules).

    ``officers_by_grid`` maps each grid to the ids of its fixed officers (e.g. from
    :func:`gridplan.grids.staffing.allocate_staff`). ``demand[grid]`` is an optional (7, n_shifts)
    array of non-negative weights saying where extra officers help most (default all 1).
    With ``on_shortfall="raise"`` an :class:`InfeasibleError` lists every grid and shift that no
    roster can cover; with ``"report"`` the roster is returned and :meth:`Roster.shortfalls`
    lists them.
    """
    params = params or RosterParams()
    _check_officers(officers_by_grid, demand, params)
    duties: dict[Hashable, tuple[tuple[int, str], ...]] = {}
    conflicts = params.conflicts()
    for grid, officers in officers_by_grid.items():
        weights = np.ones((DAYS, len(params.shifts))) if demand is None else np.asarray(
            demand[grid], dtype=float)
        duties.update(_solve_grid(list(officers), params, conflicts, weights, time_limit_s))
    roster = Roster(params, {g: tuple(o) for g, o in officers_by_grid.items()}, duties)
    if on_shortfall == "raise" and not roster.meets_targets():
        raise InfeasibleError("no roster meets the targets", _shortfall_problems(roster))
    return roster


def _check_officers(
    officers_by_grid: Mapping[Hashable, Sequence[Hashable]],
    demand: Mapping[Hashable, np.ndarray] | None,
    params: RosterParams,
) -> None:
    issues = ProblemCollector("roster")
    seen: dict[Hashable, Hashable] = {}
    for grid, officers in officers_by_grid.items():
        for officer in officers:
            if officer in seen:
                issues.add(f"officer {officer}", expected="fixed to one grid",
                           found=f"in grids {seen[officer]} and {grid}", fix="list each once")
            seen[officer] = grid
        if demand is not None:
            shape = np.shape(demand.get(grid, ()))
            if shape != (DAYS, len(params.shifts)):
                issues.add(f"demand[{grid}]", expected=f"shape (7, {len(params.shifts)})",
                           found=f"shape {shape}", fix="one weight per day and shift")
    issues.raise_if_any("roster input is not usable")


def _solve_grid(
    officers: list[Hashable],
    params: RosterParams,
    conflicts: list[tuple[int, int, int, int]],
    demand: np.ndarray,
    time_limit_s: float,
) -> dict[Hashable, tuple[tuple[int, str], ...]]:
    """One grid's binary programme. Variables: x[o, d, k], then per slot short, extra1, extra2."""
    n_o, n_k = len(officers), len(params.shifts)
    n_slot = DAYS * n_k
    n_x = n_o * n_slot
    if n_o == 0:
        return {}

    def x(o: int, d: int, k: int) -> int:
        return o * n_slot + d * n_k + k

    short0, extra1_0, extra2_0 = n_x, n_x + n_slot, n_x + 2 * n_slot
    n_vars = n_x + 3 * n_slot
    rows, cols, vals, lo, hi = [], [], [], [], []

    def add_row(entries: list[tuple[int, float]], lower: float, upper: float) -> None:
        r = len(lo)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(lower)
        hi.append(upper)

    hours = [s.hours for s in params.shifts]
    for o in range(n_o):
        add_row([(x(o, d, k), hours[k]) for d in range(DAYS) for k in range(n_k)], 0,
                params.max_hours_week)
        add_row([(x(o, d, k), 1) for d in range(DAYS) for k in range(n_k)], 0,
                DAYS - params.min_days_off)
        for da, ka, db, kb in conflicts:
            add_row([(x(o, da, ka), 1), (x(o, db, kb), 1)], 0, 1)
    targets = params.targets()
    for d in range(DAYS):
        for k in range(n_k):
            slot = d * n_k + k
            entries = [(x(o, d, k), 1.0) for o in range(n_o)]
            entries += [(short0 + slot, 1.0), (extra1_0 + slot, -1.0), (extra2_0 + slot, -1.0)]
            add_row(entries, targets[d, k], targets[d, k])
    weight = np.maximum(demand.ravel(), 0.0)
    penalty = 1000.0 * (1.0 + weight.sum())
    cost = np.concatenate([np.zeros(n_x), np.full(n_slot, penalty), -2.0 * weight, -weight])
    upper = np.concatenate([np.ones(n_x), np.full(n_slot, np.inf), np.ones(n_slot),
                            np.full(n_slot, np.inf)])
    integrality = np.concatenate([np.ones(n_x), np.zeros(3 * n_slot)])
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(lo), n_vars))
    res = milp(cost, integrality=integrality, bounds=Bounds(np.zeros(n_vars), upper),
               constraints=LinearConstraint(matrix, lo, hi),
               options={"time_limit": float(time_limit_s)})
    if res.x is None:
        raise InfeasibleError("the roster solver found no roster",
                              [Problem("roster", "", "a feasible roster", str(res.message),
                                       "relax the rules (hours, rest) or raise time_limit_s")])
    on = res.x[:n_x].reshape(n_o, DAYS, n_k) > 0.5
    return {officer: tuple((int(d), params.shifts[k].name) for d, k in zip(*np.nonzero(on[o]),
                                                                             strict=True))
            for o, officer in enumerate(officers)}


def _shortfall_problems(roster: Roster) -> list[Problem]:
    p = roster.params
    max_shifts = min(DAYS - p.min_days_off,
                     int(p.max_hours_week // min(s.hours for s in p.shifts)))
    found = []
    by_grid: dict[Hashable, list[Shortfall]] = defaultdict(list)
    for s in roster.shortfalls():
        by_grid[s.grid].append(s)
    for grid, items in by_grid.items():
        slots = ", ".join(f"{DAY_NAMES_ZH[s.day]} {s.shift} {s.on_duty}/{s.target}"
                          for s in items[:6])
        needed_shifts = int(p.targets().sum())
        at_least = -(-needed_shifts // max(1, max_shifts))
        found.append(Problem(
            "roster", f"grid {grid}", "every shift staffed to its target",
            f"{len(items)} short shifts ({slots}{', …' if len(items) > 6 else ''}) with "
            f"{len(roster.officers_by_grid[grid])} officers",
            f"give the grid at least {at_least} officers (each works <= {max_shifts} shifts a "
            "week), pair it with its AB partner, or lower the targets"))
    return found


# --------------------------------------------------------------------------------------------
# Blind spots
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A run of uncovered hours: ``start`` is the hour of the week (0 = Monday 00:00)."""

    grid: Hashable
    start: int
    hours: int

    def hours_of_week(self) -> np.ndarray:
        return (self.start + np.arange(self.hours)) % HOURS_PER_WEEK

    @property
    def time_label(self) -> str:
        """'22:00–02:00' (within a day and night) or 'Sat 22:00–Mon 06:00' for longer runs."""
        if self.hours >= HOURS_PER_WEEK:
            return "全周"
        start_h, end = self.start % 24, (self.start + self.hours) % HOURS_PER_WEEK
        if self.hours <= 24:
            return f"{start_h:02d}:00–{end % 24:02d}:00"
        return (f"{DAY_NAMES_ZH[self.start // 24]} {start_h:02d}:00–"
                f"{DAY_NAMES_ZH[end // 24]} {end % 24:02d}:00")


@dataclass(frozen=True, slots=True)
class BlindSpotGroup:
    """The same time-of-day window on several days, e.g. 周末 22:00–02:00, with its incidents."""

    days_label: str
    time_label: str
    windows: tuple[Window, ...]
    incidents_by_class: Mapping[str, int]
    share_by_class: Mapping[str, float]  # of all incidents of that class (every grid)

    @property
    def label(self) -> str:
        return f"{self.days_label} {self.time_label}".strip()


@dataclass(frozen=True, slots=True)
class BlindSpotReport:
    windows: tuple[Window, ...]
    groups: tuple[BlindSpotGroup, ...]
    total_by_class: Mapping[str, int]
    uncovered_share_by_class: Mapping[str, float]  # incidents in any uncovered hour of their grid
    skipped_incidents: int  # no grid, or a grid without coverage data

    def lines(self, *, top: int = 10) -> list[str]:
        """Readable lines, worst groups first."""
        out = []
        for group in self.groups[:top]:
            parts = [f"{share:.0%} of {cls} incidents ({group.incidents_by_class[cls]} of "
                     f"{self.total_by_class[cls]})"
                     for cls, share in sorted(group.share_by_class.items(),
                                              key=lambda kv: -kv[1]) if share > 0]
            grids = len({w.grid for w in group.windows})
            text = "; ".join(parts) if parts else "no incidents"
            out.append(f"{group.label} uncovered in {grids} grid{'s' if grids != 1 else ''}: "
                       f"{text}")
        return out


def uncovered_windows(coverage: np.ndarray, *, grid: Hashable = None, min_on_duty: int = 1
                      ) -> list[Window]:
    """Contiguous runs of hours with fewer than ``min_on_duty`` on duty, wrapping the week."""
    hours = np.asarray(coverage).reshape(HOURS_PER_WEEK)
    gap = hours < min_on_duty
    if gap.all():
        return [Window(grid, 0, HOURS_PER_WEEK)]
    if not gap.any():
        return []
    first_covered = int(np.argmin(gap))
    rotated = np.roll(gap, -first_covered)  # starts on a covered hour, so no run wraps
    windows = []
    h = 0
    while h < HOURS_PER_WEEK:
        if rotated[h]:
            start = h
            while h < HOURS_PER_WEEK and rotated[h]:
                h += 1
            windows.append(Window(grid, (start + first_covered) % HOURS_PER_WEEK, h - start))
        else:
            h += 1
    return sorted(windows, key=lambda w: w.start)


def blind_spots(
    incidents: pd.DataFrame,
    coverage_by_hour: Mapping[Hashable, np.ndarray],
    *,
    min_on_duty: int = 1,
    tz: str = "Asia/Shanghai",
) -> BlindSpotReport:
    """Incidents by hour-of-week against staffed hours per grid.

    ``incidents`` columns: ``grid`` (the grid code, NaN when outside every grid), ``time``
    (tz-aware datetimes; converted to ``tz`` local time) and ``event_class``.
    ``coverage_by_hour[grid]`` is a (7, 24) array of officers on duty (e.g.
    :meth:`Roster.coverage_by_hour`).
    """
    local = _incident_hours(incidents, tz)
    known = local["grid"].isin(list(coverage_by_hour))
    skipped = int((~known).sum())
    local = local[known]
    total = local.groupby("event_class").size().to_dict()
    windows = [w for grid, cov in coverage_by_hour.items()
               for w in uncovered_windows(cov, grid=grid, min_on_duty=min_on_duty)]
    in_gap = np.zeros(len(local), dtype=bool)
    hour_idx = local["how"].to_numpy()
    grid_col = local["grid"].to_numpy()
    for w in windows:
        in_gap |= (grid_col == w.grid) & np.isin(hour_idx, w.hours_of_week())
    uncovered = local[in_gap].groupby("event_class").size().to_dict()
    groups = _group_windows(windows, local, total)
    return BlindSpotReport(
        tuple(windows), tuple(groups), {k: int(v) for k, v in total.items()},
        {k: uncovered.get(k, 0) / v for k, v in total.items()}, skipped)


def _incident_hours(incidents: pd.DataFrame, tz: str) -> pd.DataFrame:
    issues = ProblemCollector("incidents")
    missing = {"grid", "time", "event_class"} - set(incidents.columns)
    if missing:
        issues.add("columns", expected="grid, time, event_class", found=f"missing {missing}",
                   fix="join incidents to grids and name the columns")
        issues.raise_if_any(error=InvalidInputError)
    times = pd.to_datetime(incidents["time"], errors="coerce", utc=False)
    if len(times) and getattr(times.dt, "tz", None) is None:
        issues.add("time", expected="timezone-aware times", found="naive times",
                   fix="localise first, e.g. .dt.tz_localize('Asia/Shanghai')")
    elif times.isna().any():
        issues.add(f"row {int(np.argmax(times.isna().to_numpy()))}", expected="a time",
                   found=f"{int(times.isna().sum())} unreadable times", fix="fix or drop them")
    issues.raise_if_any("incidents cannot be placed in the week")
    local = times.dt.tz_convert(tz) if len(times) else times
    how = (local.dt.day_of_week * 24 + local.dt.hour) if len(times) else pd.Series([], dtype=int)
    return pd.DataFrame({"grid": incidents["grid"].to_numpy(), "how": how.to_numpy(dtype=int),
                         "event_class": incidents["event_class"].astype(str).to_numpy()})


def _group_windows(windows: list[Window], local: pd.DataFrame, total: Mapping[str, int]
                   ) -> list[BlindSpotGroup]:
    by_time: dict[str, list[Window]] = defaultdict(list)
    for w in windows:
        by_time[w.time_label if w.hours <= 24 else f"long:{w.start}:{w.hours}"].append(w)
    groups = []
    for windows_here in by_time.values():
        mask = np.zeros(len(local), dtype=bool)
        for w in windows_here:
            mask |= (local["grid"].to_numpy() == w.grid) & np.isin(local["how"].to_numpy(),
                                                                    w.hours_of_week())
        counts = local[mask].groupby("event_class").size().to_dict()
        days = sorted({w.start // 24 for w in windows_here})
        day_label = _days_label(days) if all(w.hours <= 24 for w in windows_here) else ""
        groups.append(BlindSpotGroup(
            day_label, windows_here[0].time_label, tuple(windows_here),
            {k: int(counts.get(k, 0)) for k in total},
            {k: counts.get(k, 0) / v for k, v in total.items()}))
    groups.sort(key=lambda g: (-sum(g.incidents_by_class.values()), g.label))
    return groups


def _days_label(days: list[int]) -> str:
    if set(days) == set(range(DAYS)):
        return "每天"
    if set(days) == WEEKEND:
        return "周末"
    if set(days) == set(range(5)):
        return "工作日"
    return "、".join(DAY_NAMES_ZH[d] for d in days)
