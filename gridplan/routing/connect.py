"""Linking the disconnected parts of a rural postman's required streets.

Frederickson's construction joins the required components by a minimum spanning tree over the
shortest-path distances between them. For undirected graphs one multi-source Dijkstra is enough:
grow every component at once (a shortest-path Voronoi diagram of the components); each street whose
two ends fall in different regions is a candidate link, and a spanning tree of the candidate links
has the weight of the spanning tree over all pairwise distances (Mehlhorn 1988). For directed
graphs we need both directions, so we run one Dijkstra per component and link by round trips.

The same distances give lower bounds on the connecting walk: the tour crosses between components
along walks at least as long as the inter-component distances, so its deadhead is at least the
MST over those distances, and at least the sum over components of the distance to the nearest
other one.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from gridplan.routing.tjoin import cheapest_parallel_edges

_TINY = 1e-12  # scipy's sparse graphs lose explicit zeros; zero-length links get this instead


@dataclass(frozen=True, slots=True)
class Linking:
    """Connector paths (edge indices, with repetition) and what they imply for the lower bound."""

    edges: np.ndarray
    mst_m: float  # weight of the spanning tree over component distances (a deadhead lower bound)
    nearest_sum_m: float  # sum of each component's distance to its nearest other component


def component_labels(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, passes: np.ndarray, start: int
) -> np.ndarray:
    """Label of the required component of every node (-1 off the required streets).

    Components are weak (orientation ignored). ``start`` is its own component when it touches no
    required street: the walk must still reach it.
    """
    req = np.flatnonzero(passes > 0)
    adjacency = csr_matrix((np.ones(req.size), (tails[req], heads[req])), shape=(num_nodes,) * 2)
    _, labels = connected_components(adjacency, directed=False)
    touched = np.zeros(num_nodes, dtype=bool)
    touched[tails[req]] = touched[heads[req]] = True
    touched[start] = True
    out = np.full(num_nodes, -1, dtype=np.int64)
    _, dense = np.unique(labels[touched], return_inverse=True)
    out[touched] = dense
    return out


def graph_labels(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, *, strong: bool
) -> np.ndarray:
    """Connected (or strongly connected) component of every node of the whole graph."""
    adjacency = csr_matrix((np.ones(tails.size), (tails, heads)), shape=(num_nodes,) * 2)
    _, labels = connected_components(adjacency, directed=strong, connection="strong")
    return labels


def _sparse(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, *, directed: bool
) -> tuple[csr_matrix, dict[tuple[int, int], int]]:
    keep = cheapest_parallel_edges(tails, heads, weights, directed=directed)
    w = np.maximum(weights[keep], _TINY)
    matrix = csr_matrix((w, (tails[keep], heads[keep])), shape=(num_nodes,) * 2)
    if directed:
        lookup = {
            (int(a), int(b)): int(e) for a, b, e in zip(tails[keep], heads[keep], keep, strict=True)
        }
    else:
        lookup = {}
        for a, b, e in zip(tails[keep], heads[keep], keep, strict=True):
            lookup[(int(a), int(b))] = lookup[(int(b), int(a))] = int(e)
    return matrix, lookup


def _path_back(
    node: int, predecessors: np.ndarray, lookup: dict[tuple[int, int], int]
) -> list[int]:
    """Edge indices from the Dijkstra source to ``node`` (in walking order)."""
    edges = []
    while predecessors[node] >= 0:
        prev = int(predecessors[node])
        edges.append(lookup[(prev, node)])
        node = prev
    edges.reverse()
    return edges


def link_undirected(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, labels: np.ndarray
) -> Linking:
    """Frederickson links for undirected graphs via one multi-source Dijkstra (see module doc)."""
    k = int(labels.max()) + 1
    matrix, lookup = _sparse(num_nodes, tails, heads, weights, directed=False)
    sources = np.flatnonzero(labels >= 0)
    dist, pred, origin = dijkstra(
        matrix, directed=False, indices=sources, min_only=True, return_predecessors=True
    )
    region = np.where(origin >= 0, labels[np.maximum(origin, 0)], -1)
    best = _cheapest_links(tails, heads, weights, dist, region)
    tree = _spanning_tree(k, {pair: cost for pair, (cost, _) in best.items()})
    edges: list[int] = []
    for pair in tree:
        _, e = best[pair]
        edges += (
            _path_back(int(tails[e]), pred, lookup) + [e] + _path_back(int(heads[e]), pred, lookup)
        )
    nearest = np.full(k, np.inf)
    for (a, b), (cost, _) in best.items():
        nearest[a], nearest[b] = min(nearest[a], cost), min(nearest[b], cost)
    return Linking(
        np.asarray(edges, dtype=np.int64),
        sum(best[p][0] for p in tree),
        float(nearest.sum()) if k > 1 else 0.0,
    )


def _cheapest_links(
    tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, dist: np.ndarray, region: np.ndarray
) -> dict[tuple[int, int], tuple[float, int]]:
    """Cheapest street crossing between each pair of Voronoi regions: (cost, edge index)."""
    ra, rb = region[tails], region[heads]
    cross = np.flatnonzero((ra >= 0) & (rb >= 0) & (ra != rb))
    cost = dist[tails[cross]] + weights[cross] + dist[heads[cross]]
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for e, c in zip(cross.tolist(), cost.tolist(), strict=True):
        a, b = int(ra[e]), int(rb[e])
        pair = (min(a, b), max(a, b))
        if pair not in best or (c, e) < best[pair]:
            best[pair] = (c, e)
    return best


def _spanning_tree(k: int, costs: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    graph = nx.Graph()
    graph.add_nodes_from(range(k))
    graph.add_weighted_edges_from((a, b, c) for (a, b), c in sorted(costs.items()))
    tree = nx.minimum_spanning_tree(graph, algorithm="kruskal")
    return sorted((min(a, b), max(a, b)) for a, b in tree.edges)


def link_directed(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, labels: np.ndarray
) -> Linking:
    """Round-trip links for directed graphs: one multi-source Dijkstra per component.

    The caller guarantees every component lies in one strongly connected part of the graph.
    """
    k = int(labels.max()) + 1
    matrix, lookup = _sparse(num_nodes, tails, heads, weights, directed=True)
    members = [np.flatnonzero(labels == c) for c in range(k)]
    dist = np.full((k, k), np.inf)
    entry = np.full((k, k), -1, dtype=np.int64)  # node of component j reached first from i
    preds = []
    for i in range(k):
        d, pred = dijkstra(
            matrix, directed=True, indices=members[i], min_only=True, return_predecessors=True
        )[:2]
        preds.append(pred)
        for j in range(k):
            if j != i:
                at = members[j][int(np.argmin(d[members[j]]))]
                dist[i, j], entry[i, j] = d[at], at
    round_trip = {(i, j): dist[i, j] + dist[j, i] for i in range(k) for j in range(i + 1, k)}
    edges: list[int] = []
    for i, j in _spanning_tree(k, round_trip):
        edges += _path_back(int(entry[i, j]), preds[i], lookup)
        edges += _path_back(int(entry[j, i]), preds[j], lookup)
    np.fill_diagonal(dist, np.inf)
    out_nearest = float(dist.min(axis=1).sum()) if k > 1 else 0.0
    # a closed walk leaves every component once at least; the one-way MST is also a bound
    one_way = {(i, j): min(dist[i, j], dist[j, i]) for i in range(k) for j in range(i + 1, k)}
    mst = sum(one_way[p] for p in _spanning_tree(k, one_way))
    return Linking(np.asarray(edges, dtype=np.int64), float(mst), out_nearest)
