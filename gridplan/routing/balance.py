"""Balancing a directed edge multiset by the cheapest extra traversals (min-cost flow), compiled.

A directed closed walk enters every node as often as it leaves it. Given the required traversals,
node ``v`` lacking ``out(v) - in(v)`` entries must receive that many extra walks; the cheapest set
of extra traversals is a min-cost flow from the surplus to the deficit nodes (Edmonds & Johnson
1973), with unbounded capacity on every street.

Solver: successive shortest paths with node potentials (primal–dual). Each phase runs one Dijkstra
from all surplus nodes at once on reduced costs, then sends as much flow as the zero-reduced-cost
("admissible") arcs carry, by depth-first augmentation with current-arc pointers — a blocking flow,
so a phase serves many surplus nodes. Costs are integers: lengths are rounded to a power-of-ten
resolution (millimetres for metres) unless already integral, so every comparison is exact. The
flow is then checked against the *true* float lengths: Bellman–Ford looks for a negative cycle in
the residual graph and cancels any it finds (rounding can only leave such cycles when lengths are
finer than the resolution), so the result is optimal for the lengths as given.
"""

from __future__ import annotations

import numpy as np

from gridplan.errors import InfeasibleError, Problem
from gridplan.routing.arcroute_jit import jit
from gridplan.routing.tjoin import cheapest_parallel_edges, integer_scale

_NO_PATH = -1


def balancing_flow(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Extra traversals per edge (int array) making ``counts`` balanced at minimum total weight.

    ``counts[i]`` is how often edge ``i`` (``tails[i] -> heads[i]``) is already walked. Raises
    :class:`InfeasibleError` naming unbalanced nodes that cannot be served.
    """
    excess = (np.bincount(heads, weights=counts, minlength=num_nodes)
              - np.bincount(tails, weights=counts, minlength=num_nodes)).astype(np.int64)
    extra = np.zeros(tails.size, dtype=np.int64)
    if not np.any(excess):
        return extra
    keep = cheapest_parallel_edges(tails, heads, weights, directed=True)
    resolution, _ = integer_scale(weights[keep])
    int_cost = np.round(weights[keep] / resolution).astype(np.int64)
    flow, stuck = min_cost_flow(num_nodes, tails[keep].astype(np.int64),
                                heads[keep].astype(np.int64), int_cost,
                                weights[keep].astype(np.float64), excess.copy())
    if stuck >= 0:
        raise InfeasibleError(
            "the one-way streets cannot be balanced into a closed walk",
            [
                Problem(
                    "directed postman",
                    f"node index {v}",
                    "reachable in both directions",
                    f"needs {int(excess[v])} more {'exits' if excess[v] > 0 else 'entries'}",
                    "plan on the strongly connected part or allow walking mode",
                )
                for v in np.flatnonzero(excess)[:10].tolist()
            ],
        )
    extra[keep] = flow
    return extra


@jit
def _residual(n, tails, heads):
    """CSR of the residual graph: residual arc 2e is edge e forward, 2e+1 its reverse."""
    m = len(tails)
    degree = np.zeros(n + 1, dtype=np.int64)
    for e in range(m):
        degree[tails[e] + 1] += 1
        degree[heads[e] + 1] += 1
    first = np.cumsum(degree)
    fill = first[:-1].copy()
    arcs = np.empty(2 * m, dtype=np.int64)
    for e in range(m):
        arcs[fill[tails[e]]] = 2 * e
        fill[tails[e]] += 1
        arcs[fill[heads[e]]] = 2 * e + 1
        fill[heads[e]] += 1
    return first, arcs


@jit
def _heap_push(keys, nodes, size, key, node):
    i = size
    keys[i] = key
    nodes[i] = node
    while i > 0:
        parent = (i - 1) // 2
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        nodes[parent], nodes[i] = nodes[i], nodes[parent]
        i = parent
    return size + 1


@jit
def _heap_pop(keys, nodes, size):
    key = keys[0]
    node = nodes[0]
    size -= 1
    keys[0] = keys[size]
    nodes[0] = nodes[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        nodes[child], nodes[i] = nodes[i], nodes[child]
        i = child
    return key, node, size


@jit
def min_cost_flow(n, tails, heads, cost, true_cost, excess):
    """Flow per edge sending every surplus (``excess > 0``) to the deficits at least cost;
    returns (flow, -1) or (flow, a node that cannot be balanced)."""
    m = len(tails)
    first, arcs = _residual(n, tails, heads)
    flow = np.zeros(m, dtype=np.int64)
    potential = np.zeros(n, dtype=np.int64)
    big = np.iinfo(np.int64).max // 4
    dist = np.full(n, big, dtype=np.int64)
    keys = np.empty(2 * m + n, dtype=np.int64)
    nodes = np.empty(2 * m + n, dtype=np.int64)
    current = np.empty(n, dtype=np.int64)
    on_path = np.zeros(n, dtype=np.bool_)
    dead = np.zeros(n, dtype=np.bool_)
    path = np.empty(n + 1, dtype=np.int64)
    remaining = 0
    for v in range(n):
        if excess[v] > 0:
            remaining += excess[v]
    while remaining > 0:
        # Dijkstra from every surplus node on reduced costs
        dist[:] = big
        size = 0
        for v in range(n):
            if excess[v] > 0:
                dist[v] = 0
                size = _heap_push(keys, nodes, size, 0, v)
        reached = False
        settled_max = 0
        while size > 0:
            d, u, size = _heap_pop(keys, nodes, size)
            if d > dist[u]:
                continue
            settled_max = d
            if excess[u] < 0:
                reached = True
            for k in range(first[u], first[u + 1]):
                usable, v, c = _step(arcs[k], flow, tails, heads, cost)
                if not usable:
                    continue
                nd = d + c + potential[u] - potential[v]
                if nd < dist[v]:
                    dist[v] = nd
                    size = _heap_push(keys, nodes, size, nd, v)
        if not reached:
            for v in range(n):
                if excess[v] != 0:
                    return flow, v
        for v in range(n):
            potential[v] += dist[v] if dist[v] < settled_max else settled_max
        # blocking flow on admissible arcs (reduced cost 0) by depth-first augmentation
        for v in range(n):
            current[v] = first[v]
            dead[v] = False
        for s in range(n):
            while excess[s] > 0 and not dead[s]:
                depth = 0
                path[0] = s
                on_path[s] = True
                u = s
                found = False
                while True:
                    if excess[u] < 0 and u != s:
                        found = True
                        break
                    advanced = False
                    while current[u] < first[u + 1]:
                        ok, v, c = _step(arcs[current[u]], flow, tails, heads, cost)
                        if ok and not dead[v] and not on_path[v] and \
                                c + potential[u] - potential[v] == 0:
                            depth += 1
                            path[depth] = current[u]
                            on_path[v] = True
                            u = v
                            advanced = True
                            break
                        current[u] += 1
                    if advanced:
                        continue
                    dead[u] = True  # no admissible way on from u in this phase
                    on_path[u] = False
                    if depth == 0:
                        break
                    depth -= 1
                    u = s if depth == 0 else _arc_head(arcs[path[depth]], tails, heads)
                    current[u] += 1
                if not found:
                    break
                amount = min(excess[s], -excess[u])
                for i in range(1, depth + 1):
                    a = arcs[path[i]]
                    if a & 1:
                        amount = min(amount, flow[a >> 1])
                for i in range(1, depth + 1):
                    a = arcs[path[i]]
                    if a & 1:
                        flow[a >> 1] -= amount
                    else:
                        flow[a >> 1] += amount
                excess[s] -= amount
                excess[u] += amount
                remaining -= amount
                for i in range(depth + 1):
                    on_path[path[0] if i == 0 else _arc_head(arcs[path[i]], tails, heads)] = False
    _cancel_negative_cycles(n, tails, heads, true_cost, flow, first, arcs)
    return flow, -1


@jit
def _step(a, flow, tails, heads, cost):
    """Residual arc a: (usable, head, cost); odd arcs undo flow of their edge."""
    e = a >> 1
    if a & 1:
        return flow[e] > 0, tails[e], -cost[e]
    return True, heads[e], cost[e]


@jit
def _arc_head(a, tails, heads):
    return tails[a >> 1] if a & 1 else heads[a >> 1]


@jit
def _cancel_negative_cycles(n, tails, heads, true_cost, flow, first, arcs):
    """Bellman–Ford on the residual graph with the true (float) costs; cancel negative cycles."""
    for _ in range(n + 1):
        dist = np.zeros(n)
        via = np.full(n, -1, dtype=np.int64)
        changed_at = -1
        for _round in range(n):
            changed_at = -1
            for u in range(n):
                for k in range(first[u], first[u + 1]):
                    a = arcs[k]
                    usable, v, c = _step(a, flow, tails, heads, true_cost)
                    if not usable:
                        continue
                    if dist[u] + c < dist[v] - 1e-12 * (1.0 + abs(dist[v])):
                        dist[v] = dist[u] + c
                        via[v] = a
                        changed_at = v
            if changed_at < 0:
                return
        # a node changed in round n lies on or behind a negative cycle: walk back onto it
        v = changed_at
        for _ in range(n):
            a = via[v]
            v = tails[a >> 1] if (a & 1) == 0 else heads[a >> 1]
        start = v
        amount = np.iinfo(np.int64).max
        while True:
            a = via[v]
            if a & 1:
                amount = min(amount, flow[a >> 1])
            v = tails[a >> 1] if (a & 1) == 0 else heads[a >> 1]
            if v == start:
                break
        while True:
            a = via[v]
            if a & 1:
                flow[a >> 1] -= amount
            else:
                flow[a >> 1] += amount
            v = tails[a >> 1] if (a & 1) == 0 else heads[a >> 1]
            if v == start:
                break
