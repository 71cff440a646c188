"""Optimal Split of a giant tour into routes (route-first, cluster-second), compiled.

A route is a sequence of tasks; the direction in which each task (required edge) is served is
chosen optimally by a two-state dynamic programme (state = the direction of the last task
served), so a giant tour is just an order of tasks and windy or one-way costs need nothing extra.

* :func:`split_capacity` — Beasley/Ulusoy/Lacomme Split: shortest path on the auxiliary DAG whose
  arc (i, j) is the route serving tasks i..j-1. Exact for the given order, O(m · L) where L is the
  most tasks a route can hold. With a ``penalty`` the capacity is soft (loads up to
  ``load_limit`` are allowed and charged ``penalty`` per unit over capacity), as the penalised
  search space of the genetic search needs.
* :func:`split_minmax` — the partition of the order into at most k consecutive routes minimising
  the longest. Route costs grow with the segment (triangle inequality), so "can the longest stay
  under T" is a greedy scan; bisection on T to floating-point resolution finds the optimum.

The kernels take plain arrays (see :class:`ArcArrays`) and are shared with the local search.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gridplan.routing.arcroute_instance import ArcInstance
from gridplan.routing.arcroute_jit import jit

INF = math.inf


@dataclass(frozen=True)
class ArcArrays:
    """The instance as the kernels see it: arc ``2t`` serves task t from u to v, ``2t+1`` back."""

    dist: np.ndarray  # float64 [n, n], shortest deadheading costs (directed)
    start: np.ndarray  # int64 [2m]
    end: np.ndarray  # int64 [2m]
    cost: np.ndarray  # float64 [2m], service cost of each arc (inf: forbidden direction)
    demand: np.ndarray  # float64 [m]
    depot: int
    capacity: float  # inf when uncapacitated

    @classmethod
    def of(cls, instance: ArcInstance) -> ArcArrays:
        cached = instance._arc_cache.get("kernel_arrays")
        if cached is None:
            start, end, cost = instance.arcs()
            cap = instance.capacity
            cached = cls(np.ascontiguousarray(instance.distance, dtype=np.float64),
                         np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64),
                         np.asarray(cost, dtype=np.float64),
                         np.ascontiguousarray(instance.demand, dtype=np.float64),
                         int(instance.depot), INF if cap is None else float(cap))
            instance._arc_cache["kernel_arrays"] = cached
        return cached


# ------------------------------------------------------------------ the orientation DP
@jit
def extend(dist, start, end, cost, f0, f1, e0, e1, t):
    """Serve task t after a partial route whose cheapest costs ending in direction 0 / 1 of its
    last task are f0 / f1 (at vertices e0 / e1); returns the same four for the longer route."""
    a0 = 2 * t
    a1 = a0 + 1
    s0 = start[a0]
    s1 = start[a1]
    g0 = min(f0 + dist[e0, s0], f1 + dist[e1, s0]) + cost[a0]
    g1 = min(f0 + dist[e0, s1], f1 + dist[e1, s1]) + cost[a1]
    return g0, g1, end[a0], end[a1]


@jit
def close(dist, depot, f0, f1, e0, e1):
    """Return to the depot from the partial route's state."""
    return min(f0 + dist[e0, depot], f1 + dist[e1, depot])


@jit
def route_cost_of(dist, start, end, cost, depot, tasks, lo, hi):
    """Cheapest cost of one route serving ``tasks[lo:hi]`` in order (0 when empty)."""
    if hi <= lo:
        return 0.0
    f0 = 0.0
    f1 = 0.0
    e0 = depot
    e1 = depot
    for k in range(lo, hi):
        f0, f1, e0, e1 = extend(dist, start, end, cost, f0, f1, e0, e1, tasks[k])
    return close(dist, depot, f0, f1, e0, e1)


@jit
def best_arcs(dist, start, end, cost, depot, tasks):
    """The arcs (directions) of the cheapest route serving ``tasks`` in order, and its cost."""
    n = len(tasks)
    arcs = np.empty(n, dtype=np.int64)
    if n == 0:
        return arcs, 0.0
    back = np.zeros((n, 2), dtype=np.int64)  # direction of the previous task on the best path
    f0 = 0.0
    f1 = 0.0
    e0 = depot
    e1 = depot
    for k in range(n):
        t = tasks[k]
        for d in range(2):
            s = start[2 * t + d]
            back[k, d] = 0 if f0 + dist[e0, s] <= f1 + dist[e1, s] else 1
        f0, f1, e0, e1 = extend(dist, start, end, cost, f0, f1, e0, e1, t)
    d = 0 if f0 + dist[e0, depot] <= f1 + dist[e1, depot] else 1
    total = close(dist, depot, f0, f1, e0, e1)
    for k in range(n - 1, -1, -1):
        arcs[k] = 2 * tasks[k] + d
        d = back[k, d]
    return arcs, total


# ------------------------------------------------------------------ splits
@jit
def split_capacity_cuts(dist, start, end, cost, demand, depot, capacity, order, fixed_cost,
                        penalty, load_limit):
    """Route starts (plus the end) of the cheapest cut of ``order``; soft capacity if penalty>0."""
    m = len(order)
    value = np.full(m + 1, np.inf)
    cut = np.zeros(m + 1, dtype=np.int64)
    value[0] = 0.0
    for i in range(m):
        if value[i] == np.inf:
            continue
        base = value[i] + fixed_cost
        load = 0.0
        f0 = 0.0
        f1 = 0.0
        e0 = depot
        e1 = depot
        for j in range(i, m):
            t = order[j]
            load += demand[t]
            if load > load_limit + 1e-9 and j > i:
                break
            f0, f1, e0, e1 = extend(dist, start, end, cost, f0, f1, e0, e1, t)
            over = load - capacity
            total = base + close(dist, depot, f0, f1, e0, e1)
            if over > 1e-9:
                if penalty <= 0.0:
                    break
                total += penalty * over
            if total < value[j + 1]:
                value[j + 1] = total
                cut[j + 1] = i
    count = 0
    j = m
    while j > 0:
        count += 1
        j = cut[j]
    cuts = np.empty(count + 1, dtype=np.int64)
    j = m
    for c in range(count, -1, -1):
        cuts[c] = j
        j = cut[j]
    return cuts


@jit
def _greedy_routes(dist, start, end, cost, depot, order, threshold, cuts):
    """Fewest consecutive routes each costing at most ``threshold`` (fills ``cuts``); a huge
    count when a single task already exceeds it."""
    m = len(order)
    count = 0
    i = 0
    cuts[0] = 0
    while i < m:
        f0 = 0.0
        f1 = 0.0
        e0 = depot
        e1 = depot
        j = i
        while j < m:
            g0, g1, h0, h1 = extend(dist, start, end, cost, f0, f1, e0, e1, order[j])
            if close(dist, depot, g0, g1, h0, h1) > threshold:
                break
            f0, f1, e0, e1 = g0, g1, h0, h1
            j += 1
        if j == i:
            return m + 1
        count += 1
        cuts[count] = j
        i = j
    return count


@jit
def split_minmax_cuts(dist, start, end, cost, depot, order, k):
    """Route starts (plus the end) of the best cut of ``order`` into at most k routes."""
    m = len(order)
    cuts = np.zeros(m + 1, dtype=np.int64)
    if m == 0:
        return cuts[:1]
    lo = 0.0
    for j in range(m):  # every task's own round trip is a floor
        lo = max(lo, route_cost_of(dist, start, end, cost, depot, order, j, j + 1))
    hi = route_cost_of(dist, start, end, cost, depot, order, 0, m)
    if _greedy_routes(dist, start, end, cost, depot, order, lo, cuts) <= k:
        hi = lo
    for _ in range(200):  # bisection to floating-point resolution
        if hi - lo <= 1e-12 * max(1.0, hi):
            break
        mid = 0.5 * (lo + hi)
        if _greedy_routes(dist, start, end, cost, depot, order, mid, cuts) <= k:
            hi = mid
        else:
            lo = mid
    count = _greedy_routes(dist, start, end, cost, depot, order, hi, cuts)
    return cuts[: count + 1].copy()


# ------------------------------------------------------------------ public wrappers
def best_directions(instance: ArcInstance, tasks: Sequence[int]) -> tuple[list[int], float]:
    """Serve ``tasks`` in this order from the depot and back; the cheapest arcs and their cost."""
    a = ArcArrays.of(instance)
    arcs, total = best_arcs(a.dist, a.start, a.end, a.cost, a.depot,
                            np.asarray(tasks, dtype=np.int64))
    return arcs.tolist(), float(total)


def _routes(instance: ArcInstance, order: np.ndarray, cuts: np.ndarray) -> list[list[int]]:
    return [best_directions(instance, order[i:j])[0] for i, j in zip(cuts, cuts[1:], strict=False)]


def split_capacity(
    instance: ArcInstance, order: Sequence[int], *, route_fixed_cost: float = 0.0
) -> list[list[int]]:
    """Cheapest cut of the task ``order`` into capacity-feasible routes (lists of arcs).

    ``route_fixed_cost`` is charged per route (large: fewest routes first, then least cost).
    """
    a = ArcArrays.of(instance)
    tasks = np.asarray(order, dtype=np.int64)
    cuts = split_capacity_cuts(a.dist, a.start, a.end, a.cost, a.demand, a.depot, a.capacity,
                               tasks, float(route_fixed_cost), 0.0, a.capacity)
    return _routes(instance, tasks, cuts)


def split_minmax(instance: ArcInstance, order: Sequence[int], k: int) -> list[list[int]]:
    """Cut ``order`` into at most ``k`` routes minimising the longest; always returns k routes
    (trailing ones may be empty)."""
    a = ArcArrays.of(instance)
    tasks = np.asarray(order, dtype=np.int64)
    cuts = split_minmax_cuts(a.dist, a.start, a.end, a.cost, a.depot, tasks, int(k))
    routes = _routes(instance, tasks, cuts)
    return routes + [[] for _ in range(k - len(routes))]
