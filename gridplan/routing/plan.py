"""The squad leader's daily plan: patrol routes for a grid's officers in a shift, a day, a week.

:func:`plan_grid` — one grid, one shift: the streets the grid must have patrolled today (see
:mod:`gridplan.routing.plan_area` for which streets are the grid's and
:mod:`gridplan.routing.frequency` for which are due today and how many passes), wide streets on
both sides, key points in their windows, k closed walks from the station minimising the longest
(:mod:`gridplan.routing.plan_solve`), fitted to the shift with what is left out named.
:func:`day_plan` — the day's shifts (e.g. 白 + 黑): grade-1 streets in both, others once; a
single shift knows its place in the day from a :class:`~gridplan.routing.shifts.ShiftPattern`.
:func:`week_plan` — which day of the week (or of any n-day cycle) each low-frequency street is due.

Priorities when not everything fits (lowest dropped first): streets with key points last, then
a street's first pass before its later passes, then grade (1 most important), then recent
incidents within ``incident_radius_m`` (more = more important), then nearness to the station.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplan.errors import InfeasibleError, InvalidInputError, Problem
from gridplan.model import Grid, KeyPoint, Officer, Shift
from gridplan.network import StreetNetwork
from gridplan.progress import ProgressCallback, ShouldCancel
from gridplan.routing.arcroute_bounds import farthest_task_round_trip, minmax_lower_bound
from gridplan.routing.arcroute_solver import SearchParams
from gridplan.routing.frequency import (
    CyclePlan,
    CycleStreet,
    assign_days,
    shift_passes,
    street_period,
)
from gridplan.routing.keypoints import SnappedKeyPoint, snap_key_points, window_in_shift
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan_area import AreaStreet, RoutingArea, routing_area, with_tasks
from gridplan.routing.plan_result import (
    UNCOVERED_REASONS,
    KeyPointStop,
    KeyPointVisit,
    OfficerRoute,
    PatrolPlan,
    RouteStep,
    UncoveredStreet,
)
from gridplan.routing.plan_solve import (
    Hooks,
    Route,
    Routes,
    Task,
    fit_to_shift,
    repair_windows,
    timeline,
)
from gridplan.routing.shifts import ShiftPattern

UNREACHABLE = UNCOVERED_REASONS["unreachable"]
UNREACHABLE_DRIVE = UNCOVERED_REASONS["unreachable_drive"]
OVER_SHIFT = UNCOVERED_REASONS["over_shift"]


def plan_grid(
    network: StreetNetwork,
    grid: Grid,
    *,
    officers: int | Sequence[Officer | str],
    shift: Shift,
    pattern: ShiftPattern | str | None = None,
    key_points: Sequence[KeyPoint] = (),
    incidents: gpd.GeoDataFrame | None = None,
    params: PatrolParams | None = None,
    day: date | None = None,
    street_priority: Mapping[Hashable, float] | None = None,
    progress: ProgressCallback | None = None,
    should_cancel: ShouldCancel | None = None,
) -> PatrolPlan:
    """Routes for ``officers`` (a count or the officers) of ``grid`` in ``shift``.

    ``street_priority``: street id → how much it needs a visit now (0–1), e.g. the share of its
    passes missed lately by the officers' tracks (:func:`gridplan.coverage.missed_share`). When
    the shift is too short, passes are kept in this order: key-point streets, first passes before
    repeat passes, grade, then this, then recent incidents — across the officers' routes (see
    :func:`~gridplan.routing.plan_solve.put_back`).

    ``network`` and ``grid`` (polygon, station) share the network's metric CRS; ``incidents`` is a
    point GeoDataFrame in that CRS with an optional tz-aware ``time`` column. ``day`` (default the
    shift's start date) decides which low-frequency streets are due. ``pattern`` is the day's
    shifts (:class:`~gridplan.routing.shifts.ShiftPattern` or its text, e.g. ``"day+night"``;
    default ``single``: this shift is the whole day): a street due p times a day gets this
    shift's share of the p passes (see :mod:`gridplan.routing.frequency`).

    ``progress(fraction, message)`` hears how far planning is; when ``should_cancel()`` turns
    true planning stops with :class:`~gridplan.progress.Cancelled` at the next checkpoint.
    """
    pattern = pattern if isinstance(pattern, ShiftPattern) else ShiftPattern.parse(pattern)
    rank, count = pattern.place_of(shift)
    place = ShiftPlace(rank, count, pattern.part_of(shift))
    return _plan_shift(network, grid, officers=officers, shift=shift, place=place,
                       key_points=key_points, incidents=incidents, params=params, day=day,
                       street_priority=street_priority or {},
                       hooks=Hooks(progress, should_cancel))


@dataclass(frozen=True, slots=True)
class ShiftPlace:
    """A shift's place in the day: its rank among the day's shifts (0 gets passes first)."""

    rank: int = 0
    shifts_today: int = 1
    part: str = ""  # e.g. 白 / 黑


def _plan_shift(network: StreetNetwork, grid: Grid, *, officers: int | Sequence[Officer | str],
                shift: Shift, place: ShiftPlace, key_points: Sequence[KeyPoint],
                incidents: gpd.GeoDataFrame | None, params: PatrolParams | None,
                day: date | None, hooks: Hooks,
                street_priority: Mapping[Hashable, float] | None = None) -> PatrolPlan:
    started = time.perf_counter()
    names = _officer_names(officers)
    params = params or PatrolParams()
    hooks.check(0.0, f"grid {grid.code}: streets")
    area = routing_area(network, grid, params=params)
    day = day or shift.start.date()
    cycle = _cycle_plan(area, params)
    passes = _due_passes(area, params, cycle, day, place)
    snapped = snap_key_points(area, key_points, max_m=params.station_snap_max_m)
    for kp in snapped:
        passes[kp.street] = max(passes.get(kp.street, 0), 1)
    tasks = _tasks(area, params, passes, snapped, _incident_counts(area, incidents, shift, params),
                   street_priority or {})
    budget = shift.minutes
    if not tasks:
        return _empty_plan(area, grid, shift, names, params, cycle, day, place, started)
    hooks.check(0.1, f"grid {grid.code}: routes for {len(names)} officer(s)")
    fitted = fit_to_shift(area, tasks, len(names), params, budget, hooks=hooks)
    if len(fitted.dropped) == len(tasks):
        _raise_shift_too_short(area, tasks, grid, shift)
    ev = Routes(area, tasks)
    kps = _kps_by_task(tasks, snapped)
    hooks.check(0.85, f"grid {grid.code}: key-point windows")
    repairs = repair_windows(ev, fitted.routes, kps, shift, budget, walk=area.mode == "walk")
    routes, visits = _officer_routes(ev, fitted.routes, kps, shift, budget, names, repairs)
    visits += _unserved_key_points(area, snapped, tasks, fitted.dropped)
    hooks.check(0.9, f"grid {grid.code}: officers needed")
    needed = (_officers_needed(area, tasks, len(names), params, budget, hooks)
              if fitted.dropped and params.estimate_officers_needed else None)
    unreachable_passes = _unreachable_passes(area, params, cycle, day, place)
    required = Counter({area.streets[i].street_id: n for i, n in passes.items()})
    for s, n in unreachable_passes:
        required[s.street_id] += n
    hooks.check(1.0, f"grid {grid.code}: done")
    return PatrolPlan(
        grid_code=grid.code, mode=area.mode, shift=shift, station_node=area.nodes[area.depot],
        station_snap_m=area.station_snap_m, station_given=area.station_given,
        routes=tuple(routes), required=dict(required),
        uncovered=tuple(_uncovered(area, tasks, fitted.dropped, unreachable_passes)),
        key_points=tuple(sorted(visits, key=lambda v: v.id)),
        lower_bound_min=fitted.lower_bound, method=fitted.method,
        runtime_s=time.perf_counter() - started, crs=area.network_crs, officers_needed=needed,
        notes=tuple(n for n in (_bridge_note(area, params),) if n),
        links=area.links, day_part=place.part, shifts_today=place.shifts_today)


# ---------------------------------------------------------------------------------- inputs
def _officer_names(officers: int | Sequence[Officer | str]) -> list[str]:
    if isinstance(officers, bool) or (isinstance(officers, int) and officers < 1) or (
            not isinstance(officers, int) and not officers):
        raise InvalidInputError("no officers to plan for", [Problem(
            "officers", "", "at least one officer (k >= 1)", repr(officers),
            "give the number of officers on shift, e.g. 3")])
    if isinstance(officers, int):
        return [_letter(i) for i in range(officers)]
    return [o.name or o.id if isinstance(o, Officer) else str(o) for o in officers]


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"A{i}"


def _cycle_plan(area: RoutingArea, params: PatrolParams) -> CyclePlan:
    origin = tuple(area.node_xy[area.depot])
    streets = []
    for s in [*area.streets, *area.unreachable]:
        period = street_period(s.grade, params) if s.in_grid else 1
        if period > 1:
            mid = s.geometry.interpolate(0.5, normalized=True)
            minutes = params.sides(s.grade, s.lanes, one_side=s.one_side) * (
                min(s.travel_ab_min, s.travel_ba_min) + params.inspection_minutes(s.length_m,
                                                                                  s.grade))
            streets.append(CycleStreet(s.street_id, minutes, mid.x, mid.y, period))
    return assign_days(streets, origin=(float(origin[0]), float(origin[1])))


def _passes_of(street: AreaStreet, params: PatrolParams, cycle: CyclePlan, day: date,
               place: ShiftPlace) -> int:
    per_day = params.passes_per_day[street.grade]
    if street_period(street.grade, params) > 1:
        due = cycle.due_on(street.street_id, day) and place.rank == 0
        passes = 1 if due else 0
    else:
        passes = shift_passes(per_day, shift_rank=place.rank, shifts_today=place.shifts_today)
    return passes * params.sides(street.grade, street.lanes, one_side=street.one_side)


def _due_passes(area: RoutingArea, params: PatrolParams, cycle: CyclePlan, day: date,
                place: ShiftPlace) -> dict[int, int]:
    out = {}
    for i in area.grid_streets:
        n = _passes_of(area.streets[i], params, cycle, day, place)
        if n:
            out[i] = n
    return out


def _unreachable_passes(area: RoutingArea, params: PatrolParams, cycle: CyclePlan, day: date,
                        place: ShiftPlace) -> list[tuple[AreaStreet, int]]:
    found = [(s, _passes_of(s, params, cycle, day, place)) for s in area.unreachable]
    return [(s, n) for s, n in found if n]


def _incident_counts(area: RoutingArea, incidents: gpd.GeoDataFrame | None, shift: Shift,
                     params: PatrolParams) -> np.ndarray:
    counts = np.zeros(len(area.streets), dtype=np.int64)
    if incidents is None or len(incidents) == 0:
        return counts
    frame = incidents
    if "time" in frame.columns:
        times = pd.to_datetime(frame["time"])
        since = shift.start - timedelta(days=params.incident_recent_days)
        frame = frame[(times > since) & (times <= shift.start)]
    tree = shapely.STRtree(np.array([s.geometry for s in area.streets], dtype=object))
    _, streets = tree.query(np.asarray(frame.geometry.values), predicate="dwithin",
                            distance=params.incident_radius_m)
    np.add.at(counts, streets, 1)
    return counts


def _tasks(area: RoutingArea, params: PatrolParams, passes: dict[int, int],
           snapped: Sequence[SnappedKeyPoint], incidents: np.ndarray,
           street_priority: Mapping[Hashable, float]) -> list[Task]:
    dwell = Counter()
    for kp in snapped:
        dwell[kp.street] += kp.key_point.dwell_minutes
    station = area.node_xy[area.depot]
    tasks = []
    for i, n in sorted(passes.items()):
        s = area.streets[i]
        mid = s.geometry.interpolate(0.5, normalized=True)
        away = math.hypot(mid.x - station[0], mid.y - station[1])
        for copy in range(n):
            missed = float(street_priority.get(s.street_id, 0.0))
            priority = (i in dwell, copy == 0, -s.grade, missed, int(incidents[i]), -round(away),
                        repr(s.street_id), -copy)
            tasks.append(Task(i, copy, params.inspection_minutes(s.length_m, s.grade),
                              dwell[i] if copy == 0 else 0.0, priority))
    return tasks


def _kps_by_task(tasks: Sequence[Task], snapped: Sequence[SnappedKeyPoint]
                 ) -> dict[int, list[SnappedKeyPoint]]:
    first = {t.street: i for i, t in reversed(list(enumerate(tasks))) if t.copy == 0}
    out: dict[int, list[SnappedKeyPoint]] = {}
    for kp in snapped:
        out.setdefault(first[kp.street], []).append(kp)
    return out


# ---------------------------------------------------------------------------------- results
def _officer_routes(ev: Routes, routes: list[Route], kps, shift: Shift, budget: float,
                    names: list[str], repairs: dict[str, str]
                    ) -> tuple[list[OfficerRoute], list[KeyPointVisit]]:
    best_street = _cheapest_streets(ev.area)
    out, visits = [], []
    for name, route in zip(names, routes + [[] for _ in names], strict=False):
        _, arrivals, _ = timeline(ev, route, kps, shift, budget)
        steps, served_at = _expand(ev, route, best_street, arrivals)
        dwell = sum(a.key_point.key_point.dwell_minutes for a in arrivals)
        wait = sum(a.wait_min for a in arrivals)
        stops = []
        for a in arrivals:
            kp = a.key_point
            arrival = shift.start + timedelta(minutes=a.minute + a.wait_min)
            stops.append(KeyPointStop(served_at[kp.street], kp.key_point.id, kp.key_point.name,
                                      arrival, kp.key_point.dwell_minutes))
            visits.append(KeyPointVisit(
                kp.key_point.id, kp.key_point.name, kp.key_point.point,
                ev.area.streets[kp.street].street_id, kp.snap_m, kp.key_point.dwell_minutes,
                kp.key_point.window, name, arrival,
                late_min=a.late_min, wait_min=a.wait_min, missed=a.missed_reason,
                repair=repairs.get(kp.key_point.id, "")))
        out.append(OfficerRoute(name, tuple(steps), dwell, wait, tuple(stops)))
    return out, visits


def _cheapest_streets(area: RoutingArea) -> dict[tuple[int, int], tuple[int, bool]]:
    best: dict[tuple[int, int], tuple[float, int, bool]] = {}
    for i, s in enumerate(area.streets):
        for forward, (x, y) in ((True, (s.a, s.b)), (False, (s.b, s.a))):
            cost = s.travel_min(forward)
            if math.isfinite(cost) and cost < best.get((x, y), (math.inf,))[0]:
                best[(x, y)] = (cost, i, forward)
    return {k: (i, f) for k, (_, i, f) in best.items()}


def _expand(ev: Routes, route: Route, best_street, arrivals
            ) -> tuple[list[RouteStep], dict[int, int]]:
    """The route's steps, and for each street whose first pass it serves that step's index."""
    area = ev.area
    served_at: dict[int, int] = {}
    pause = Counter()  # dwell and waits after serving a street
    for a in arrivals:
        pause[a.key_point.street] += a.key_point.key_point.dwell_minutes + a.wait_min
    steps: list[RouteStep] = []
    clock, loc = 0.0, area.depot

    def add(street_index: int, forward: bool, deadhead: bool, extra_min: float) -> None:
        nonlocal clock
        s = area.streets[street_index]
        u, v, key = s.edge_ab if forward else s.edge_ba
        minutes = s.travel_min(forward) + extra_min
        steps.append(RouteStep(u, v, key, s.street_id, s.name, s.grade, s.oriented(forward),
                               s.length_m, minutes, deadhead, clock))
        clock += minutes

    for task, forward in [*route, (None, True)]:
        target = area.depot if task is None else ev.ends((task, forward))[0]
        walk = area.base.shortest_walk(loc, target) if loc != target else [loc]
        for x, y in zip(walk, walk[1:], strict=False):
            add(*best_street[(x, y)], True, 0.0)
        if task is None:
            break
        t = ev.tasks[task]
        add(t.street, forward, False, t.inspection_min)
        if t.copy == 0:
            served_at[t.street] = len(steps) - 1
            clock += pause.pop(t.street, 0.0)
        loc = ev.ends((task, forward))[1]
    return steps, served_at


def _unserved_key_points(area, snapped, tasks, dropped) -> list[KeyPointVisit]:
    dropped_streets = {tasks[i].street for i in dropped if tasks[i].copy == 0}
    return [KeyPointVisit(kp.key_point.id, kp.key_point.name, kp.key_point.point,
                          area.streets[kp.street].street_id, kp.snap_m,
                          kp.key_point.dwell_minutes, kp.key_point.window, None, None,
                          missed="its street does not fit in the shift")
            for kp in snapped if kp.street in dropped_streets]


def _uncovered(area: RoutingArea, tasks: Sequence[Task], dropped: Sequence[int],
               unreachable: list[tuple[AreaStreet, int]]) -> list[UncoveredStreet]:
    out = []
    reason = "unreachable_drive" if area.mode == "drive" else "unreachable"
    for s, n in unreachable:
        out.append(UncoveredStreet(s.street_id, s.name, s.grade, s.length_m, n, reason,
                                   s.geometry))
    missing = Counter(tasks[i].street for i in dropped)
    for i, n in sorted(missing.items()):
        s = area.streets[i]
        out.append(UncoveredStreet(s.street_id, s.name, s.grade, s.length_m, n, "over_shift",
                                   s.geometry))
    return out


def _officers_needed(area: RoutingArea, tasks: Sequence[Task], k: int, params: PatrolParams,
                     budget: float, hooks: Hooks, *, tries: int = 8) -> int | None:
    """Fewest officers whose routes (found by the search) all fit the shift, or None."""
    instance = with_tasks(area.base, [t.street for t in tasks],
                          [min(area.streets[t.street].travel_ab_min,
                               area.streets[t.street].travel_ba_min)
                           + t.inspection_min + t.dwell_min for t in tasks])
    if farthest_task_round_trip(instance) > budget:
        return None
    search = SearchParams(seed=params.seed, time_limit_s=max(0.5, params.time_limit_s / 2),
                          max_iterations=params.max_iterations)
    for more in range(k + 1, k + 1 + tries):
        if minmax_lower_bound(instance, more) > budget:
            continue
        hooks.stop_if_cancelled(f"trying {more} officers")
        if hooks.solve(instance, more, search).longest_route <= budget:
            return more
    return None


def _raise_shift_too_short(area: RoutingArea, tasks: Sequence[Task], grid: Grid,
                           shift: Shift) -> None:
    ev = Routes(area, tasks)
    cheapest = min(ev.cost([(i, f)]) for i in range(len(tasks)) for f in (True, False)
                   if math.isfinite(ev.travel((i, f))))
    raise InfeasibleError(f"grid {grid.code}: the shift is too short for any street", [Problem(
        "shift", f"{shift.start:%H:%M}-{shift.end:%H:%M}",
        f"at least {cheapest:.0f} min (the cheapest street there and back)",
        f"{shift.minutes:.0f} min", "lengthen the shift or move the station nearer the streets")])


def _empty_plan(area, grid, shift, names, params, cycle, day, place: ShiftPlace,
               started) -> PatrolPlan:
    unreachable = _unreachable_passes(area, params, cycle, day, place)
    return PatrolPlan(
        grid_code=grid.code, mode=area.mode, shift=shift, station_node=area.nodes[area.depot],
        station_snap_m=area.station_snap_m, station_given=area.station_given,
        routes=tuple(OfficerRoute(n, ()) for n in names),
        required={s.street_id: n for s, n in unreachable},
        uncovered=tuple(_uncovered(area, [], [], unreachable)), key_points=(),
        lower_bound_min=0.0, method="nothing due this shift",
        runtime_s=time.perf_counter() - started, crs=area.network_crs,
        notes=("no street is due in this shift",),
        day_part=place.part, shifts_today=place.shifts_today)


# ---------------------------------------------------------------------------------- day, week
@dataclass(frozen=True)
class DayPlan:
    """One plan per shift of the day, in the order the shifts were given."""

    plans: tuple[PatrolPlan, ...]

    @property
    def served(self) -> Counter:
        total: Counter = Counter()
        for p in self.plans:
            total.update(p.served)
        return total

    def is_valid(self, graph=None) -> bool:
        return all(p.is_valid(graph) for p in self.plans)

    def summary(self, **options) -> str:
        return "\n\n".join(p.summary(**options) for p in self.plans)


def day_plan(
    network: StreetNetwork,
    grid: Grid,
    *,
    shifts: Sequence[Shift],
    officers: int | Sequence[int],
    key_points: Sequence[KeyPoint] = (),
    incidents: gpd.GeoDataFrame | None = None,
    params: PatrolParams | None = None,
) -> DayPlan:
    """Plans for each of the day's ``shifts`` (e.g. day 08:00–17:00 and night 18:00–23:00).

    ``officers``: one count for every shift or one per shift. Whole frequencies are shared out by
    crew-minutes (see :mod:`gridplan.routing.frequency`); a key point goes to the shift its window
    overlaps most (no window: the largest crew's shift).
    """
    if not shifts:
        raise InvalidInputError("no shifts", [Problem("shifts", "", "at least one shift",
                                                      "none", "pass e.g. [day, night]")])
    crews = [officers] * len(shifts) if isinstance(officers, int) else list(officers)
    if len(crews) != len(shifts):
        raise InvalidInputError("officers per shift", [Problem(
            "officers", "", f"{len(shifts)} counts (one per shift)", repr(officers),
            "give one number for all shifts or one per shift")])
    order = sorted(range(len(shifts)),
                   key=lambda i: (-crews[i] * shifts[i].minutes, shifts[i].start))
    rank = {shift_index: r for r, shift_index in enumerate(order)}
    plans = []
    for i, shift in enumerate(shifts):
        mine = [kp for kp in key_points if _shift_of(kp, shifts, order) == i]
        place = ShiftPlace(rank[i], len(shifts), shift.name)
        plans.append(_plan_shift(network, grid, officers=crews[i], shift=shift, place=place,
                                 key_points=mine, incidents=incidents, params=params,
                                 day=shifts[0].start.date(), hooks=Hooks()))
    return DayPlan(tuple(plans))


def _shift_of(kp: KeyPoint, shifts: Sequence[Shift], order: list[int]) -> int:
    if kp.window is None:
        return order[0]

    def overlap(i: int) -> float:
        start, end = window_in_shift(kp.window, shifts[i])
        return (min(end, shifts[i].end) - max(start, shifts[i].start)) / timedelta(minutes=1)

    return max(range(len(shifts)), key=lambda i: (overlap(i), -order.index(i)))


def week_plan(network: StreetNetwork, grid: Grid, *, params: PatrolParams | None = None
              ) -> CyclePlan:
    """Which day of its cycle each low-frequency street of ``grid`` is due (for weekly streets
    day 0 = Monday), balancing minutes between days and keeping each day's streets together."""
    params = params or PatrolParams()
    return _cycle_plan(routing_area(network, grid, params=params), params)


def streets_by_day(cycle: CyclePlan, start: date, days: int = 7) -> dict[date, list[Hashable]]:
    """The low-frequency streets due on each of ``days`` days from ``start``."""
    return {start + timedelta(days=d): cycle.streets_on(start + timedelta(days=d))
            for d in range(days)}


def _bridge_note(area, params) -> str:
    if not area.bridges:
        return ""
    return (f"the walk network came in pieces: {area.bridges} gap(s) of at most "
            f"{params.bridge_gaps_m:g} m are walked across in straight lines")
