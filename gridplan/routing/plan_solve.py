"""Solving a grid's patrol: k closed walks over required passes, fitted to the shift.

Routes are lists of *arcs* ``(task, forward)``: serve required pass ``task`` from its street's
``a`` to ``b`` (forward) or back, walking shortest paths (minutes) in between and back to the
station.

1. **Solve**: one officer on foot → the exact postman tour (:func:`postman_tour`, T-join);
   otherwise (several officers, or driving, where two-way streets may be served either way) →
   the min–max k-postman genetic search (:func:`solve_minmax`).
2. **Fit the shift** (:func:`fit_to_shift`): while routes run over the shift, drop required passes,
   lowest priority first, at least as many minutes as the total overrun, and solve again (a few
   rounds); if still over, remove the lowest-priority passes from each overlong route. Then put
   dropped passes back, highest priority first (:func:`put_back`): wherever the cheapest
   insertion keeps a route within the shift, else into the route where it fits by leaving out
   passes of lower priority only (the least valuable such set; what it leaves out is tried
   again in its turn). So a batch drop never leaves out more than it must, and priority holds
   across officers, not route by route: no pass is left out that some route could take by
   giving up lower-priority passes only.
3. **Key-point windows** (:func:`repair_windows`): for each missed window try, in order, moving
   the key point's street to the best other position in the same route, walking the route the
   other way round (on foot), and moving the street to another officer; a change is kept when it
   meets more windows and keeps every route within the shift.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from gridplan.model import Shift
from gridplan.progress import Cancelled, ProgressCallback, ShouldCancel, report
from gridplan.routing.arcroute_bounds import minmax_lower_bound
from gridplan.routing.arcroute_instance import ArcInstance
from gridplan.routing.arcroute_result import ArcRoutingResult
from gridplan.routing.arcroute_solver import SearchParams, solve_minmax
from gridplan.routing.keypoints import Arrival, SnappedKeyPoint, arrival_at
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan_area import RoutingArea, with_tasks
from gridplan.routing.postman import PostmanOptions, postman_tour

Arc = tuple[int, bool]
Route = list[Arc]
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Task:
    """One required pass: street ``street`` (area index), its ``copy``-th pass this shift."""

    street: int
    copy: int
    inspection_min: float
    dwell_min: float
    priority: tuple  # lower = dropped first


class Routes:
    """Arc routes over an area's tasks, with costs in minutes."""

    def __init__(self, area: RoutingArea, tasks: Sequence[Task]) -> None:
        self.area, self.tasks = area, tasks
        self.dist = area.base.distance_rows()
        self.depot = area.depot

    def ends(self, arc: Arc) -> tuple[int, int]:
        s = self.area.streets[self.tasks[arc[0]].street]
        return (s.a, s.b) if arc[1] else (s.b, s.a)

    def travel(self, arc: Arc) -> float:
        return self.area.streets[self.tasks[arc[0]].street].travel_min(arc[1])

    def service(self, arc: Arc) -> float:
        t = self.tasks[arc[0]]
        return self.travel(arc) + t.inspection_min + t.dwell_min

    def cost(self, route: Route) -> float:
        loc, total = self.depot, 0.0
        for arc in route:
            start, end = self.ends(arc)
            total += self.dist[loc][start] + self.service(arc)
            loc = end
        return total + self.dist[loc][self.depot] if route else 0.0

    def best_insertion(self, route: Route, task: int, positions: range | None = None,
                       ways: tuple[bool, ...] = (True, False)) -> tuple[float, int, bool]:
        """(added minutes, position, forward) of the cheapest way to add ``task`` (at one of
        ``positions``, default anywhere; walked one of ``ways``)."""
        best = (math.inf, 0, True)
        stops = [self.depot] + [self.ends(a)[1] for a in route]
        nexts = [self.ends(a)[0] for a in route] + [self.depot]
        for pos in positions if positions is not None else range(len(route) + 1):
            before, after = stops[pos], nexts[pos]
            for forward in ways:
                arc = (task, forward)
                if not math.isfinite(self.travel(arc)):
                    continue
                start, end = self.ends(arc)
                added = (self.dist[before][start] + self.service(arc) + self.dist[end][after]
                         - self.dist[before][after])
                if added < best[0]:
                    best = (added, pos, forward)
        return best


# ---------------------------------------------------------------------------------- hooks
class Hooks:
    """The caller's ``progress`` and ``should_cancel`` (see :mod:`gridplan.progress`).

    Progress never goes back (a later search restarting at its own 0 % is not reported
    lower); a cancel stops a running search inside the engine, which polls ``should_cancel``
    every child, and raises :class:`~gridplan.progress.Cancelled` here."""

    def __init__(self, progress: ProgressCallback | None = None,
                 should_cancel: ShouldCancel | None = None) -> None:
        self.progress, self.should_cancel = progress, should_cancel
        self._reported = 0.0

    def check(self, fraction: float, message: str) -> None:
        """Report progress; raise :class:`~gridplan.progress.Cancelled` if asked to stop."""
        self._reported = max(self._reported, fraction)
        report(self._reported, message, progress=self.progress, should_cancel=self.should_cancel)

    def stop_if_cancelled(self, where: str) -> None:
        if self.should_cancel is not None and self.should_cancel():
            raise Cancelled(f"cancelled: {where}")

    def solve(self, instance: ArcInstance, k: int, search: SearchParams, *,
              span: tuple[float, float] = (0.1, 0.8)) -> ArcRoutingResult:
        """The min–max search, its progress reported within ``span`` of the whole."""
        self.stop_if_cancelled(f"before the route search for {k} officer(s)")
        lo, hi = span
        message = f"route search for {k} officer(s)"

        def heard(fraction: float) -> None:
            if self.progress is not None and lo + (hi - lo) * fraction > self._reported:
                self._reported = lo + (hi - lo) * fraction
                self.progress(self._reported, message)

        result = solve_minmax(instance, k, search, should_cancel=self.should_cancel,
                              progress=heard)
        if result.cancelled:
            raise Cancelled(f"cancelled in the {message}")
        return result


# ---------------------------------------------------------------------------------- solving
def solve(area: RoutingArea, tasks: Sequence[Task], kept: Sequence[int], k: int,
          params: PatrolParams, *, time_limit_s: float, hooks: Hooks | None = None
          ) -> tuple[list[Route], float, str]:
    """Routes serving the ``kept`` tasks, the lower bound on the longest, and the method."""
    if not kept:
        return [[] for _ in range(k)], 0.0, "nothing to serve"
    if k == 1 and area.mode == "walk":
        return _postman(area, tasks, kept, params)
    instance = with_tasks(area.base, [tasks[i].street for i in kept],
                          [_service(area, tasks[i]) for i in kept])
    result = (hooks or Hooks()).solve(instance, k, SearchParams(
        seed=params.seed, time_limit_s=time_limit_s, max_iterations=params.max_iterations))
    routes = [[(kept[a >> 1], a % 2 == 0) for a in r] for r in result.routes]
    routes += [[] for _ in range(k - len(routes))]
    method = f"min-max {k}-postman (hybrid genetic search)"
    if result.stop_reason == "time limit":
        method += " — stopped by the time cap, a rerun may differ"
    return routes, result.lower_bound, method


def _service(area: RoutingArea, task: Task) -> float:
    s = area.streets[task.street]
    return min(s.travel_ab_min, s.travel_ba_min) + task.inspection_min + task.dwell_min


def _postman(area: RoutingArea, tasks: Sequence[Task], kept: Sequence[int],
             params: PatrolParams) -> tuple[list[Route], float, str]:
    graph = nx.MultiGraph()
    graph.add_nodes_from(range(len(area.nodes)))
    for i, s in enumerate(area.streets):
        graph.add_edge(s.a, s.b, key=i, minutes=s.travel_ab_min)  # walking is symmetric
    for v, (x, y) in enumerate(area.node_xy):
        graph.nodes[v]["x"], graph.nodes[v]["y"] = float(x), float(y)
    passes: dict[tuple, int] = {}
    copies: dict[int, list[int]] = {}
    for i in kept:
        s = area.streets[tasks[i].street]
        passes[(s.a, s.b, tasks[i].street)] = passes.get((s.a, s.b, tasks[i].street), 0) + 1
        copies.setdefault(tasks[i].street, []).append(i)
    tour = postman_tour(graph, required=passes, start=area.depot,
                        options=PostmanOptions(weight="minutes", seed=params.seed))
    route: Route = []
    for step in tour.steps:
        if not step.deadhead:
            street = area.streets[step.key]
            route.append((copies[step.key].pop(0), step.u == street.a))
    extra = sum(tasks[i].inspection_min + tasks[i].dwell_min for i in kept)
    return [route], tour.lower_bound_m + extra, f"postman: {tour.method}"


def lower_bound(area: RoutingArea, tasks: Sequence[Task], kept: Sequence[int], k: int) -> float:
    """Bound on the longest of k routes serving ``kept`` (matching bound / k, farthest pass)."""
    if not kept:
        return 0.0
    instance = with_tasks(area.base, [tasks[i].street for i in kept],
                          [_service(area, tasks[i]) for i in kept])
    return minmax_lower_bound(instance, k)


# ---------------------------------------------------------------------------------- shift fit
@dataclass
class Fitted:
    routes: list[Route]
    dropped: list[int]  # task indices left out
    lower_bound: float
    method: str
    solves: int


def fit_to_shift(area: RoutingArea, tasks: Sequence[Task], k: int, params: PatrolParams,
                 budget_min: float, *, rounds: int = 3, hooks: Hooks | None = None) -> Fitted:
    """Routes within ``budget_min`` each, leaving out the lowest-priority passes if needed."""
    hooks = hooks or Hooks()
    order = sorted(range(len(tasks)), key=lambda i: tasks[i].priority)  # drop from the front
    kept = sorted(range(len(tasks)))
    dropped: list[int] = []
    ev = Routes(area, tasks)
    routes, bound, method = solve(area, tasks, kept, k, params, time_limit_s=params.time_limit_s,
                                  hooks=hooks)
    solves = 1
    for _ in range(rounds):
        over = sum(max(0.0, ev.cost(r) - budget_min) for r in routes)
        if over <= _EPS:
            break
        removed = 0.0
        for i in order:
            if removed >= over and removed > 0:
                break
            if i in dropped:
                continue
            dropped.append(i)
            removed += _service(area, tasks[i])
        kept = sorted(set(kept) - set(dropped))
        hooks.check(0.5, f"{len(dropped)} pass(es) left out, solving again")
        routes, bound, method = solve(area, tasks, kept, k, params,
                                      time_limit_s=max(0.5, params.time_limit_s / 2), hooks=hooks)
        solves += 1
    for route in routes:  # still over: trim each overlong route, lowest priority first
        while route and ev.cost(route) > budget_min + _EPS:
            worst = min(range(len(route)), key=lambda p: tasks[route[p][0]].priority)
            dropped.append(route.pop(worst)[0])
    put_back(ev, routes, dropped, budget_min)
    served = sorted(a[0] for r in routes for a in r)
    if sorted(kept) != served:  # the bound must be for what is served in the end
        bound = lower_bound(area, tasks, served, k)
    return Fitted(routes, sorted(dropped, key=lambda i: tasks[i].priority), bound, method, solves)


def put_back(ev: Routes, routes: list[Route], dropped: list[int], budget_min: float) -> None:
    """Serve left-out passes, highest priority first, giving up lower-priority ones if needed.

    A pass goes where its cheapest insertion fits the shift; if it fits nowhere, into a route
    whose passes of higher priority (its *core*) leave room for it, giving up that route's
    lowest-priority passes one by one until the route fits again — in the route whose given-up
    passes are least valuable (lowest best priority, then fewest, then fewest minutes). Given-up
    passes wait for their turn. Every pass has one turn: only a higher-priority pass pushes one
    out, and those have had theirs. Changes ``routes`` and ``dropped`` in place."""
    by_priority = lambda i: ev.tasks[i].priority  # noqa: E731
    waiting = sorted(dropped, key=by_priority)
    while waiting:
        task = waiting.pop()  # the highest priority still left out
        change = _cheapest_insertion(ev, routes, task, budget_min) or _displacing(
            ev, routes, task, budget_min)
        if change is None:
            continue
        r, route, out = change
        routes[r] = route
        dropped.remove(task)
        dropped.extend(out)
        waiting = sorted(waiting + out, key=by_priority)


def _cheapest_insertion(ev: Routes, routes: list[Route], task: int, budget_min: float
                        ) -> tuple[int, Route, list[int]] | None:
    best = None
    for r, route in enumerate(routes):
        added, pos, forward = ev.best_insertion(route, task)
        if ev.cost(route) + added <= budget_min + _EPS and (best is None or added < best[0]):
            best = (added, r, route[:pos] + [(task, forward)] + route[pos:])
    return None if best is None else (best[1], best[2], [])


def _displacing(ev: Routes, routes: list[Route], task: int, budget_min: float
                ) -> tuple[int, Route, list[int]] | None:
    """(route index, new route, passes given up) of the least valuable way to make room."""
    best = None
    for r, route in enumerate(routes):
        made = _make_room(ev, route, task, budget_min)
        if made is not None:
            trial, out = made
            key = (sorted((ev.tasks[i].priority for i in out), reverse=True), len(out),
                   ev.cost(trial))
            if best is None or key < best[0]:
                best = (key, r, trial, out)
    return None if best is None else best[1:]


def _make_room(ev: Routes, route: Route, task: int, budget_min: float
               ) -> tuple[Route, list[int]] | None:
    """``route`` with ``task`` in and its lowest-priority passes out until it fits, or None
    when even its higher-priority passes alone leave no room."""
    mine = ev.tasks[task].priority
    core = [p for p, a in enumerate(route) if ev.tasks[a[0]].priority > mine]
    added, pos, forward = ev.best_insertion([route[p] for p in core], task)
    if ev.cost([route[p] for p in core]) + added > budget_min + _EPS:
        return None
    # the cheapest place between the same higher-priority neighbours: once every lower pass
    # is out, this is the core with the pass at its best place, which fits
    lo = core[pos - 1] + 1 if pos > 0 else 0
    hi = core[pos] if pos < len(core) else len(route)
    _, at, _ = ev.best_insertion(route, task, range(lo, hi + 1), (forward,))
    trial = route[:at] + [(task, forward)] + route[at:]
    out: list[int] = []
    while ev.cost(trial) > budget_min + _EPS:
        lower = [p for p, a in enumerate(trial) if ev.tasks[a[0]].priority < mine]
        if not lower:
            return None  # (rounding only: the core with the pass fitted above)
        out.append(trial.pop(min(lower, key=lambda p: ev.tasks[trial[p][0]].priority))[0])
    return trial, out


# ---------------------------------------------------------------------------------- timeline
def timeline(ev: Routes, route: Route, kps: dict[int, list[SnappedKeyPoint]], shift: Shift,
             budget_min: float) -> tuple[list[float], list[Arrival], float]:
    """Start minute of each arc's service, key-point arrivals, total minutes incl. waits."""
    base = ev.cost(route)
    clock, loc, waited = 0.0, ev.depot, 0.0
    starts: list[float] = []
    arrivals: list[Arrival] = []
    for arc in route:
        start, end = ev.ends(arc)
        clock += ev.dist[loc][start]
        starts.append(clock)
        inside = 0.0  # dwell of earlier key points on this street
        for kp in sorted(kps.get(arc[0], []), key=lambda k: k.fraction(arc[1])):
            minute = clock + kp.fraction(arc[1]) * ev.travel(arc) + inside
            got = arrival_at(kp, minute, shift, slack_min=budget_min - base - waited)
            arrivals.append(got)
            waited += got.wait_min
            clock += got.wait_min
            inside += kp.key_point.dwell_minutes
        clock += ev.service(arc)
        loc = end
    return starts, arrivals, base + waited


def missed(ev: Routes, routes: list[Route], kps, shift: Shift, budget: float) -> int:
    return sum(not a.on_time for r in routes for a in timeline(ev, r, kps, shift, budget)[1])


def repair_windows(ev: Routes, routes: list[Route], kps: dict[int, list[SnappedKeyPoint]],
                   shift: Shift, budget_min: float, *, walk: bool) -> dict[str, str]:
    """Change routes so more key-point windows are met (see the module docstring).

    Returns key point id → what was done."""
    done: dict[str, str] = {}
    for task, points in sorted(kps.items()):
        where = _route_of(routes, task)
        if where is None:
            continue
        now = missed(ev, routes, kps, shift, budget_min)
        if now == 0:
            break
        if all(a.on_time for a in timeline(ev, routes[where], kps, shift, budget_min)[1]
               if a.key_point.street == ev.tasks[task].street):
            continue
        for label, candidate in _candidates(ev, routes, where, task, walk=walk):
            if all(ev.cost(r) <= budget_min + _EPS for r in candidate) and missed(
                    ev, candidate, kps, shift, budget_min) < now:
                routes[:] = candidate
                for kp in points:
                    done[kp.key_point.id] = label
                break
    return done


def _route_of(routes: list[Route], task: int) -> int | None:
    for r, route in enumerate(routes):
        if any(a[0] == task for a in route):
            return r
    return None


def _candidates(ev: Routes, routes: list[Route], where: int, task: int, *, walk: bool):
    route = routes[where]
    pos = next(p for p, a in enumerate(route) if a[0] == task)
    without = route[:pos] + route[pos + 1:]
    options = []
    for p in range(len(without) + 1):  # 1. another position in the same route
        for forward in (True, False):
            if math.isfinite(ev.travel((task, forward))):
                moved = [list(r) for r in routes]
                moved[where] = without[:p] + [(task, forward)] + without[p:]
                options.append((ev.cost(moved[where]), "moved within the route", moved))
    options.sort(key=lambda o: o[0])
    out = [(label, cand) for _, label, cand in options]
    if walk:  # 2. the same route the other way round
        flipped = [list(r) for r in routes]
        flipped[where] = [(t, not f) for t, f in reversed(route)]
        out.append(("route walked the other way round", flipped))
    for other in range(len(routes)):  # 3. another officer
        if other == where:
            continue
        for p in range(len(routes[other]) + 1):
            for forward in (True, False):
                if math.isfinite(ev.travel((task, forward))):
                    moved = [list(r) for r in routes]
                    moved[where] = without
                    moved[other] = routes[other][:p] + [(task, forward)] + routes[other][p:]
                    out.append((f"reassigned to officer {other + 1}", moved))
    return out
