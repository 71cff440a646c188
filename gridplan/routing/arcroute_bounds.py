"""Cheap, valid lower bounds for arc routing.

Every feasible plan is a set of closed walks from the depot; together they form one connected
Eulerian multigraph made of the required edges R plus deadheading edges H. H must give an odd
degree to exactly the vertices that are odd in R, and the depot must reach degree ``2·K`` when
at least K routes are needed. Splitting H at the depot into single edge-ends and decomposing the
rest into paths shows

    cost(H) ≥ min-weight perfect matching of  odd(R) \\ {depot}  ∪  r copies of the depot,

with shortest-path distances between vertices and twice the cheapest depot edge between two
depot copies (a deadheading loop leaves and re-enters the depot). This is the matching bound of
Christofides' CPP argument extended with the depot-degree term of Benavent et al.'s bounds.
Windy instances use the cheaper direction of every edge (still a valid bound).

* :func:`postman_lower_bound` — one vehicle (exact CPP when every edge is required).
* :func:`carp_lower_bound` — the larger of the matching bound with K = ⌈total demand / capacity⌉
  routes and Belenguer–Benavent's cutting-plane LP bound (:mod:`.arcroute_lp`).
* :func:`minmax_lower_bound` — k vehicles: the largest of (a) min over j ≤ k non-empty routes of
  the j-route matching bound / j, (b) the farthest task round trip, and (c) the LP bound of
  :func:`.arcroute_lp.minmax_lp_bound`: the least L for which the windy postman LP with route-count
  cuts (routes of length ≤ L) leaves the total within k·L, found by bisection from max(a, b).

The LP parts run when the instance has at most :data:`LP_EDGE_LIMIT` edges (street grids beyond
that keep the matching bound: its cost grows with the graph, its gain with the depot's remoteness).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from gridplan.routing.arcroute_instance import ArcInstance
from gridplan.routing.arcroute_lp import carp_lp_bound, minmax_lp_bound

#: Above this many matching vertices the exact blossom matching is replaced by half the optimal
#: assignment (the 2-matching relaxation, also a valid bound, computed in compiled code).
EXACT_MATCHING_LIMIT = 90
#: Largest instance (graph edges) whose bounds add the cutting-plane LP.
LP_EDGE_LIMIT = 2000


def _undirected_distances(instance: ArcInstance) -> np.ndarray:
    if "undirected_distances" not in instance._arc_cache:
        instance._arc_cache["undirected_distances"] = _cheaper_direction_distances(instance)
    return instance._arc_cache["undirected_distances"]


def _cheaper_direction_distances(instance: ArcInstance) -> np.ndarray:
    cheap = np.minimum(instance.cost_uv, instance.cost_vu)
    rows = np.concatenate([instance.edge_u, instance.edge_v])
    cols = np.concatenate([instance.edge_v, instance.edge_u])
    w = np.concatenate([cheap, cheap])
    keep = rows != cols
    rows, cols, w = rows[keep], cols[keep], np.where(w[keep] == 0, 1e-12, w[keep])
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    graph = csr_matrix((w[first], (rows[first], cols[first])), shape=(instance.n_vertices,) * 2)
    dist = shortest_path(graph, method="D", directed=False)
    dist[dist < 1e-9] = 0.0
    return dist


def matching_lower_bound(instance: ArcInstance, *, min_routes: int = 1) -> float:
    """Service cost plus the deadheading bound above, for plans with at least ``min_routes``."""
    service = float(np.minimum(instance.service_uv, instance.service_vu).sum())
    degree = np.zeros(instance.n_vertices, dtype=np.int64)
    np.add.at(degree, instance.edge_u[instance.task_edge], 1)
    np.add.at(degree, instance.edge_v[instance.task_edge], 1)
    depot = instance.depot
    odd = [int(v) for v in np.flatnonzero(degree % 2) if v != depot]
    depot_ends = max(2 * min_routes - int(degree[depot]), int(degree[depot] % 2))
    nodes = odd + [depot] * depot_ends
    if not nodes:
        return service
    dist = _undirected_distances(instance)
    cheap = np.minimum(instance.cost_uv, instance.cost_vu)
    at_depot = (instance.edge_u == depot) ^ (instance.edge_v == depot)
    depot_loop = 2 * float(cheap[at_depot].min()) if at_depot.any() else math.inf
    cost = dist[np.ix_(nodes, nodes)]
    n_odd = len(odd)
    cost[n_odd:, n_odd:] = depot_loop
    return service + _min_perfect_matching(cost)


def _min_perfect_matching(cost: np.ndarray) -> float:
    n = len(cost)
    if n <= EXACT_MATCHING_LIMIT:
        graph = nx.Graph()
        for i in range(n):
            for j in range(i + 1, n):
                if math.isfinite(cost[i, j]):
                    graph.add_edge(i, j, weight=float(cost[i, j]))
        matching = nx.min_weight_matching(graph)
        if 2 * len(matching) == n:
            return float(sum(cost[i, j] for i, j in matching))
    relaxed = cost.copy()
    np.fill_diagonal(relaxed, 1e18)
    relaxed[~np.isfinite(relaxed)] = 1e18
    rows, cols = linear_sum_assignment(relaxed)
    return float(relaxed[rows, cols].sum()) / 2.0


def postman_lower_bound(instance: ArcInstance) -> float:
    """Lower bound on one closed walk from the depot serving every task (exact for a CPP)."""
    return matching_lower_bound(instance, min_routes=1)


def min_routes(instance: ArcInstance) -> int:
    """Fewest routes any capacity-feasible plan needs (⌈total demand / capacity⌉)."""
    if instance.capacity is None:
        return 1
    return max(1, math.ceil(float(instance.demand.sum()) / instance.capacity - 1e-9))


def carp_lower_bound(instance: ArcInstance) -> float:
    """Lower bound on the total cost of a capacity-feasible plan."""
    bound = matching_lower_bound(instance, min_routes=min_routes(instance))
    if instance.n_edges <= LP_EDGE_LIMIT:
        lp = carp_lp_bound(instance).value
        bound = max(bound, lp) if math.isfinite(lp) else bound
    return bound


def farthest_task_round_trip(instance: ArcInstance) -> float:
    """The costliest single-task route: some vehicle has to do at least that much."""
    start, end, cost = instance.arcs()
    d = instance.distance
    depot = instance.depot
    return max(
        min(d[depot, start[a]] + cost[a] + d[end[a], depot] for a in (2 * t, 2 * t + 1))
        for t in range(instance.n_tasks)
    )


def minmax_lower_bound(instance: ArcInstance, k: int) -> float:
    """Lower bound on the longest of k closed walks that together serve every task.

    A plan using j ≤ k non-empty walks costs at least the j-route bound in total (the depot has
    degree ≥ 2j), so its longest walk is at least that / j; the minimum over j is valid whatever
    j the optimum uses, and beats the one-vehicle bound / k when leaving the depot is dear.
    """
    key = ("minmax_lower_bound", k)
    if key not in instance._arc_cache:  # the plan asks again for the same k, the solver too
        by_routes = min(matching_lower_bound(instance, min_routes=j) / j for j in range(1, k + 1))
        bound = max(by_routes, farthest_task_round_trip(instance))
        if instance.n_edges <= LP_EDGE_LIMIT:
            lp = minmax_lp_bound(instance, k, bound)
            bound = max(bound, lp) if math.isfinite(lp) else bound
        instance._arc_cache[key] = bound
    return instance._arc_cache[key]
