"""Balancing a directed edge multiset by the cheapest extra traversals (min-cost flow), exactly.

A directed closed walk enters every node as often as it leaves it. Given the required traversals,
node ``v`` lacking ``out(v) - in(v)`` entries must receive that many extra walks; the cheapest set
of extra traversals is a min-cost flow from the surplus to the deficit nodes (Edmonds & Johnson
1973). Float lengths are turned into integers *exactly*: every double is an integer multiple of a
power of two, so scaling all weights by ``2**s`` for a large enough ``s`` loses nothing, and
networkx's network simplex works on Python integers of any size.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from gridplan.errors import InfeasibleError, Problem
from gridplan.routing.tjoin import cheapest_parallel_edges


def exact_integer_scale(weights: np.ndarray) -> int:
    """Smallest power-of-two exponent ``s`` with every ``weights[i] * 2**s`` integral."""
    s = 0
    for w in np.unique(weights[weights > 0]).tolist():
        _, exponent = math.frexp(w)  # w = mantissa * 2**exponent, 53-bit mantissa
        s = max(s, 53 - exponent)
    return s


def balancing_flow(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Extra traversals per edge (int array) making ``counts`` balanced at minimum total weight.

    ``counts[i]`` is how often edge ``i`` (``tails[i] -> heads[i]``) is already walked. Raises
    :class:`InfeasibleError` naming unbalanced nodes that cannot be served.
    """
    excess = np.bincount(heads, weights=counts, minlength=num_nodes) - np.bincount(
        tails, weights=counts, minlength=num_nodes
    )  # in - out
    extra = np.zeros(tails.size, dtype=np.int64)
    if not np.any(excess):
        return extra
    keep = cheapest_parallel_edges(tails, heads, weights, directed=True)
    shift = exact_integer_scale(weights[keep])
    flow_graph = nx.DiGraph()
    for v in np.flatnonzero(excess).tolist():
        flow_graph.add_node(v, demand=-int(excess[v]))  # surplus in-degree must flow out
    for e in keep.tolist():
        cost = int(math.ldexp(float(weights[e]), shift))  # exact: an integral double
        flow_graph.add_edge(int(tails[e]), int(heads[e]), weight=cost, edge=e)
    try:
        _, flow = nx.network_simplex(flow_graph)
    except nx.NetworkXUnfeasible as exc:
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
        ) from exc
    for u, targets in flow.items():
        for v, amount in targets.items():
            if amount:
                extra[flow_graph.edges[u, v]["edge"]] += amount
    return extra
