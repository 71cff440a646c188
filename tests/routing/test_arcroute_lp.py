"""Cutting-plane LP bounds: valid against exact optima, stronger than the matching bound."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.carp import load_instance
from gridplan.routing import ArcInstance
from gridplan.routing.arcroute_bounds import (
    carp_lower_bound,
    matching_lower_bound,
    min_routes,
    minmax_lower_bound,
)
from gridplan.routing.arcroute_lp import carp_lp_bound, gomory_hu, minmax_lp_bound
from tests.routing.test_arcroute import random_instances, route_cost

DATA = Path(__file__).parents[1] / "data" / "carp"


def best_route(instance: ArcInstance, tasks: tuple[int, ...]) -> float:
    """Cheapest single closed walk serving ``tasks`` (every order and direction)."""
    if not tasks:
        return 0.0
    return min(route_cost(instance, [2 * t + d for t, d in zip(order, dirs, strict=True)])
               for order in itertools.permutations(tasks)
               for dirs in itertools.product((0, 1), repeat=len(tasks)))


def exact_optima(instance: ArcInstance, k: int) -> tuple[float, float]:
    """(CARP optimum, min–max k-postman optimum) by enumerating every assignment of tasks."""
    m = instance.n_tasks
    cost: dict[tuple[int, ...], float] = {}
    carp, minmax = float("inf"), float("inf")
    for labels in itertools.product(range(m), repeat=m):
        groups = [tuple(t for t in range(m) if labels[t] == g) for g in range(m)]
        routes = [cost.setdefault(g, best_route(instance, g)) for g in groups]
        if all(instance.demand[list(g)].sum() <= instance.capacity for g in groups if g):
            carp = min(carp, sum(routes))
        if max(labels) < k:
            minmax = min(minmax, max(routes))
    return carp, minmax


@pytest.mark.parametrize(("name", "optimum", "matching"),
                         [("gdb1.dat", 316, 310), ("gdb2.dat", 339, 339), ("gdb19.dat", 55, 55),
                          ("3A.dat", 81, 79), ("kshs1.dat", 14661, None)])
def test_carp_bound_is_valid_and_closes_gaps_on_literature_instances(name, optimum, matching):
    instance = load_instance(DATA / name)
    lp = carp_lp_bound(instance)
    old = matching_lower_bound(instance, min_routes=min_routes(instance))
    assert lp.complete and lp.value <= optimum
    assert carp_lower_bound(instance) == max(old, lp.value)
    if matching is not None:
        assert old == matching
    if name == "gdb1.dat":  # the matching bound misses by 6; the capacity cuts close it
        assert lp.value == optimum


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_instances(max_vertices=6), st.integers(1, 3))
def test_bounds_never_exceed_the_exact_optimum(instance, k):
    if instance.n_tasks > 4:  # keep the enumeration small
        return
    carp, minmax = exact_optima(instance, k)
    assert carp_lp_bound(instance).value <= carp + 1e-9
    assert carp_lower_bound(instance) <= carp + 1e-9
    assert minmax_lower_bound(instance, k) <= minmax + 1e-9


def test_windy_bound_uses_the_dear_direction():
    # one required edge, dear back: the walk pays 1 out and 10 back; the cheaper direction says 2
    instance = ArcInstance.from_edges(2, [(0, 1, 1.0, 10.0)], [0], capacity=None)
    assert matching_lower_bound(instance) == 2
    assert minmax_lp_bound(instance, 1, 2.0) == 11  # the windy postman LP itself
    assert minmax_lp_bound(instance, 2, 2.0) == 6  # its total 11 shared by two: ⌈5.5⌉
    assert minmax_lower_bound(instance, 2) == 11  # the round trip of the only street


def test_minmax_bound_on_the_windy_file_stays_below_a_plan():
    from gridplan.routing.arcroute_solver import SearchParams, solve_minmax
    instance = load_instance(DATA / "P0115", capacity=None)
    params = SearchParams(seed=1, max_iterations=30, restart_after=20)
    for k in (2, 3):
        assert minmax_lower_bound(instance, k) <= solve_minmax(instance, k, params).longest_route


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10**6))
def test_gomory_hu_tree_gives_every_minimum_cut(n, seed):
    rng = random.Random(seed)
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n) if rng.random() < 0.5]
    weights = [rng.choice([0.25, 0.5, 1.0, 1.5, 2.0]) for _ in pairs]
    u = np.array([p[0] for p in pairs], dtype=np.int64)
    v = np.array([p[1] for p in pairs], dtype=np.int64)
    parent, weight = gomory_hu(n, u, v, np.array(weights))
    tree = nx.Graph((i, int(parent[i]), {"w": weight[i]}) for i in range(1, n))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for (a, b), w in zip(pairs, weights, strict=True):
        graph.add_edge(a, b, capacity=w)
    for s, t in itertools.combinations(range(n), 2):
        path = nx.shortest_path(tree, s, t)
        on_tree = min(tree[a][b]["w"] for a, b in itertools.pairwise(path))
        assert on_tree == pytest.approx(nx.minimum_cut_value(graph, s, t), abs=1e-5)
