"""The squad leader's workflow in one call: routes for grids' officers in a shift or a whole day.

:func:`plan_routes` is what ``gridplan routes``, the service's ``routes`` job and a notebook all
call: it picks the grids, gives each key point to the one grid that visits it, places the shift in
the day's :class:`~gridplan.routing.shifts.ShiftPattern`, and plans each grid with
:func:`~gridplan.routing.plan.plan_grid`. Inputs share the network's metric CRS; reading files and
writing maps are the doors' business (``geodata``, ``maps``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import shapely

from gridplan.crs import to_metric
from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.grid_frames import grids_from_frame
from gridplan.model import Grid, KeyPoint, Shift
from gridplan.network import StreetNetwork
from gridplan.progress import ProgressCallback, ShouldCancel
from gridplan.routing.keypoints import window_in_shift
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import plan_grid
from gridplan.routing.plan_result import PatrolPlan
from gridplan.routing.shifts import ShiftPattern, shift_on
from gridplan.timezones import DEFAULT_TZ


@dataclass(frozen=True)
class RoutesPlan:
    """One :class:`PatrolPlan` per grid and shift, in grid order then the order of the day."""

    plans: tuple[PatrolPlan, ...]
    pattern: ShiftPattern

    def is_valid(self, graph=None) -> bool:
        return all(p.is_valid(graph) for p in self.plans)

    def summary(self, *, lang: str = "zh", turns: int = 3) -> str:
        return "\n\n".join(p.summary(lang=lang, turns=turns) for p in self.plans)

    def stem(self, plan: PatrolPlan) -> str:
        """A file name stem for ``plan``: the grid code, plus the date when several days are
        planned here, plus the shift when a day has several."""
        mine = [p.shift for p in self.plans if p.grid_code == plan.grid_code]
        on = plan.shift.start.date()
        parts = [plan.grid_code]
        if len({s.start.date() for s in mine}) > 1:
            parts.append(on.isoformat())
        if sum(s.start.date() == on for s in mine) > 1:
            parts.append(plan.shift.name)
        return "_".join(parts)


def plan_routes(
    network: StreetNetwork,
    grids: Sequence[Grid] | gpd.GeoDataFrame,
    *,
    grid_codes: Sequence[str] | None = None,
    shift: Shift | str | None = "08:00-12:00",
    day: date | str | None = None,
    tz: str = DEFAULT_TZ,
    pattern: ShiftPattern | str | None = None,
    officers: int | Sequence[str] | None = None,
    key_points: Sequence[KeyPoint] = (),
    incidents: gpd.GeoDataFrame | None = None,
    params: PatrolParams | None = None,
    street_priority: Mapping[Hashable, float] | None = None,
    days: Sequence[date] | None = None,
    progress: ProgressCallback | None = None,
    should_cancel: ShouldCancel | None = None,
) -> RoutesPlan:
    """Patrol routes for the officers of ``grid_codes`` (None: every grid) of ``grids``.

    ``grids``: :class:`Grid` objects in the network's CRS, or a grids GeoDataFrame in any CRS
    (see :func:`gridplan.grid_frames.grids_from_frame`); ``incidents``: points in any CRS.

    ``shift``: a :class:`Shift` or ``"HH:MM-HH:MM"`` on ``day`` (default today) in ``tz``;
    ``None`` plans every shift of ``pattern``. ``pattern``: the day's shifts (default
    ``single``: the shift is the whole day; ``"day+night"`` for 白+黑), so each shift gets its
    share of a street's daily passes. ``officers``: on shift in each grid, a count or their
    names (default the grid's enforcement staff, at least 1). Each key point is visited by the
    grid it names (``grid_code``) or else the grid containing it; one outside every grid is an
    error.
    ``street_priority``: see :func:`plan_grid` (recent coverage into this plan).
    ``days``: plan each of these days instead of ``day`` (a week: :func:`~gridplan.routing.
    shifts.week_days`); the plans of different days are independent (weekly streets fall on
    their day of the week), in grid order, then day, then the order of the day.
    ``progress`` / ``should_cancel``: see :mod:`gridplan.progress`.
    """
    pattern = pattern if isinstance(pattern, ShiftPattern) else ShiftPattern.parse(pattern)
    day = date.fromisoformat(day) if isinstance(day, str) else day
    if isinstance(grids, gpd.GeoDataFrame):  # a table in any CRS: projected once, here
        grids = grids_from_frame(grids, crs=network.crs)
    if incidents is not None:
        incidents = to_metric(incidents, network.crs, name="incidents")
    chosen = choose_grids(grids, grid_codes)
    if days is not None and isinstance(shift, Shift):
        raise InvalidInputError("a dated shift for several days", [Problem(
            "shift", shift.name, "the shift's clock times (HH:MM-HH:MM) or None (the pattern)",
            f"a Shift dated {shift.start:%Y-%m-%d}", "pass e.g. '08:00-12:00' with days")])
    dates = list(days) if days is not None else [day or date.today()]
    shifts = [(d, one) for d in dates for one in _shifts(shift, pattern, d, tz)]
    owned = assign_key_points(key_points, grids)
    plans = []
    total = len(chosen) * len(shifts)
    for g, grid in enumerate(chosen):
        for s, (on, one) in enumerate(shifts):
            done = g * len(shifts) + s
            plans.append(plan_grid(
                network, grid, officers=max(1, grid.officers) if officers is None else officers,
                shift=one,
                pattern=pattern, key_points=_key_points_in(owned[grid.code], one, pattern),
                incidents=incidents, params=params, day=on if days is not None else day,
                street_priority=street_priority,
                progress=_scaled(progress, done / total, (done + 1) / total),
                should_cancel=should_cancel))
    return RoutesPlan(tuple(plans), pattern)


def plan_week(
    network: StreetNetwork,
    grid: Grid,
    *,
    start: date,
    shift: str = "06:00-22:00",
    pattern: ShiftPattern | str | None = None,
    tz: str = DEFAULT_TZ,
    officers: int = 1,
    key_points: Sequence[KeyPoint] = (),
    incidents: gpd.GeoDataFrame | None = None,
    params: PatrolParams | None = None,
    days: int = 7,
    should_cancel: ShouldCancel | None = None,
) -> tuple[PatrolPlan, ...]:
    """A grid's routes for ``days`` days from ``start``: each day every shift of ``pattern``
    (``single``: ``shift`` is the whole day's patrol), weekly streets on their day of the week.
    What a week of patrol takes is the sum of its routes' minutes (:func:`officer_hours`)."""
    pattern = pattern if isinstance(pattern, ShiftPattern) else ShiftPattern.parse(pattern)
    return plan_routes(network, [grid], shift=None if not pattern.is_single else shift,
                       days=[start + timedelta(days=d) for d in range(days)], tz=tz,
                       pattern=pattern, officers=officers, key_points=key_points,
                       incidents=incidents, params=params, should_cancel=should_cancel).plans


def officer_hours(plans: Sequence[PatrolPlan]) -> float:
    """Officer-hours the plans' routes take (walking, inspecting, dwelling and waiting)."""
    return sum(r.minutes for p in plans for r in p.routes) / 60.0


def choose_grids(grids: Sequence[Grid], codes: Sequence[str] | None) -> list[Grid]:
    """The grids named by ``codes`` (None: all); unknown codes are one error listing the known."""
    if codes is None:
        return list(grids)
    by_code = {g.code: g for g in grids}
    unknown = [c for c in codes if c not in by_code]
    if unknown or not codes:
        known = ", ".join(sorted(by_code)) or "none"
        raise InvalidInputError("no such grid", [Problem(
            "grid", "", f"a grid code among: {known}", ", ".join(map(repr, unknown)) or "none",
            "pick a code from the grids file (or plan every grid)")])
    return [by_code[c] for c in dict.fromkeys(codes)]


def assign_key_points(key_points: Sequence[KeyPoint], grids: Sequence[Grid]
                      ) -> dict[str, list[KeyPoint]]:
    """Grid code → its key points: the named grid, else the grid containing the point (on a
    shared border: the first such grid by code). Every stray point is reported at once."""
    owned: dict[str, list[KeyPoint]] = {g.code: [] for g in grids}
    ordered = sorted(grids, key=lambda g: g.code)
    tree = shapely.STRtree([g.geometry for g in ordered])
    issues = ProblemCollector("key points")
    for kp in key_points:
        if kp.grid_code:
            if kp.grid_code not in owned:
                issues.add(f"key point {kp.id} {kp.name}".rstrip(), expected="a grid code of "
                           "the grids file", found=repr(kp.grid_code),
                           fix="correct its grid column or leave it empty")
                continue
            owned[kp.grid_code].append(kp)
            continue
        hits = sorted(int(i) for i in tree.query(kp.point, predicate="covered_by"))
        if not hits:
            issues.add(f"key point {kp.id} {kp.name}".rstrip(), expected="inside a grid",
                       found=f"outside every grid ({kp.point.x:.0f}, {kp.point.y:.0f} in the "
                       "network CRS)", fix="check its coordinates (GCJ-02 points are 100-700 m "
                       "off) or name its grid in the grid column")
            continue
        owned[ordered[hits[0]].code].append(kp)
    issues.raise_if_any("key points that no grid visits")
    return owned


def _shifts(shift: Shift | str | None, pattern: ShiftPattern, day: date, tz: str) -> list[Shift]:
    if isinstance(shift, Shift):
        return [shift]
    if shift is not None:
        return [shift_on(day, shift, tz=tz)]
    if pattern.is_single:
        raise InvalidInputError("which shift?", [Problem(
            "shift", "", "a shift (HH:MM-HH:MM) or a day pattern with several shifts",
            "neither", "give a shift, e.g. 08:00-12:00, or a pattern, e.g. day+night")])
    return pattern.shifts_on(day, tz=tz)


def _key_points_in(points: list[KeyPoint], shift: Shift, pattern: ShiftPattern
                   ) -> list[KeyPoint]:
    """The key points this shift visits: all of them on a single-shift day; with a pattern, those
    whose window overlaps this shift (no window: every shift)."""
    if pattern.is_single:
        return points
    out = []
    for kp in points:
        if kp.window is None:
            out.append(kp)
            continue
        start, end = window_in_shift(kp.window, shift)
        if min(end, shift.end) > max(start, shift.start):
            out.append(kp)
    return out


def _scaled(progress: ProgressCallback | None, lo: float, hi: float) -> ProgressCallback | None:
    if progress is None:
        return None
    return lambda fraction, message: progress(lo + (hi - lo) * fraction, message)
