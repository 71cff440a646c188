"""Hybrid genetic search for arc routing (HGS-CARP, Vidal 2017; HGS-CVRP, Vidal 2022).

Individuals are giant tours (task orders). A child comes from ordered crossover (OX) of two parents
picked by binary tournament, is cut into routes by an exact Split
(:mod:`gridplan.routing.arcroute_split`; with a soft capacity in the penalised space) and improved
by the compiled granular local search (:mod:`gridplan.routing.arcroute_search`, every task's
direction chosen optimally inside its route) under a capacity penalty that adapts (every 25
children) so that a target share of children is feasible before repair. Feasible and infeasible
children live in two subpopulations ranked by *biased fitness* (cost rank plus diversity rank, the
diversity being the broken-pairs distance to the closest individuals); half of the infeasible
children are repaired with a tenfold, then hundredfold penalty, the repaired copy joining the
feasible group while the original stays in the infeasible one. The search restarts from a fresh
population when it stalls and stops when its iteration budget is spent (the default, reproducible),
when it meets the lower bound (a proof of optimality), at the optional time cap, or when the caller
cancels.

Three public entry points share it:

* :func:`solve_carp` — CARP: least total cost, every route within capacity.
* :func:`fewest_vehicles_for_capacity` — a shift budget as capacity: fewest routes first, then
  least total cost (a fixed cost per route larger than any possible saving).
* :func:`solve_minmax` — min–max k-postman: k closed walks, minimise the longest.

All randomness flows from ``random.Random(params.seed)`` (the kernels get their seeds from it);
with the same seed and no time cap the result is identical on any machine.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gridplan.errors import InvalidInputError, ProblemCollector
from gridplan.params import Params, param
from gridplan.routing.arcroute_bounds import carp_lower_bound, min_routes, minmax_lower_bound
from gridplan.routing.arcroute_instance import ArcInstance, require_valid_instance
from gridplan.routing.arcroute_jit import jit
from gridplan.routing.arcroute_result import ArcRoutingResult, Mode
from gridplan.routing.arcroute_search import Search, task_neighbours
from gridplan.routing.arcroute_split import (
    ArcArrays,
    best_directions,
    route_cost_of,
    split_capacity_cuts,
    split_minmax_cuts,
)


@dataclass(frozen=True, kw_only=True)
class SearchParams(Params):
    """Budget and knobs of the genetic search (HGS defaults of Vidal 2022; see benchmarks/carp.py).

    The budget is ``max_iterations`` children: the same seed gives the same plan on any machine.
    ``time_limit_s`` is only a safety cap (a run it stops is no longer reproducible).
    """

    _section = "search"

    seed: int = param(0, ge=0, help="random seed of the search")
    max_iterations: int = param(
        20_000, ge=0, help="children generated over all restarts: the repeatable budget")
    time_limit_s: float | None = param(
        None, unit="s", gt=0, help="safety cap on the search time (none by default)")
    restart_after: int = param(
        10_000, ge=1, help="children without improvement before the population restarts")
    population_size: int = param(25, ge=2, help="survivors after each selection (mu)")
    generation_size: int = param(40, ge=1, help="children before each selection (lambda)")
    n_elite: int = param(4, ge=0, help="best individuals kept whatever their diversity")
    n_closest: int = param(5, ge=1, help="neighbours averaged in the diversity measure")
    granular_size: int = param(20, ge=1, help="closest tasks tried per task in the local search")
    repair_probability: float = param(
        0.5, ge=0, le=1, help="probability of repairing an infeasible child")
    target_feasible: float = param(
        0.2, gt=0, lt=1, help="share of children feasible before repair the penalty aims at")

    def _check(self, issues: ProblemCollector) -> None:
        if self.n_elite > self.population_size:
            issues.add("n_elite", expected=f"<= population_size ({self.population_size})",
                       found=repr(self.n_elite), fix="lower n_elite or raise population_size")


PENALTY_EVERY = 25
PENALTY_WINDOW = 50


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
    routes: list[np.ndarray]  # task sequences (directions are chosen by the DP)
    costs: np.ndarray  # route costs, no fixed cost, no penalty
    loads: np.ndarray
    feasible: bool
    key: tuple[float, float]  # rank among feasible individuals (lower is better)
    value: float  # the objective (total cost or longest route), no penalty
    excess: float  # total load over capacity
    n_used: int  # non-empty routes
    rank: tuple[float, float]  # feasible: key; else (value with fixed costs, excess)
    order: np.ndarray  # the routes one after the other (the giant tour crossover reads)
    pred: np.ndarray  # task before each task in its route (-1: the depot)
    succ: np.ndarray


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
        self.arrays = ArcArrays.of(instance)
        finite = self.arrays.cost[np.isfinite(self.arrays.cost)]
        span = float(instance.distance[instance.distance < math.inf].max()) if self.m else 0.0
        self.fixed_cost = 0.0
        if mode == "fewest_vehicles":  # larger than any cost difference between two plans
            self.fixed_cost = 4.0 * (float(finite.sum()) + 2 * span * self.m) + 1.0
        self.capacitated = mode != "minmax" and instance.capacity is not None
        self.search = Search(instance, task_neighbours(instance, params.granular_size),
                             minmax=mode == "minmax", use_capacity=self.capacitated,
                             route_fixed_cost=self.fixed_cost)
        total_demand = float(instance.demand.sum())
        self.penalty = max(1.0, float(finite.sum()) / max(total_demand, 1e-9))
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
            population = {f: _Group(self.m, p, feasible=f) for f in (True, False)}
            for children in self._initial_individuals():
                for child in children:
                    self._insert(population, child)
                    if child.feasible and (best is None or child.key < best.key):
                        best, found_at = child, time.perf_counter()
                self._adapt_penalty(population)
                if self._proven(best):
                    break
            stalled = 0
            while (stalled < p.restart_after and not stop.out_of_budget(iterations)
                   and not self._proven(best)):
                iterations += 1
                stalled += 1
                for child in self._offspring(population):
                    self._insert(population, child)
                    if child.feasible and (best is None or child.key < best.key):
                        best, stalled, found_at = child, 0, time.perf_counter()
                stop.report(iterations)
                self._adapt_penalty(population)
        if best is None:  # stopped before a feasible individual: the hard Split alone
            best = self._individual(self._split(np.arange(self.m), hard=True))
        stop.report(p.max_iterations)
        routes = [best_directions(self.instance, r.tolist())[0] for r in best.routes
                  if len(r) or self.mode == "minmax"]
        return ArcRoutingResult(
            instance=self.instance,
            routes=tuple(tuple(r) for r in routes),
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

    def _initial_individuals(self):
        """4μ individuals from random and nearest-task giant tours (HGS's initial population)."""
        for attempt in range(4 * self.params.population_size):
            if attempt and self.stop_now():
                return
            if attempt % 2:
                order = self._nearest_task_order()
            else:
                order = np.arange(self.m)
                self.rng.shuffle(order)  # type: ignore[arg-type]
            yield self._educated(order, repair=True)

    def _nearest_task_order(self) -> np.ndarray:
        """A giant tour built by walking to one of the two closest unserved tasks each time."""
        a = self.arrays
        left = np.ones(self.m, dtype=bool)
        loc, order = a.depot, []
        for _ in range(self.m):
            reach = np.minimum(a.dist[loc, a.start[0::2]], a.dist[loc, a.start[1::2]])
            reach[~left] = np.inf
            near = np.argsort(reach, kind="stable")[:2]
            near = near[np.isfinite(reach[near])] if np.isfinite(reach[near]).any() else near
            task = int(near[self.rng.randrange(len(near))])
            left[task] = False
            order.append(task)
            arc = 2 * task if a.dist[loc, a.start[2 * task]] <= a.dist[
                loc, a.start[2 * task + 1]] else 2 * task + 1
            loc = int(a.end[arc])
        return np.asarray(order, dtype=np.int64)

    # ------------------------------------------------------------------ reproduction
    def _offspring(self, population: dict[bool, _Group]) -> list[_Individual]:
        first, second = self._tournament(population), self._tournament(population)
        order = _ordered_crossover(first.order, second.order, self.rng)
        repair = self.rng.random() < self.params.repair_probability
        return self._educated(order, repair=repair)

    def _split(self, order: np.ndarray, *, hard: bool = False) -> list[np.ndarray]:
        a = self.arrays
        if self.mode == "minmax":
            cuts = split_minmax_cuts(a.dist, a.start, a.end, a.cost, a.depot, order, self.k)
        else:
            penalty = 0.0 if hard else self.penalty
            limit = a.capacity if hard else 1.5 * a.capacity
            cuts = split_capacity_cuts(a.dist, a.start, a.end, a.cost, a.demand, a.depot,
                                       a.capacity, order, self.fixed_cost, penalty, limit)
        routes = [order[i:j] for i, j in zip(cuts, cuts[1:], strict=False)]
        if self.mode == "minmax":
            routes += [np.zeros(0, dtype=np.int64)] * (self.k - len(routes))
        return routes

    def _educated(self, order: np.ndarray, *, repair: bool) -> list[_Individual]:
        """The child split and improved; when infeasible and ``repair``, also its repaired copy
        if that is feasible (HGS keeps both: the infeasible one feeds the infeasible
        subpopulation's diversity)."""
        spare = 0 if self.mode == "minmax" else 1
        routes, costs, loads = self.search.run(self._split(order), penalty=self.penalty,
                                               seed=self.rng.getrandbits(31), spare_empty=spare)
        feasible = self._feasible(loads)
        self.feasible_history.append(feasible)
        children = [self._individual(routes, costs, loads)]
        if not feasible and repair:
            for factor in (10.0, 100.0):
                routes, costs, loads = self.search.run(
                    routes, penalty=self.penalty * factor, seed=self.rng.getrandbits(31),
                    spare_empty=1)
                if self._feasible(loads):
                    children.append(self._individual(routes, costs, loads))
                    break
        return children

    def _feasible(self, loads: np.ndarray) -> bool:
        return not self.capacitated or bool(np.all(loads <= self.arrays.capacity + 1e-9))

    def _individual(self, routes: list[np.ndarray], costs: np.ndarray | None = None,
                    loads: np.ndarray | None = None) -> _Individual:
        a = self.arrays
        if costs is None or loads is None:
            costs = np.asarray([route_cost_of(a.dist, a.start, a.end, a.cost, a.depot, r, 0,
                                              len(r)) for r in routes])
            loads = np.asarray([float(a.demand[r].sum()) for r in routes])
        n_used = sum(1 for r in routes if len(r))
        total = float(costs.sum())
        excess = float(np.maximum(loads - a.capacity, 0.0).sum()) if self.capacitated else 0.0
        if self.mode == "minmax":
            value = float(costs.max(initial=0.0))
            key = (value, total)
        elif self.mode == "fewest_vehicles":
            value = total
            key = (float(n_used), total)
        else:
            value = total
            key = (total, float(n_used))
        order = np.concatenate(routes) if routes else np.zeros(0, dtype=np.int64)
        pred, succ = _neighbours_in_routes(order, np.asarray([len(r) for r in routes],
                                                             dtype=np.int64), self.m)
        rank = key if excess <= 1e-9 else (value + self.fixed_cost * n_used, excess)
        return _Individual(routes, costs, loads, excess <= 1e-9, key, value, excess, n_used,
                           rank, order, pred, succ)

    def _adapt_penalty(self, population: dict[bool, _Group]) -> None:
        """Every PENALTY_EVERY educations, steer the penalty toward the target feasible share of
        the last PENALTY_WINDOW (HGS adapts every 100 over 100; a shorter step corrects a poor
        initial penalty within a few hundred children instead of a thousand, and the search
        spends less time on the long routes a low penalty lets grow)."""
        count = len(self.feasible_history)
        if count == 0 or count % PENALTY_EVERY:
            return
        recent = self.feasible_history[-PENALTY_WINDOW:]
        share = sum(recent) / len(recent)
        if share < self.params.target_feasible - 0.05:
            self.penalty = min(self.penalty * 1.2, 1e9)
        elif share > self.params.target_feasible + 0.05:
            self.penalty = max(self.penalty * 0.85, 1e-3)
        population[False].invalidate()  # penalised ranks changed

    # ------------------------------------------------------------------ population
    def _tournament(self, population: dict[bool, _Group]) -> _Individual:
        sizes = (len(population[True]), len(population[False]))
        picks = []
        for _ in range(2):
            x = self.rng.randrange(sizes[0] + sizes[1])
            group = population[x < sizes[0]]
            index = x if x < sizes[0] else x - sizes[0]
            picks.append((group.fitness(self.penalty)[index], group.members[index]))
        return picks[0][1] if picks[0][0] <= picks[1][0] else picks[1][1]

    def _insert(self, population: dict[bool, _Group], child: _Individual) -> None:
        group = population[child.feasible]
        group.add(child)
        if len(group) > self.params.population_size + self.params.generation_size:
            while len(group) > self.params.population_size:
                group.remove_worst(self.penalty)


class _Group:
    """A subpopulation (feasible or not) with its broken-pairs distances as a matrix, ranked by
    biased fitness: cost rank plus (1 − elite share) × diversity rank (Vidal et al. 2012).

    Cost rank: feasible members by their key; infeasible ones by cost plus penalty × excess."""

    def __init__(self, m: int, params: SearchParams, *, feasible: bool) -> None:
        size = params.population_size + params.generation_size + 1
        self.feasible = feasible
        self.members: list[_Individual] = []
        self.rank = np.zeros((size, 2))
        self.pred = np.zeros((size, m), dtype=np.int64)
        self.succ = np.zeros((size, m), dtype=np.int64)
        self.distance = np.zeros((size, size))
        self.n_closest, self.n_elite = params.n_closest, params.n_elite
        self._fitness: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.members)

    def add(self, child: _Individual) -> None:
        n = len(self.members)
        if n:
            d = _broken_pairs(child, self.pred[:n], self.succ[:n])
            self.distance[n, :n] = d
            self.distance[:n, n] = d
        self.distance[n, n] = 0.0
        self.pred[n], self.succ[n] = child.pred, child.succ
        self.rank[n] = child.rank
        self.members.append(child)
        self._fitness = None

    def remove_worst(self, penalty: float) -> None:
        n = len(self.members)
        fitness = self.fitness(penalty)
        others = self.distance[:n, :n] + np.eye(n)  # a member is no clone of itself
        clone = (others <= 0.0).any(axis=1)
        worst = int(np.lexsort((fitness, clone))[-1])  # clones first, then the least fit
        last = n - 1
        self.members[worst] = self.members[last]
        self.members.pop()
        self.pred[worst], self.succ[worst] = self.pred[last], self.succ[last]
        self.rank[worst] = self.rank[last]
        self.distance[worst, :] = self.distance[last, :]
        self.distance[:, worst] = self.distance[:, last]
        self.distance[worst, worst] = 0.0
        self._fitness = None

    def invalidate(self) -> None:
        self._fitness = None

    def fitness(self, penalty: float) -> np.ndarray:
        if self._fitness is not None:
            return self._fitness
        n = len(self.members)
        if n == 1:
            self._fitness = np.zeros(1)
            return self._fitness
        first, second = self.rank[:n, 0], self.rank[:n, 1]
        if not self.feasible:
            first, second = first + penalty * second, np.zeros(n)
        cost_rank = np.empty(n)
        cost_rank[np.lexsort((second, first))] = np.arange(n)
        d = self.distance[:n, :n] + np.diag(np.full(n, np.inf))
        closest = min(self.n_closest, n - 1)
        diversity = np.partition(d, closest - 1, axis=1)[:, :closest].mean(axis=1)
        div_rank = np.empty(n)
        div_rank[np.argsort(-diversity, kind="stable")] = np.arange(n)
        weight = 1.0 - min(self.n_elite, n) / n
        self._fitness = (cost_rank + weight * div_rank) / (n - 1)
        return self._fitness


@jit
def _neighbours_in_routes(order, lengths, m):
    """Task before and after each task in its route (-1: the depot), routes laid end to end."""
    pred = np.full(m, -1, dtype=np.int64)
    succ = np.full(m, -1, dtype=np.int64)
    k = 0
    for n in lengths:
        for i in range(k + 1, k + n):
            pred[order[i]] = order[i - 1]
            succ[order[i - 1]] = order[i]
        k += n
    return pred, succ


def _broken_pairs(a: _Individual, pred: np.ndarray, succ: np.ndarray) -> np.ndarray:
    """Share of task adjacencies (the depot included) of ``a`` missing from each row's plan."""
    kept = ((pred == a.pred) | (succ == a.pred)).sum(axis=1)
    kept += ((succ == a.succ) | (pred == a.succ)).sum(axis=1)
    m = max(pred.shape[1], 1)
    return (2 * m - kept) / (2.0 * m)


def _ordered_crossover(first: np.ndarray, second: np.ndarray, rng: random.Random) -> np.ndarray:
    """OX: keep a random slice of the first parent, fill the rest in the second parent's order."""
    m = len(first)
    if m < 2:
        return first.copy()
    i, j = sorted(rng.sample(range(m), 2))
    kept = np.zeros(m, dtype=bool)
    kept[first[i : j + 1]] = True
    rotated = np.concatenate([second[j + 1 :], second[: j + 1]])
    fill = rotated[~kept[rotated]]
    child = np.empty(m, dtype=np.int64)
    child[i : j + 1] = first[i : j + 1]
    positions = np.concatenate([np.arange(j + 1, m), np.arange(i)])
    child[positions] = fill
    return child


SolveFunction = Callable[[ArcInstance, SearchParams | None], ArcRoutingResult]
__all__ = [
    "SearchParams",
    "fewest_vehicles_for_capacity",
    "min_routes",
    "solve_carp",
    "solve_minmax",
]
