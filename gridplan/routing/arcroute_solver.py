"""Hybrid genetic search for arc routing (in the spirit of Vidal's HGS-CARP, 2022).

Individuals are giant tours (task orders). A child comes from ordered crossover (OX) of two
parents picked by binary tournament, is cut into routes by an exact Split
(:mod:`gridplan.routing.arcroute_split`), improved by local search
(:mod:`gridplan.routing.arcroute_search`) under a capacity penalty that adapts to keep a share of
children infeasible before repair, and joins a population ranked by *biased fitness* (cost rank
plus diversity rank, the diversity being the broken-pairs distance to the closest individuals).
The search restarts from a fresh population when it stalls and stops at the time limit, the
iteration limit, or when it meets the lower bound (a proof of optimality).

Three public entry points share it:

* :func:`solve_carp` — CARP: least total cost, every route within capacity.
* :func:`fewest_vehicles_for_capacity` — a shift budget as capacity: fewest routes first, then
  least total cost (a fixed cost per route larger than any possible saving).
* :func:`solve_minmax` — min–max k-postman: k closed walks, minimise the longest.

All randomness flows from ``random.Random(params.seed)``; with the same seed and an iteration
limit (not a time limit) the result is identical run to run.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from gridplan.errors import InvalidInputError, ProblemCollector
from gridplan.params import Params, param
from gridplan.routing.arcroute_bounds import carp_lower_bound, min_routes, minmax_lower_bound
from gridplan.routing.arcroute_instance import ArcInstance, require_valid_instance
from gridplan.routing.arcroute_result import ArcRoutingResult, Mode
from gridplan.routing.arcroute_search import RouteSearch, task_neighbours
from gridplan.routing.arcroute_split import split_capacity, split_minmax


@dataclass(frozen=True, kw_only=True)
class SearchParams(Params):
    """Budget and knobs of the genetic search (defaults tuned on gdb/val; see benchmarks/carp.py).

    The budget is ``max_iterations`` children: the same seed gives the same plan on any machine.
    ``time_limit_s`` is only a safety cap (a run it stops is no longer reproducible).
    """

    _section = "search"

    seed: int = param(0, ge=0, help="random seed of the search")
    max_iterations: int = param(
        2_000, ge=0, help="children generated over all restarts: the repeatable budget")
    time_limit_s: float | None = param(
        None, unit="s", gt=0, help="safety cap on the search time (none by default)")
    restart_after: int = param(
        1_000, ge=1, help="children without improvement before the population restarts")
    population_size: int = param(12, ge=2, help="survivors after each selection (mu)")
    generation_size: int = param(20, ge=1, help="children before each selection (lambda)")
    n_elite: int = param(4, ge=0, help="best individuals kept whatever their diversity")
    n_closest: int = param(3, ge=1, help="neighbours averaged in the diversity measure")
    granular_size: int = param(20, ge=1, help="closest tasks tried per task in the local search")
    repair_probability: float = param(
        0.5, ge=0, le=1, help="probability of repairing an infeasible child")
    target_feasible: float = param(
        0.25, gt=0, lt=1, help="share of children feasible before repair the penalty aims at")

    def _check(self, issues: ProblemCollector) -> None:
        if self.n_elite > self.population_size:
            issues.add("n_elite", expected=f"<= population_size ({self.population_size})",
                       found=repr(self.n_elite), fix="lower n_elite or raise population_size")


class _Stop:
    """When the search must stop: iteration budget, optional time cap, or the caller's cancel.

    ``progress`` hears the fraction of the iteration budget used, once per percent.
    """

    def __init__(self, params: SearchParams, should_cancel: Callable[[], bool] | None,
                 progress: Callable[[float], None] | None) -> None:
        self.began = time.perf_counter()
        cap = params.time_limit_s
        self.deadline = math.inf if cap is None else self.began + cap
        self.budget = params.max_iterations
        self.should_cancel = should_cancel
        self.progress = progress
        self.cancelled = False
        self._reported = -1

    def now(self) -> bool:
        """True once the caller cancelled or the time cap passed (cheap: call it often)."""
        if self.cancelled:
            return True
        if self.should_cancel is not None and self.should_cancel():
            self.cancelled = True
            return True
        return time.perf_counter() >= self.deadline

    def out_of_budget(self, iterations: int) -> bool:
        return iterations >= self.budget or self.now()

    def report(self, iterations: int) -> None:
        if self.progress is None:
            return
        percent = 100 if self.budget == 0 else min(100, 100 * iterations // self.budget)
        if percent > self._reported:
            self._reported = percent
            self.progress(percent / 100.0)

    @property
    def reason(self) -> str:
        if self.cancelled:
            return "cancelled"
        return "time limit" if time.perf_counter() >= self.deadline else "iterations"


Hook = Callable[[], bool] | None
Progress = Callable[[float], None] | None


@dataclass
class _Individual:
    routes: list[list[int]]
    key: tuple[float, float]  # what the population ranks by (lower is better)
    value: float  # the objective (total cost or longest route), no penalty
    pairs: frozenset[tuple[int, int]]
    closeness: dict[int, float]  # id(other) -> broken-pairs distance

    @property
    def order(self) -> list[int]:
        return [a >> 1 for route in self.routes for a in route]


def solve_carp(instance: ArcInstance, params: SearchParams | None = None, *,
               should_cancel: Hook = None, progress: Progress = None) -> ArcRoutingResult:
    """Capacitated arc routing: every task served once, loads within capacity, least total cost.

    ``should_cancel`` is polled at least once per child and per local-search round; when it
    returns True the search stops and returns the best plan so far (``result.cancelled``).
    ``progress`` hears the fraction of the iteration budget used (0 … 1).
    """
    if instance.capacity is None:
        raise InvalidInputError(
            f"{instance.name}: CARP needs a capacity; use solve_minmax for k uncapacitated routes"
        )
    return _Genetic(instance, params or SearchParams(), mode="capacity").run(
        _Stop(params or SearchParams(), should_cancel, progress))


def fewest_vehicles_for_capacity(
    instance: ArcInstance, params: SearchParams | None = None, *,
    should_cancel: Hook = None, progress: Progress = None,
) -> ArcRoutingResult:
    """Fewest routes that fit the capacity (e.g. officers' shift minutes), then least total cost.

    Demands are the time each street takes to serve (walking plus inspection) and ``capacity`` the
    shift budget in the same unit; the result's ``lower_bound`` bounds the total cost. Hooks as
    in :func:`solve_carp`.
    """
    if instance.capacity is None:
        raise InvalidInputError(f"{instance.name}: a capacity (shift budget) is needed")
    return _Genetic(instance, params or SearchParams(), mode="fewest_vehicles").run(
        _Stop(params or SearchParams(), should_cancel, progress))


def solve_minmax(
    instance: ArcInstance, k: int, params: SearchParams | None = None, *,
    should_cancel: Hook = None, progress: Progress = None,
) -> ArcRoutingResult:
    """Min–max k-postman: k closed walks from the depot serving every task; minimise the longest.

    Capacity, if any, is ignored. Fewer than k walks may be non-empty when that is optimal.
    Hooks as in :func:`solve_carp`.
    """
    if not isinstance(k, int) or k < 1:
        raise InvalidInputError(f"k must be a positive integer; got {k!r}")
    return _Genetic(instance, params or SearchParams(), mode="minmax", k=k).run(
        _Stop(params or SearchParams(), should_cancel, progress))


class _Genetic:
    def __init__(
        self, instance: ArcInstance, params: SearchParams, *, mode: Mode, k: int = 0
    ) -> None:
        require_valid_instance(instance)
        self.instance, self.params, self.mode, self.k = instance, params, mode, k
        self.rng = random.Random(params.seed)
        self.m = instance.n_tasks
        _, _, cost = instance.arcs()
        finite = [c for c in cost if math.isfinite(c)]
        span = float(instance.distance[instance.distance < math.inf].max()) if self.m else 0.0
        self.fixed_cost = 0.0
        if mode == "fewest_vehicles":  # larger than any cost difference between two plans
            self.fixed_cost = 4.0 * (sum(finite) + 2 * span * self.m) + 1.0
        self.search = RouteSearch(
            instance,
            task_neighbours(instance, min(params.granular_size, self.m - 1) or 1),
            objective="minmax" if mode == "minmax" else "total",
            rng=self.rng,
            use_capacity=mode != "minmax",
            route_fixed_cost=self.fixed_cost,
        )
        total_demand = float(instance.demand.sum())
        self.penalty = max(1.0, sum(finite) / max(total_demand, 1e-9))
        self.lower_bound = (
            minmax_lower_bound(instance, k) if mode == "minmax" else carp_lower_bound(instance)
        )
        self.feasible_history: list[bool] = []
        self.stop_now: Callable[[], bool] = lambda: False

    # ------------------------------------------------------------------ main loop
    def run(self, stop: _Stop) -> ArcRoutingResult:
        p = self.params
        self.stop_now = stop.now
        best: _Individual | None = None
        found_at = stop.began
        iterations = 0
        stop.report(0)
        while not (stop.out_of_budget(iterations) or self._proven(best)):
            population = self._initial_population()
            if population:
                candidate = min(population, key=lambda ind: ind.key)
                if best is None or candidate.key < best.key:
                    best, found_at = candidate, time.perf_counter()
            stalled = 0
            while (population and stalled < p.restart_after
                   and not stop.out_of_budget(iterations) and not self._proven(best)):
                iterations += 1
                stalled += 1
                child = self._offspring(population)
                stop.report(iterations)
                if child is None:
                    continue
                self._insert(population, child)
                if child.key < best.key:
                    best, stalled, found_at = child, 0, time.perf_counter()
                if iterations % 100 == 0:
                    self._adapt_penalty()
        if best is None:  # stopped before a single feasible individual: Split alone, no search
            best = self._individual(self._split(list(range(self.m))))
        stop.report(p.max_iterations)
        return ArcRoutingResult(
            instance=self.instance,
            routes=tuple(tuple(r) for r in best.routes if r or self.mode == "minmax"),
            mode=self.mode,
            lower_bound=self.lower_bound,
            runtime_s=time.perf_counter() - stop.began,
            best_found_s=found_at - stop.began,
            iterations=iterations,
            seed=p.seed,
            stop_reason="proven" if self._proven(best) else stop.reason,
        )

    def _proven(self, best: _Individual | None) -> bool:
        if best is None or self.mode == "fewest_vehicles":
            return False
        return best.value <= self.lower_bound + 1e-9 * max(1.0, self.lower_bound)

    def _initial_population(self) -> list[_Individual]:
        population: list[_Individual] = []
        target = 2 * self.params.population_size
        attempts = 0
        while len(population) < target and attempts < 4 * target:
            attempts += 1
            if self.stop_now():
                break
            # half greedy nearest-task tours (good starts for large instances), half random
            if attempts % 2:
                order = self._nearest_task_order()
            else:
                order = list(range(self.m))
                self.rng.shuffle(order)
            child = self._educated(order, repair=True, force=not population)
            if child is not None:
                self._insert(population, child)
        return population

    def _nearest_task_order(self) -> list[int]:
        """A giant tour built by walking to one of the two closest unserved tasks each time."""
        start, end, _ = self.instance.arcs()
        dist = self.instance.distance_rows()
        left = set(range(self.m))
        loc, order = self.instance.depot, []
        while left:
            row = dist[loc]
            near = sorted(left, key=lambda t: min(row[start[2 * t]], row[start[2 * t + 1]]))[:2]
            task = near[self.rng.randrange(len(near))]
            left.remove(task)
            order.append(task)
            a = 2 * task if row[start[2 * task]] <= row[start[2 * task + 1]] else 2 * task + 1
            loc = end[a]
        return order

    # ------------------------------------------------------------------ reproduction
    def _offspring(self, population: list[_Individual]) -> _Individual | None:
        first, second = self._tournament(population), self._tournament(population)
        order = _ordered_crossover(first.order, second.order, self.rng)
        repair = self.rng.random() < self.params.repair_probability
        return self._educated(order, repair=repair)

    def _split(self, order: list[int]) -> list[list[int]]:
        if self.mode == "minmax":
            return split_minmax(self.instance, order, self.k)
        return split_capacity(self.instance, order, route_fixed_cost=self.fixed_cost)

    def _educated(
        self, order: list[int], *, repair: bool, force: bool = False
    ) -> _Individual | None:
        stop = self.stop_now
        keep_empty = 0 if self.mode == "minmax" else 1
        routes = self.search.run(
            self._split(order), penalty=self.penalty, keep_empty=keep_empty, stop=stop
        )
        feasible = self._feasible(routes)
        self.feasible_history.append(feasible)
        if not feasible and (repair or force):
            for factor in (10.0, 100.0):
                routes = self.search.run(
                    routes, penalty=self.penalty * factor, keep_empty=1, stop=stop
                )
                if self._feasible(routes):
                    break
        if not self._feasible(routes):
            if not force:
                return None
            routes = self._split(order)  # Split alone always respects capacity
        return self._individual(routes)

    def _feasible(self, routes: list[list[int]]) -> bool:
        if self.mode == "minmax" or self.instance.capacity is None:
            return True
        demand = self.search.demand
        limit = self.instance.capacity + 1e-9
        return all(sum(demand[a >> 1] for a in route) <= limit for route in routes)

    def _individual(self, routes: list[list[int]]) -> _Individual:
        routes = [r for r in routes if r] if self.mode != "minmax" else routes
        costs = [self._route_cost(r) for r in routes]
        total = sum(costs)
        if self.mode == "minmax":
            value = max(costs, default=0.0)
            key = (value, total)
        elif self.mode == "fewest_vehicles":
            value = total
            key = (float(len(routes)), total)
        else:
            value = total
            key = (total, float(len(routes)))
        return _Individual(routes, key, value, _adjacency(routes), {})

    def _route_cost(self, route: list[int]) -> float:
        if not route:
            return 0.0
        start, end, cost = self.instance.arcs()
        dist = self.instance.distance_rows()
        loc, c = self.instance.depot, 0.0
        for a in route:
            c += dist[loc][start[a]] + cost[a]
            loc = end[a]
        return c + dist[loc][self.instance.depot]

    def _adapt_penalty(self) -> None:
        recent = self.feasible_history[-100:]
        share = sum(recent) / max(len(recent), 1)
        if share < self.params.target_feasible - 0.05:
            self.penalty = min(self.penalty * 1.2, 1e9)
        elif share > self.params.target_feasible + 0.05:
            self.penalty = max(self.penalty * 0.85, 1e-3)

    # ------------------------------------------------------------------ population
    def _tournament(self, population: list[_Individual]) -> _Individual:
        fitness = self._biased_fitness(population)
        i, j = self.rng.randrange(len(population)), self.rng.randrange(len(population))
        return population[i] if fitness[i] <= fitness[j] else population[j]

    def _insert(self, population: list[_Individual], child: _Individual) -> None:
        for other in population:
            d = _broken_pairs(child.pairs, other.pairs, self.m)
            child.closeness[id(other)] = d
            other.closeness[id(child)] = d
        population.append(child)
        if len(population) > self.params.population_size + self.params.generation_size:
            while len(population) > self.params.population_size:
                self._remove_worst(population)

    def _remove_worst(self, population: list[_Individual]) -> None:
        fitness = self._biased_fitness(population)

        def badness(i: int) -> tuple[bool, float]:
            clone = any(d == 0.0 for d in population[i].closeness.values())
            return (clone, fitness[i])

        worst = max(range(len(population)), key=badness)
        gone = population.pop(worst)
        for other in population:
            other.closeness.pop(id(gone), None)

    def _biased_fitness(self, population: list[_Individual]) -> list[float]:
        n = len(population)
        if n == 1:
            return [0.0]
        by_cost = sorted(range(n), key=lambda i: population[i].key)
        diversity = [self._diversity(ind) for ind in population]
        by_diversity = sorted(range(n), key=lambda i: -diversity[i])
        cost_rank, div_rank = [0] * n, [0] * n
        for rank, i in enumerate(by_cost):
            cost_rank[i] = rank
        for rank, i in enumerate(by_diversity):
            div_rank[i] = rank
        weight = 1.0 - self.params.n_elite / n
        return [(cost_rank[i] + weight * div_rank[i]) / (n - 1) for i in range(n)]

    def _diversity(self, ind: _Individual) -> float:
        closest = sorted(ind.closeness.values())[: self.params.n_closest]
        return sum(closest) / len(closest) if closest else 0.0


def _adjacency(routes: list[list[int]]) -> frozenset[tuple[int, int]]:
    """Unordered task neighbour pairs (−1 = depot): the basis of the broken-pairs distance."""
    pairs = set()
    for route in routes:
        tasks = [-1] + [a >> 1 for a in route] + [-1]
        for x, y in zip(tasks, tasks[1:], strict=False):
            pairs.add((min(x, y), max(x, y)))
    return frozenset(pairs)


def _broken_pairs(a: frozenset, b: frozenset, m: int) -> float:
    return len(a ^ b) / (2.0 * max(m, 1))


def _ordered_crossover(first: list[int], second: list[int], rng: random.Random) -> list[int]:
    """OX: keep a random slice of the first parent, fill the rest in the second parent's order."""
    m = len(first)
    if m < 2:
        return list(first)
    i, j = sorted(rng.sample(range(m), 2))
    child: list[int | None] = [None] * m
    child[i : j + 1] = first[i : j + 1]
    kept = set(first[i : j + 1])
    fill = [t for t in second[j + 1 :] + second[: j + 1] if t not in kept]
    positions = list(range(j + 1, m)) + list(range(i))
    for pos, task in zip(positions, fill, strict=True):
        child[pos] = task
    return child  # type: ignore[return-value]


SolveFunction = Callable[[ArcInstance, SearchParams | None], ArcRoutingResult]
__all__ = [
    "SearchParams",
    "fewest_vehicles_for_capacity",
    "min_routes",
    "solve_carp",
    "solve_minmax",
]
