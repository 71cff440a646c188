"""Invariants on random graphs, and optimality against independent references.

References: networkx ``min_weight_matching`` on the odd-node shortest-path closure (undirected),
and scipy's LP solver on the transportation formulation of the balancing problem (directed; the
LP has an integral optimum, so it equals the integer optimum).
"""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gridplan.routing import PostmanOptions, min_weight_tjoin, postman_tour


@st.composite
def connected_multigraphs(draw, *, max_nodes=9):
    n = draw(st.integers(2, max_nodes))
    graph = nx.MultiGraph()
    graph.add_nodes_from(range(n))
    for v in range(1, n):  # a random spanning tree keeps it connected
        graph.add_edge(draw(st.integers(0, v - 1)), v, length=draw(st.integers(1, 30)))
    for _ in range(draw(st.integers(0, 2 * n))):  # extra edges, parallels and loops allowed
        graph.add_edge(
            draw(st.integers(0, n - 1)),
            draw(st.integers(0, n - 1)),
            length=draw(st.integers(0, 30)),
        )
    return graph


def textbook_deadhead(graph, counts):
    """Odd nodes of ``counts`` paired by networkx min_weight_matching over shortest paths."""
    degree = {v: 0 for v in graph}
    for (u, v, _), c in counts.items():
        degree[u] += c
        degree[v] += c
    odd = [v for v, d in degree.items() if d % 2]
    dist = dict(nx.all_pairs_dijkstra_path_length(graph, weight="length"))
    closure = nx.Graph()
    closure.add_weighted_edges_from((a, b, dist[a][b]) for a, b in itertools.combinations(odd, 2))
    return sum(dist[a][b] for a, b in nx.min_weight_matching(closure))


@settings(max_examples=60, deadline=None)
@given(connected_multigraphs())
def test_cpp_is_valid_and_matches_networkx_matching(graph):
    tour = postman_tour(graph)
    assert tour.is_valid(graph)
    assert tour.length_m == pytest.approx(tour.required_length_m + tour.deadhead_m)
    counts = {e: 1 for e in graph.edges(keys=True)}
    assert tour.deadhead_m == pytest.approx(textbook_deadhead(graph, counts))
    assert tour.lower_bound_m == pytest.approx(tour.length_m)


@settings(max_examples=60, deadline=None)
@given(connected_multigraphs(), st.data())
def test_rural_tour_is_valid_and_above_its_bound(graph, data):
    edges = list(graph.edges(keys=True))
    required = data.draw(st.lists(st.sampled_from(edges), min_size=1, unique=True))
    start = data.draw(st.sampled_from(list(graph)))
    tour = postman_tour(graph, required=required, start=start, options=PostmanOptions(seed=3))
    assert tour.is_valid(graph, required)
    assert tour.steps[0].u == start
    assert tour.lower_bound_m <= tour.length_m + 1e-6
    assert tour.lower_bound_m >= tour.required_length_m
    served = nx.Graph(graph.edge_subgraph(required))
    served.add_node(start)
    if nx.is_connected(served):  # connected rural postman: exact, equal to the textbook answer
        counts = {e: 1 for e in required}
        assert tour.deadhead_m == pytest.approx(textbook_deadhead(graph, counts))
        assert tour.gap == pytest.approx(0, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(connected_multigraphs(), st.data())
def test_same_input_gives_same_tour(graph, data):
    edges = list(graph.edges(keys=True))
    required = data.draw(st.lists(st.sampled_from(edges), min_size=1, unique=True))
    first = postman_tour(graph, required=required, options=PostmanOptions(seed=7))
    again = postman_tour(graph.copy(), required=list(required), options=PostmanOptions(seed=7))
    assert first.steps == again.steps


@settings(max_examples=60, deadline=None)
@given(connected_multigraphs(max_nodes=12), st.data())
def test_tjoin_parity_and_weight_against_networkx(graph, data):
    nodes = list(graph)
    terminals = data.draw(
        st.lists(st.sampled_from(nodes), unique=True).filter(lambda t: len(t) % 2 == 0)
    )
    edges = list(graph.edges(data="length"))
    tails = np.array([u for u, _, _ in edges])
    heads = np.array([v for _, v, _ in edges])
    weights = np.array([w for *_, w in edges], dtype=float)
    join = min_weight_tjoin(len(nodes), tails, heads, weights, terminals)
    degree = np.bincount(tails[join.edges], minlength=len(nodes)) + np.bincount(
        heads[join.edges], minlength=len(nodes)
    )
    assert set(np.flatnonzero(degree % 2)) == set(terminals)
    dist = dict(nx.all_pairs_dijkstra_path_length(graph, weight="length"))
    closure = nx.Graph()
    closure.add_weighted_edges_from(
        (a, b, dist[a][b]) for a, b in itertools.combinations(terminals, 2)
    )
    assert join.weight == pytest.approx(sum(dist[a][b] for a, b in nx.min_weight_matching(closure)))


@st.composite
def strongly_connected_digraphs(draw):
    n = draw(st.integers(2, 8))
    order = draw(st.permutations(range(n)))
    graph = nx.MultiDiGraph()
    for a, b in zip(order, order[1:] + order[:1], strict=True):  # a Hamiltonian cycle
        graph.add_edge(a, b, length=draw(st.floats(0.5, 50).map(lambda x: round(x, 3))))
    for _ in range(draw(st.integers(0, 2 * n))):
        graph.add_edge(
            draw(st.integers(0, n - 1)),
            draw(st.integers(0, n - 1)),
            length=draw(st.floats(0.0, 50).map(lambda x: round(x, 3))),
        )
    return graph


def lp_balancing_cost(graph):
    """Min-cost balancing of a digraph by LP (independent of networkx's network simplex)."""
    nodes = list(graph)
    arcs = [(u, v, w) for u, v, w in graph.edges(data="length") if u != v]
    excess = {v: graph.in_degree(v) - graph.out_degree(v) for v in nodes}  # loops cancel
    a_eq = np.zeros((len(nodes), len(arcs)))
    for j, (u, v, _) in enumerate(arcs):
        a_eq[nodes.index(u), j] += 1  # extra walks leaving u
        a_eq[nodes.index(v), j] -= 1
    b_eq = np.array([excess[v] for v in nodes], dtype=float)
    res = linprog([w for *_, w in arcs], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


@settings(max_examples=60, deadline=None)
@given(strongly_connected_digraphs())
def test_directed_cpp_matches_lp_optimum(graph):
    tour = postman_tour(graph)
    assert tour.is_valid(graph)
    assert tour.deadhead_m == pytest.approx(lp_balancing_cost(graph), abs=1e-6)
    assert tour.lower_bound_m == pytest.approx(tour.length_m)
    walked = [(s.u, s.v) for s in tour.steps]
    assert all(graph.has_edge(u, v) for u, v in walked)  # never against a one-way


@settings(max_examples=40, deadline=None)
@given(strongly_connected_digraphs(), st.data())
def test_directed_rural_tour_is_valid(graph, data):
    edges = list(graph.edges(keys=True))
    required = data.draw(st.lists(st.sampled_from(edges), min_size=1, unique=True))
    start = data.draw(st.sampled_from(list(graph)))
    tour = postman_tour(graph, required=required, start=start)
    assert tour.is_valid(graph, required)
    assert tour.lower_bound_m <= tour.length_m + 1e-6


@st.composite
def fine_length_digraphs(draw):
    """Lengths finer than the flow's integer resolution (1e-3): rounding alone could pick a
    wrong flow, the exact negative-cycle check must repair it."""
    graph = draw(strongly_connected_digraphs())
    for u, v, k in list(graph.edges(keys=True)):
        graph.edges[u, v, k]["length"] = draw(st.floats(0.0, 0.004, allow_subnormal=False))
    return graph


@settings(max_examples=60, deadline=None)
@given(fine_length_digraphs())
def test_directed_cpp_is_exact_below_the_integer_resolution(graph):
    tour = postman_tour(graph)
    assert tour.is_valid(graph)
    assert tour.deadhead_m <= lp_balancing_cost(graph) + 1e-7  # HiGHS' own tolerance
    # optimality certificate, checked by networkx: no negative cycle in the residual graph
    extra: dict[tuple, int] = {}
    for step in tour.steps:
        if step.deadhead:
            extra[(step.u, step.v)] = extra.get((step.u, step.v), 0) + 1
    residual = nx.DiGraph()
    for u, v, w in graph.edges(data="length"):
        if u != v and (not residual.has_edge(u, v) or residual.edges[u, v]["weight"] > w):
            residual.add_edge(u, v, weight=w)
    for (u, v), count in extra.items():
        cheapest = min(w for _, x, w in graph.out_edges(u, data="length") if x == v)
        if not residual.has_edge(v, u) or residual.edges[v, u]["weight"] > -cheapest:
            residual.add_edge(v, u, weight=-cheapest)
    for _, _, data in residual.edges(data=True):
        data["weight"] += 1e-10  # float noise on a zero-cost cycle is not a better flow
    assert not nx.negative_edge_cycle(residual, weight="weight")
