"""CARP and min–max k-postman: splits, solver, bounds, checker."""

from __future__ import annotations

import functools
import itertools
import json
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli import cli
from geodata.carp import load_instance, read_carp
from gridplan.errors import InfeasibleError, InvalidInputError
from gridplan.routing import ArcInstance
from gridplan.routing.arcroute_bounds import carp_lower_bound, min_routes, minmax_lower_bound
from gridplan.routing.arcroute_check import check_walks
from gridplan.routing.arcroute_solver import (
    SearchParams,
    fewest_vehicles_for_capacity,
    solve_carp,
    solve_minmax,
)
from gridplan.routing.arcroute_split import best_directions, split_capacity, split_minmax

DATA = Path(__file__).parents[1] / "data" / "carp"
QUICK = SearchParams(seed=3, time_limit_s=20, max_iterations=40, restart_after=20)


def route_cost(instance: ArcInstance, arcs: list[int]) -> float:
    start, end, cost = instance.arcs()
    loc, total = instance.depot, 0.0
    for a in arcs:
        total += instance.distance[loc, start[a]] + cost[a]
        loc = end[a]
    return total + instance.distance[loc, instance.depot] if arcs else 0.0


def brute_route(instance: ArcInstance, tasks: list[int]) -> float:
    return min(
        route_cost(instance, [2 * t + d for t, d in zip(tasks, dirs, strict=True)])
        for dirs in itertools.product((0, 1), repeat=len(tasks))
    )


def cuts_of(m: int):
    for mask in range(2 ** (m - 1)):
        cuts = [0] + [i + 1 for i in range(m - 1) if mask >> i & 1] + [m]
        yield list(zip(cuts, cuts[1:], strict=False))


@st.composite
def random_instances(draw, max_vertices: int = 7):
    """Connected random graphs (a spanning tree plus extra edges), windy or not."""
    n = draw(st.integers(3, max_vertices))
    rng = random.Random(draw(st.integers(0, 10**6)))
    windy = draw(st.booleans())
    edges = []
    for v in range(1, n):
        edges.append((rng.randrange(v), v))
    for _ in range(draw(st.integers(0, n))):
        u, v = rng.sample(range(n), 2)
        edges.append((u, v))
    weighted = []
    for u, v in edges:
        c = rng.randint(1, 9)
        weighted.append((u, v, c, rng.randint(1, 9) if windy else c))
    required = sorted(rng.sample(range(len(weighted)), draw(st.integers(1, min(6, len(weighted))))))
    demand = [rng.randint(1, 4) for _ in required]
    return ArcInstance.from_edges(
        n,
        weighted,
        required,
        depot=rng.randrange(n),
        demand=demand,
        capacity=max(demand) + rng.randint(0, 6),
        name="random",
    )


# ---------------------------------------------------------------- instance
def test_from_graph_matches_from_edges():
    graph = nx.Graph()
    graph.add_edge("a", "b", length=4.0)
    graph.add_edge("b", "c", length=3.0)
    graph.add_edge("a", "c", length=10.0)
    instance = ArcInstance.from_graph(
        graph, [("a", "c"), ("b", "c")], "a", demand={("a", "c"): 2.0}, capacity=5
    )
    core = ArcInstance.from_edges(
        3, [(0, 1, 4.0), (1, 2, 3.0), (0, 2, 10.0)], [2, 1], depot=0, demand=[2.0, 1.0], capacity=5
    )
    assert (instance.distance == core.distance).all()
    assert instance.demand.tolist() == [2.0, 1.0] and instance.label(2) == "c"
    assert (
        solve_carp(instance, QUICK).total_cost == solve_carp(core, QUICK).total_cost == 17
    )  # a-c, c-b, b-a


def test_bad_instances_are_refused_with_every_problem():
    with pytest.raises(InvalidInputError) as caught:
        ArcInstance.from_edges(3, [(0, 1, -1.0), (1, 5, 2.0)], [0, 7], depot=4, capacity=0)
    assert len(caught.value.problems) >= 4
    with pytest.raises(InfeasibleError):  # required edge in a part the depot cannot reach
        ArcInstance.from_edges(4, [(0, 1, 1.0), (2, 3, 1.0)], [1], depot=0)
    instance = load_instance(DATA / "gdb1.dat")
    with pytest.raises(InvalidInputError):
        solve_minmax(instance, 0)


# ---------------------------------------------------------------- splits (exact vs brute force)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_instances(), st.randoms(use_true_random=False))
def test_splits_are_exact_for_their_order(instance, rnd):
    order = list(range(instance.n_tasks))
    rnd.shuffle(order)
    routes = split_capacity(instance, order)
    assert [a >> 1 for r in routes for a in r] == order
    best = min(
        sum(brute_route(instance, order[i:j]) for i, j in parts)
        for parts in cuts_of(len(order))
        if all(instance.demand[order[i:j]].sum() <= instance.capacity for i, j in parts)
    )
    assert sum(route_cost(instance, r) for r in routes) == pytest.approx(best)
    for k in (1, 2, 3):
        routes = split_minmax(instance, order, k)
        assert len(routes) == k
        best = min(
            max(brute_route(instance, order[i:j]) for i, j in parts)
            for parts in cuts_of(len(order))
            if len(parts) <= k
        )
        assert max(route_cost(instance, r) for r in routes) == pytest.approx(best)


def test_best_directions_matches_brute_force():
    instance = load_instance(DATA / "gdb1.dat")
    tasks = [3, 7, 1, 12, 20]
    arcs, cost = best_directions(instance, tasks)
    assert cost == brute_route(instance, tasks) == route_cost(instance, arcs)


# ---------------------------------------------------------------- solver on random instances
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_instances(), st.integers(1, 3))
def test_plans_are_valid_and_above_their_bounds(instance, k):
    params = SearchParams(
        seed=1, max_iterations=15, restart_after=10, population_size=4, generation_size=4
    )
    carp = solve_carp(instance, params)
    assert carp.is_valid()
    assert carp.total_cost >= carp_lower_bound(instance) - 1e-9
    assert all(load <= instance.capacity for load in carp.route_loads)
    minmax = solve_minmax(instance, k, params)
    assert minmax.is_valid() and len(minmax.routes) == k
    assert minmax.longest_route >= minmax_lower_bound(instance, k) - 1e-9
    # the best single route serving everything bounds the min–max optimum from above
    assert minmax.longest_route <= solve_minmax(instance, 1, params).longest_route + 1e-9


# ---------------------------------------------------------------- literature instances
@pytest.mark.parametrize(
    ("name", "optimum", "iterations"),
    [
        ("gdb19.dat", 55, 50),
        ("3A.dat", 81, 400),
        pytest.param("gdb2.dat", 339, 3000, marks=pytest.mark.slow),
        pytest.param("kshs1.dat", 14661, 3000, marks=pytest.mark.slow),
    ],
)
def test_reaches_known_optimum(name, optimum, iterations):
    instance = load_instance(DATA / name)
    params = SearchParams(seed=1, time_limit_s=120, max_iterations=iterations)
    result = solve_carp(instance, params)
    assert result.total_cost == optimum
    assert result.lower_bound <= optimum
    assert result.is_valid()


def test_same_seed_same_plan():
    instance = load_instance(DATA / "kshs1.dat")
    first = solve_carp(instance, QUICK)
    again = solve_carp(instance, QUICK)
    assert first.routes == again.routes and first.iterations == again.iterations
    other = solve_minmax(instance, 3, QUICK)
    assert other.routes == solve_minmax(instance, 3, QUICK).routes


def test_fewest_vehicles_first():
    instance = load_instance(DATA / "gdb1.dat")  # 22 unit demands, capacity 5: at least 5 routes
    result = fewest_vehicles_for_capacity(instance, QUICK)
    assert len(result.routes) == min_routes(instance) == 5
    assert result.is_valid()


def test_minmax_on_windy_file_and_bounds():
    instance = load_instance(DATA / "P0115", capacity=None)
    for k in (2, 3):
        result = solve_minmax(instance, k, QUICK)
        assert result.is_valid()
        assert result.longest_route >= result.lower_bound
    assert result.gap >= 0


# ---------------------------------------------------------------- checker catches broken plans
def test_checker_flags_missing_service_bad_steps_and_overload():
    instance = load_instance(DATA / "gdb1.dat")
    result = solve_carp(instance, QUICK)
    walks = [(w.vertices, w.served) for w in result.walks()]
    assert check_walks(instance, walks).ok
    dropped = [(walks[0][0], walks[0][1][1:])] + walks[1:]
    assert not check_walks(instance, dropped).ok
    jumped = [([0, 8, 0], [])] + walks  # no street 1 -> 9 in gdb1
    assert any("no such street" in p.found for p in check_walks(instance, jumped).problems)
    merged = [(walks[0][0][:-1] + walks[1][0], walks[0][1] + walks[1][1])] + walks[2:]
    report = check_walks(instance, merged)
    assert any("load" in p.expected for p in report.problems)


# ---------------------------------------------------------------- CLI
def test_cli_json_is_checkable_from_the_file():
    path = DATA / "gdb1.dat"
    run = CliRunner().invoke(
        cli,
        [
            "solve-instance",
            str(path),
            "--seed",
            "2",
            "--time-limit-s",
            "10",
            "--max-iterations",
            "30",
            "--json",
        ],
    )
    assert run.exit_code == 0, run.output
    plan = json.loads(run.output)
    carp = read_carp(path)
    instance = carp.to_instance()
    walks = [
        (
            [v - 1 for v in r["vertices"]],
            [
                (x - 1, y - 1, t - 1)
                for (x, y), t in zip(r["served"], r["served_edge_numbers"], strict=True)
            ],
        )
        for r in plan["routes"]
    ]
    report = check_walks(instance, walks)
    assert report.ok and plan["verified"]
    assert report.total_cost == plan["objective"] >= plan["lower_bound"]
    assert all(r["vertices"][0] == r["vertices"][-1] == carp.depot for r in plan["routes"])


def test_cli_minmax_and_bad_file(tmp_path):
    run = CliRunner().invoke(
        cli,
        [
            "solve-instance",
            str(DATA / "P0115"),
            "--k",
            "2",
            "--time-limit-s",
            "5",
            "--max-iterations",
            "10",
            "--json",
        ],
    )
    assert run.exit_code == 0, run.output
    plan = json.loads(run.output)
    assert plan["mode"] == "minmax" and len(plan["routes"]) == 2
    assert plan["objective"] == max(r["cost"] for r in plan["routes"])
    bad = tmp_path / "bad.dat"
    bad.write_text("NOMBRE : x\nVERTICES : two\n")
    run = CliRunner().invoke(cli, ["solve-instance", str(bad)])
    assert run.exit_code == 2 and "line 2" in run.output


# ---------------------------------------------------------------- shifts as capacity
def test_shift_minutes_as_capacity_on_a_street_grid():
    from gridplan.routing.arcroute_shift import shift_instance

    streets = nx.MultiDiGraph()
    for u, v in nx.grid_2d_graph(4, 4).edges:
        streets.add_edge(u, v, 0, length=150.0)  # walk mode: both directions, one street
        streets.add_edge(v, u, 0, length=150.0)
    required = [(u, v, 0) for u, v in nx.grid_2d_graph(4, 4).edges]
    instance = shift_instance(
        streets, required, (0, 0), shift_minutes=30, walk_speed_kmh=4.5, inspection_min_per_km=10
    )
    walk_min = 150 / 75.0  # 4.5 km/h = 75 m/min
    assert instance.n_tasks == 24
    assert instance.demand[0] == pytest.approx(walk_min + 1.5)
    result = fewest_vehicles_for_capacity(instance, QUICK)
    assert result.is_valid()
    assert all(load <= 30 + 1e-9 for load in result.route_loads)
    assert min_routes(instance) <= len(result.routes) <= min_routes(instance) + 1
    with pytest.raises(InvalidInputError):
        shift_instance(streets, required, (0, 0), shift_minutes=-5, walk_speed_kmh=0)


# ---------------------------------------------------------------- budget, cancel and progress
def test_search_params_are_declared_once_and_validated():
    params = SearchParams.from_toml("[search]\nseed = 4\nmax_iterations = 7\n")
    assert params.seed == 4 and params.max_iterations == 7 and params.time_limit_s is None
    with pytest.raises(InvalidInputError) as err:
        SearchParams(n_elite=9, population_size=3, target_feasible=1.5)
    assert {p.where for p in err.value.problems} == {"n_elite", "target_feasible"}


def test_iteration_budget_is_the_default_stop_and_progress_reaches_one():
    instance = load_instance(DATA / "kshs1.dat")
    seen: list[float] = []
    result = solve_carp(instance, SearchParams(seed=1, max_iterations=25, restart_after=10**6),
                        progress=seen.append)
    assert result.stop_reason in ("iterations", "proven") and not result.cancelled
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    if result.stop_reason == "iterations":
        assert result.iterations == 25


@pytest.mark.parametrize("mode", ["carp", "minmax"])
def test_cancel_returns_the_best_plan_so_far_quickly(mode):
    import time

    # bounds below the optimum (3A: 79 < 81; gdb1, k = 5: 63 < 66), so no plan ends the search
    # as proven before the cancel
    instance = (load_instance(DATA / "3A.dat") if mode == "carp"
                else load_instance(DATA / "gdb1.dat", capacity=None))
    calls = []

    def cancel_after_a_few_polls() -> bool:
        calls.append(time.perf_counter())
        return len(calls) > 5

    params = SearchParams(seed=1, max_iterations=10**6)
    began = time.perf_counter()
    if mode == "carp":
        result = solve_carp(instance, params, should_cancel=cancel_after_a_few_polls)
    else:
        result = solve_minmax(instance, 5, params, should_cancel=cancel_after_a_few_polls)
    assert result.cancelled and result.stop_reason == "cancelled"
    assert time.perf_counter() - calls[5] < 2.0 and time.perf_counter() - began < 30
    assert result.is_valid() and result.iterations < 10**6


def test_cancel_before_any_child_still_gives_a_valid_plan():
    instance = load_instance(DATA / "gdb1.dat")
    result = solve_carp(instance, SearchParams(seed=1), should_cancel=lambda: True)
    assert result.cancelled and result.is_valid() and result.iterations == 0


def test_uncompiled_path_is_the_same_algorithm():
    """NUMBA_DISABLE_JIT=1 runs the very same kernels as Python: identical plans."""
    import os
    import subprocess
    import sys

    script = (
        "from geodata.carp import load_instance\n"
        "from gridplan.routing.arcroute_solver import SearchParams, solve_carp\n"
        f"i = load_instance({str(DATA / 'gdb1.dat')!r})\n"
        "p = SearchParams(seed=2, max_iterations=12, population_size=3, generation_size=3,"
        " n_elite=1)\n"
        "print(solve_carp(i, p).routes)\n"
    )
    params = SearchParams(seed=2, max_iterations=12, population_size=3, generation_size=3,
                          n_elite=1)
    compiled = solve_carp(load_instance(DATA / "gdb1.dat"), params).routes
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    run = subprocess.run([sys.executable, "-W", "error", "-c", script], env=env,
                         capture_output=True, text=True, check=True, timeout=600)
    assert run.stdout.strip() == str(compiled)


# ---------------------------------------------------------------- local search moves
def _intra_neighbours(tasks: list[int]):
    """Every route one relocation, swap or segment reversal away from ``tasks``."""
    n = len(tasks)
    for i, j in itertools.permutations(range(n), 2):
        moved = tasks[:i] + tasks[i + 1:]
        yield moved[:j] + [tasks[i]] + moved[j:]
        swapped = list(tasks)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        yield swapped
        if i < j:
            yield tasks[:i] + tasks[i:j + 1][::-1] + tasks[j + 1:]


@functools.cache
def _gdb1() -> ArcInstance:
    return load_instance(DATA / "gdb1.dat")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["gdb1", "random"]), random_instances(), st.integers(0, 10**6),
       st.booleans())
def test_local_search_never_worsens_and_ends_at_a_local_optimum(name, small, seed, minmax):
    """The compiled moves (pruned intra-route evaluation included) keep every task once, never
    raise the objective, report true route costs, and leave no improving move inside a route
    when every task is every task's neighbour."""
    from gridplan.routing.arcroute_search import Search, task_neighbours

    instance = small if name == "random" else _gdb1()
    rng = random.Random(seed)
    order = list(range(instance.n_tasks))
    rng.shuffle(order)
    routes = [order[: len(order) // 3], order[len(order) // 3:]]
    search = Search(instance, task_neighbours(instance, instance.n_tasks), minmax=minmax,
                    use_capacity=not minmax)
    penalty = 7.0

    def cost_of(tasks):
        return best_directions(instance, tasks)[1] if tasks else 0.0

    def objective(rs):
        costs = [cost_of([int(t) for t in r]) for r in rs]
        if minmax:
            return max(costs)
        over = sum(max(0.0, sum(instance.demand[list(r)]) - instance.capacity) for r in rs)
        return sum(costs) + penalty * over

    before = objective(routes)
    better, costs, _ = search.run([np.asarray(r, dtype=np.int64) for r in routes],
                                  penalty=penalty, seed=seed, spare_empty=0 if minmax else 1)
    assert sorted(int(t) for r in better for t in r) == list(range(instance.n_tasks))
    assert objective(better) <= before + 1e-9
    for r, c in zip(better, costs, strict=True):
        tasks = [int(t) for t in r]
        assert c == pytest.approx(cost_of(tasks))
        for other in _intra_neighbours(tasks):
            assert cost_of(other) >= c - 1e-6
