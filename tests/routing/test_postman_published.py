"""Published optima of the postman_problems examples (tests/data/postman/published_results.csv)."""

import networkx as nx
import pytest

from gridplan.routing import postman_tour
from tests.routing.postman_data import edgelist, sleeping_giant


def test_sleeping_giant_cpp_is_33_25_miles_in_155_edges():
    graph, required = sleeping_giant()
    trails = graph.edge_subgraph(required).copy()
    tour = postman_tour(trails, start="b_end_east")
    assert round(tour.length_m, 2) == 33.25
    assert round(tour.required_length_m, 2) == 26.01
    assert round(tour.deadhead_m, 2) == 7.24
    assert len(tour.steps) == 155
    assert tour.lower_bound_m == pytest.approx(tour.length_m)
    assert tour.rounding_bound_m == 0  # miles with 2 decimals lie on the matching grid
    assert tour.is_valid(trails)


def test_sleeping_giant_rpp_is_32_12_miles_in_151_edges():
    graph, required = sleeping_giant()
    tour = postman_tour(graph, required=required, start="b_end_east")
    assert round(tour.length_m, 2) == 32.12
    assert round(tour.deadhead_m, 2) == 6.11
    assert len(tour.steps) == 151
    assert tour.gap == 0
    assert tour.is_valid(graph, required)
    optional_walked = sum(
        graph.edges[s.u, s.v, s.key]["length"]
        for s in tour.steps
        if (s.u, s.v, s.key) not in required and (s.v, s.u, s.key) not in required
    )
    assert round(optional_walked, 2) == 0.68


def test_seven_bridges_from_d_is_39():
    graph = edgelist("seven_bridges/edgelist_seven_bridges.csv")
    tour = postman_tour(graph, start="D")
    assert tour.length_m == 39
    assert tour.deadhead_m == 6
    assert len(tour.steps) == 9
    assert tour.steps[0].u == "D" and tour.steps[-1].v == "D"
    assert tour.is_valid(graph)


def test_star_graph_rpp_is_116_in_6_edges():
    graph = edgelist("star/edgelist_star_graph2.csv")
    required = [(u, v, k) for u, v, k, r in graph.edges(keys=True, data="required") if r == 1]
    tour = postman_tour(graph, required=required, start="a")
    assert tour.length_m == 116
    assert len(tour.steps) == 6
    assert tour.is_valid(graph, required)


def test_graph1_cpp_is_45_in_7_edges():
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        [("a", "b", 5), ("a", "c", 20), ("b", "c", 10), ("c", "d", 3), ("d", "b", 2)],
        weight="length",
    )
    tour = postman_tour(graph, start="a")
    assert tour.length_m == 45
    assert len(tour.steps) == 7
    assert all(s.key is None for s in tour.steps)
    assert tour.is_valid(graph)
