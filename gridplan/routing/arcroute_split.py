"""Optimal Split of a giant tour into routes (route-first, cluster-second).

Both splits choose the serving direction of every task optimally inside each route with a small
dynamic programme (two states per task), so a giant tour is just an order of tasks.

* :func:`split_capacity` — Beasley/Ulusoy/Lacomme Split: shortest path on the auxiliary DAG whose
  arc (i, j) is the route serving tasks i..j-1, restricted to loads within capacity. Exact for the
  given order, O(m · L) where L is the most tasks a route can hold.
* :func:`split_minmax` — Frederickson-style k-split: the partition of the order into at most k
  consecutive routes minimising the longest. Exact for the given order: route costs are monotone
  in the segment (triangle inequality), so a threshold test is a greedy scan, and a binary search
  over the O(m²) candidate route costs finds the optimum.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from gridplan.routing.arcroute_instance import ArcInstance

INF = math.inf
INFEASIBLE = 1 << 62  # "no partition under this threshold", whatever k is


def best_directions(instance: ArcInstance, tasks: Sequence[int]) -> tuple[list[int], float]:
    """Serve ``tasks`` in this order from the depot and back; the cheapest arcs and their cost."""
    if not tasks:
        return [], 0.0
    start, end, cost = instance.arcs()
    dist = instance.distance_rows()
    depot = instance.depot
    first = tasks[0]
    best = [dist[depot][start[2 * first + d]] + cost[2 * first + d] for d in (0, 1)]
    back: list[tuple[int, int]] = []
    for prev, task in zip(tasks, tasks[1:], strict=False):
        p0, p1 = end[2 * prev], end[2 * prev + 1]
        new, choice = [0.0, 0.0], [0, 0]
        for d in (0, 1):
            a = 2 * task + d
            via0 = best[0] + dist[p0][start[a]]
            via1 = best[1] + dist[p1][start[a]]
            choice[d] = 0 if via0 <= via1 else 1
            new[d] = min(via0, via1) + cost[a]
        best = new
        back.append((choice[0], choice[1]))
    finish = [best[d] + dist[end[2 * tasks[-1] + d]][depot] for d in (0, 1)]
    d = 0 if finish[0] <= finish[1] else 1
    arcs = [2 * tasks[-1] + d]
    for i in range(len(tasks) - 2, -1, -1):
        d = back[i][d]
        arcs.append(2 * tasks[i] + d)
    return arcs[::-1], min(finish)


def split_capacity(
    instance: ArcInstance, order: Sequence[int], *, route_fixed_cost: float = 0.0
) -> list[list[int]]:
    """Cheapest cut of the task ``order`` into capacity-feasible routes (lists of arcs).

    ``route_fixed_cost`` is charged per route (large: fewest routes first, then least cost).
    """
    start, end, cost = instance.arcs()
    dist = instance.distance_rows()
    depot = instance.depot
    demand = instance.demand.tolist()
    capacity = instance.capacity if instance.capacity is not None else INF
    m = len(order)
    value = [INF] * (m + 1)
    cut = [0] * (m + 1)
    value[0] = 0.0
    for i in range(m):
        base = value[i] + route_fixed_cost
        if value[i] == INF:
            continue
        load = 0.0
        f0 = f1 = 0.0
        e0 = e1 = depot
        for j in range(i, m):
            t = order[j]
            load += demand[t]
            if load > capacity + 1e-9:
                break
            a0, a1 = 2 * t, 2 * t + 1
            if j == i:
                g0 = dist[depot][start[a0]] + cost[a0]
                g1 = dist[depot][start[a1]] + cost[a1]
            else:
                row0, row1 = dist[e0], dist[e1]
                g0 = min(f0 + row0[start[a0]], f1 + row1[start[a0]]) + cost[a0]
                g1 = min(f0 + row0[start[a1]], f1 + row1[start[a1]]) + cost[a1]
            f0, f1, e0, e1 = g0, g1, end[a0], end[a1]
            total = base + min(g0 + dist[e0][depot], g1 + dist[e1][depot])
            if total < value[j + 1]:
                value[j + 1] = total
                cut[j + 1] = i
    return _routes_from_cuts(instance, order, cut)


def _routes_from_cuts(
    instance: ArcInstance, order: Sequence[int], cut: list[int]
) -> list[list[int]]:
    routes = []
    j = len(order)
    while j > 0:
        i = cut[j]
        routes.append(best_directions(instance, order[i:j])[0])
        j = i
    return routes[::-1]


def segment_costs(instance: ArcInstance, order: Sequence[int]) -> list[list[float]]:
    """``costs[i][j - i]`` = cost of one route serving ``order[i..j]`` (directions optimised)."""
    start, end, cost = instance.arcs()
    dist = instance.distance_rows()
    depot = instance.depot
    m = len(order)
    rows: list[list[float]] = []
    for i in range(m):
        row = []
        f0 = f1 = 0.0
        e0 = e1 = depot
        for j in range(i, m):
            t = order[j]
            a0, a1 = 2 * t, 2 * t + 1
            if j == i:
                g0 = dist[depot][start[a0]] + cost[a0]
                g1 = dist[depot][start[a1]] + cost[a1]
            else:
                r0, r1 = dist[e0], dist[e1]
                g0 = min(f0 + r0[start[a0]], f1 + r1[start[a0]]) + cost[a0]
                g1 = min(f0 + r0[start[a1]], f1 + r1[start[a1]]) + cost[a1]
            f0, f1, e0, e1 = g0, g1, end[a0], end[a1]
            value = min(g0 + dist[e0][depot], g1 + dist[e1][depot])
            # Monotone in theory (triangle inequality); the max guards against float noise.
            row.append(max(value, row[-1]) if row else value)
        rows.append(row)
    return rows


def split_minmax(instance: ArcInstance, order: Sequence[int], k: int) -> list[list[int]]:
    """Cut ``order`` into at most ``k`` routes minimising the longest; always returns k routes
    (trailing ones may be empty)."""
    m = len(order)
    if m == 0:
        return [[] for _ in range(k)]
    costs = segment_costs(instance, order)
    candidates = sorted({c for row in costs for c in row})
    lo, hi = 0, len(candidates) - 1
    while lo < hi:  # smallest threshold admitting a k-partition
        mid = (lo + hi) // 2
        if _routes_needed(costs, candidates[mid]) <= k:
            hi = mid
        else:
            lo = mid + 1
    threshold = candidates[lo]
    cuts = _greedy_cuts(costs, threshold)
    routes = [
        best_directions(instance, order[i:j])[0] for i, j in zip(cuts, cuts[1:], strict=False)
    ]
    return routes + [[] for _ in range(k - len(routes))]


def _routes_needed(costs: list[list[float]], threshold: float) -> int:
    m = len(costs)
    i, count = 0, 0
    while i < m:
        row = costs[i]
        if row[0] > threshold:
            return INFEASIBLE
        i += bisect.bisect_right(row, threshold)  # rows are non-decreasing
        count += 1
    return count


def _greedy_cuts(costs: list[list[float]], threshold: float) -> list[int]:
    cuts, i = [0], 0
    while i < len(costs):
        step = max(1, bisect.bisect_right(costs[i], threshold))
        i += step
        cuts.append(i)
    return cuts
