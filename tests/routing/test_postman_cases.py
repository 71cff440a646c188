"""Bad input, both-sides streets, start handling and the real Shanghai fixture."""

import networkx as nx
import pytest

from gridplan.errors import InfeasibleError, InvalidInputError
from gridplan.routing import BothSides, PostmanOptions, postman_tour
from tests.routing.postman_data import shanghai_small, walking_view


def two_islands():
    graph = nx.MultiGraph()
    graph.add_edge("a", "b", length=10.0)
    graph.add_edge("b", "c", length=10.0)
    graph.add_edge("x", "y", length=5.0, name="孤岛路")
    return graph


def test_unreachable_required_streets_are_reported_with_their_component():
    with pytest.raises(InvalidInputError) as err:
        postman_tour(two_islands(), start="a")
    report = err.value.report()
    assert "1 required street(s), 5.0 m" in report and "孤岛路" in report


def test_unreachable_required_streets_can_be_returned_as_uncovered():
    graph = two_islands()
    tour = postman_tour(graph, start="a", options=PostmanOptions(on_unreachable="uncovered"))
    assert tour.uncovered == (("x", "y", 0),)
    assert tour.length_m == 40.0
    assert tour.is_valid(graph)


def test_one_way_trap_is_infeasible_and_names_the_street():
    graph = nx.MultiDiGraph()
    nx.add_cycle(graph, [1, 2, 3], length=10.0)
    graph.add_edge(3, 4, length=7.0, name="单行道")  # leads out, never back
    with pytest.raises(InfeasibleError) as err:
        postman_tour(graph, start=1)
    assert "单行道" in err.value.report()
    tour = postman_tour(graph, start=1, options=PostmanOptions(on_unreachable="uncovered"))
    assert tour.uncovered == ((3, 4, 0),) and tour.length_m == 30.0


def test_every_input_problem_is_listed_at_once():
    graph = nx.MultiGraph()
    graph.add_edge(1, 2, length=-1.0)
    graph.add_edge(2, 3, length=float("nan"))
    graph.add_edge(3, 1)
    with pytest.raises(InvalidInputError) as err:
        postman_tour(graph)
    assert len(err.value.problems) == 3


def test_unknown_required_edge_start_and_empty_requirement():
    graph = nx.MultiGraph()
    graph.add_edge(1, 2, length=1.0)
    graph.add_edge(1, 2, length=2.0)
    with pytest.raises(InvalidInputError) as err:
        postman_tour(graph, required=[(1, 9, 0), (1, 2)])
    assert len(err.value.problems) == 2  # no such edge; ambiguous parallel pair
    with pytest.raises(InvalidInputError):
        postman_tour(graph, start=99)
    with pytest.raises(InvalidInputError):
        postman_tour(graph, required=[])
    with pytest.raises(InvalidInputError):
        PostmanOptions(on_unreachable="skip", improve_rounds=-1)  # type: ignore[arg-type]


def test_wide_streets_are_walked_on_both_sides():
    graph = nx.MultiGraph()
    graph.add_edge("s", "t", length=100.0, grade=1)
    graph.add_edge("t", "u", length=50.0, grade=3, lanes="4")
    graph.add_edge("u", "s", length=80.0, grade=3, lanes=2)
    rule = BothSides(grades=frozenset({1}), min_lanes=4)
    tour = postman_tour(graph, options=PostmanOptions(both_sides=rule))
    passes = {frozenset((u, v)): n for (u, v, _), n in tour.required}
    assert passes == {frozenset("st"): 2, frozenset("tu"): 2, frozenset("us"): 1}
    assert tour.required_length_m == 380.0
    assert tour.is_valid(graph)
    # 2+2+1 passes leave s and u odd: the cheapest fix repeats u-s (80 m)
    assert tour.deadhead_m == 80.0


def test_required_passes_by_mapping_and_self_loops():
    graph = nx.MultiGraph()
    graph.add_edge(0, 1, length=3.0)
    graph.add_edge(1, 1, length=2.0)  # a loop street (cul-de-sac ring)
    tour = postman_tour(graph, required={(0, 1, 0): 1, (1, 1, 0): 2}, start=0)
    assert tour.length_m == 3.0 * 2 + 2.0 * 2
    assert tour.is_valid(graph)


def test_start_off_the_required_streets_is_linked_in():
    graph = nx.path_graph(5, create_using=nx.MultiGraph)
    nx.set_edge_attributes(graph, 10.0, "length")
    tour = postman_tour(graph, required=[(3, 4, 0)], start=0)
    assert tour.length_m == 80.0  # optimal: 30 m there, the street and its parity, 30 m back
    # bound = required 10 + max(parity 10, MST 30, 2 pieces x nearest 30 = 60)
    assert tour.lower_bound_m == pytest.approx(70.0)
    assert tour.steps[0].u == 0 and tour.is_valid(graph, [(3, 4, 0)])


def test_tour_prefers_going_straight_through_a_crossing():
    graph = nx.MultiGraph()
    for name, xy in {
        "c": (0, 0),
        "n": (0, 100),
        "s": (0, -100),
        "e": (100, 0),
        "w": (-100, 0),
    }.items():
        graph.add_node(name, x=xy[0], y=xy[1])
    for arm in "nsew":
        graph.add_edge("c", arm, length=100.0)
    tour = postman_tour(graph, start="n")
    assert [s.v for s in tour.steps[:2]] == ["c", "s"]  # down the street, not round the corner
    turned = postman_tour(graph, start="n", options=PostmanOptions(prefer_straight=False))
    assert turned.length_m == tour.length_m == 800.0


def test_shanghai_walking_and_driving_are_valid_and_exact():
    drive = shanghai_small()
    walk = walking_view(drive)
    on_foot = postman_tour(walk)
    assert on_foot.is_valid(walk) and on_foot.gap == pytest.approx(0, abs=1e-6)
    assert on_foot.rounding_bound_m == 0  # lengths are whole millimetres
    by_car = postman_tour(drive)
    assert by_car.is_valid(drive) and by_car.gap == 0
    assert by_car.length_m >= on_foot.length_m  # one-ways only lengthen the tour


def test_shanghai_main_roads_as_rural_postman():
    walk = walking_view(shanghai_small())
    main = [
        (u, v, k)
        for u, v, k, h in walk.edges(keys=True, data="highway")
        if h in ("primary", "secondary", "trunk")
    ]
    quick = postman_tour(walk, required=main, options=PostmanOptions(improve_rounds=0))
    improved = postman_tour(walk, required=main, options=PostmanOptions(improve_rounds=20, seed=1))
    assert improved.is_valid(walk, main)
    assert improved.length_m <= quick.length_m + 1e-9
    assert quick.lower_bound_m == pytest.approx(improved.lower_bound_m)
    assert improved.lower_bound_m <= improved.length_m


def test_balancing_flow_is_exact_when_rounding_would_mislead():
    """0.6 mm rounds to 1 mm but 0.4 + 0.4 mm to 0 + 0: the integer flow takes the detour; the
    exact negative-cycle check on the true lengths must bring it back to the direct street."""
    import numpy as np

    from gridplan.routing.balance import balancing_flow

    tails = np.array([1, 0, 0, 2])
    heads = np.array([0, 1, 2, 1])
    weights = np.array([1.0, 0.0006, 0.0004, 0.0004])
    extra = balancing_flow(3, tails, heads, weights, np.array([1, 0, 0, 0]))
    assert extra.tolist() == [0, 1, 0, 0]


def test_tjoin_reduction_removes_chains_and_leaves_exactly():
    """A comb: a spine with dead-end teeth, odd corners everywhere. The reduction must leave
    less for the matcher and the join must equal networkx's matching answer."""
    import networkx as nx
    import numpy as np

    from gridplan.routing.tjoin import min_weight_tjoin
    from gridplan.routing.tjoin_reduce import reduce_tjoin

    graph = nx.Graph()
    for i in range(8):
        graph.add_edge(i, i + 1, weight=3 + i % 3)  # the spine, a chain
        graph.add_edge(i, 100 + i, weight=1 + i % 2)  # a tooth: leaf 100+i
    graph.add_edge(8, 0, weight=20)  # close the spine into a ring
    nodes = sorted(graph)
    index = {v: k for k, v in enumerate(nodes)}
    tails = np.array([index[u] for u, _ in graph.edges()])
    heads = np.array([index[v] for _, v in graph.edges()])
    weights = np.array([w for *_, w in graph.edges(data="weight")], dtype=float)
    odd = [index[v] for v in nodes if graph.degree(v) % 2]
    terminal = np.zeros(len(nodes), dtype=np.uint8)
    terminal[odd] = 1
    *_, alive, _, left = reduce_tjoin(len(nodes), tails, heads, weights.astype(np.int64),
                                      terminal, 2**24 - 1)
    assert alive.sum() < len(tails) and left.sum() < len(odd)
    join = min_weight_tjoin(len(nodes), tails, heads, weights, odd)
    closure = nx.Graph()
    lengths = dict(nx.all_pairs_dijkstra_path_length(graph))
    for a in odd:
        for b in odd:
            if a < b:
                closure.add_edge(a, b, weight=lengths[nodes[a]][nodes[b]])
    best = sum(closure.edges[a, b]["weight"] for a, b in nx.min_weight_matching(closure))
    assert join.weight == best
    degree = np.bincount(np.concatenate([tails[join.edges], heads[join.edges]]),
                         minlength=len(nodes))
    assert set(np.flatnonzero(degree % 2).tolist()) == set(odd)
