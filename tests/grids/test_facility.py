"""p-median: proven optima of OR-Library pmed1–10, spopt's San Francisco case, invariants."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.orlib import read_pmed
from gridplan.errors import InfeasibleError, InputFileError, InvalidInputError
from gridplan.facility import PMedianParams, PMedianProblem, solve_pmedian

DATA = Path(__file__).parent.parent / "data" / "grids"
PMED = DATA / "pmed"
OPTIMA = {r["instance"]: float(r["optimal_value"])
          for r in csv.DictReader((PMED / "best_known.csv").read_text().splitlines())}
SLOW_EXACT = {"pmed6"}  # branch and bound takes > 10 s on 2 cores


def _pmed_cases() -> list[object]:
    cases = []
    for k in range(1, 11):
        name = f"pmed{k}"
        marks = [pytest.mark.slow] if name in SLOW_EXACT else []
        cases.append(pytest.param(name, marks=marks, id=name))
    return cases


@pytest.mark.parametrize("name", _pmed_cases())
def test_exact_reaches_orlib_optimum(name: str) -> None:
    problem = read_pmed(PMED / f"{name}.txt").problem()
    result = solve_pmedian(problem, params=PMedianParams(method="exact", time_limit_s=120))
    assert result.is_valid(), result.problems()
    assert result.status == "optimal"
    assert result.objective == OPTIMA[name]
    assert result.gap == 0.0


@pytest.mark.parametrize("name", ["pmed2", "pmed5", "pmed9", "pmed10"])
def test_heuristic_bound_brackets_the_optimum(name: str) -> None:
    problem = read_pmed(PMED / f"{name}.txt").problem()
    result = solve_pmedian(problem, params=PMedianParams(method="heuristic", restarts=3))
    assert result.is_valid(), result.problems()
    assert result.lower_bound <= OPTIMA[name] <= result.objective
    assert result.bound_source == "lp"
    assert result.gap == pytest.approx((result.objective - result.lower_bound) / result.objective)
    assert result.objective <= 1.02 * OPTIMA[name]


def _sf_problem() -> PMedianProblem:
    folder = DATA / "spopt_sf"
    dist = pd.read_csv(folder / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
                       dtype={"DestinationName": str})
    demand = pd.read_csv(folder / "SF_demand_205_centroid_uniform_weight.csv",
                         dtype={"NAME": str}).sort_values("NAME")
    matrix = dist.pivot_table(values="distance", index="DestinationName", columns="name")
    assert list(matrix.index) == list(demand["NAME"])
    return PMedianProblem.from_cost_matrix(matrix.to_numpy(), 4, weights=demand["POP2000"],
                                           client_labels=matrix.index, site_labels=matrix.columns)


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_spopt_san_francisco_optimum(method: str) -> None:
    result = solve_pmedian(_sf_problem(), params=PMedianParams(method=method))
    assert result.is_valid()
    assert set(result.site_labels) == {"Store_2", "Store_11", "Store_12", "Store_15"}
    assert result.mean_cost == pytest.approx(2982.1268579890657, rel=1e-12)
    assert result.objective == pytest.approx(2848268129.714512, rel=1e-12)


def _brute_force(d: np.ndarray, w: np.ndarray, p: int) -> float:
    return min(float(w @ d[:, list(c)].min(axis=1))
               for c in itertools.combinations(range(d.shape[1]), p))


matrices = st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.integers(0, 50), min_size=n, max_size=n), min_size=1, max_size=9),
    st.lists(st.integers(0, 5), min_size=9, max_size=9),
    st.integers(1, n),
    st.integers(0, 3)))


@settings(max_examples=40, deadline=None)
@given(matrices)
def test_exact_and_heuristic_match_enumeration(case: tuple) -> None:
    rows, weights, p, seed = case
    d = np.array(rows, dtype=float)
    w = np.array(weights[: len(rows)], dtype=float)
    if not (w > 0).any():
        w[0] = 1.0
    problem = PMedianProblem.from_cost_matrix(d, p, weights=w)
    best = _brute_force(d, w, p)
    exact = solve_pmedian(problem, params=PMedianParams(method="exact"))
    heuristic = solve_pmedian(problem, params=PMedianParams(method="heuristic", seed=seed))
    assert exact.is_valid() and heuristic.is_valid()
    assert exact.objective == pytest.approx(best)
    assert exact.status == "optimal"
    assert heuristic.objective >= best - 1e-9
    assert heuristic.lower_bound <= best + 1e-9


def test_same_seed_same_answer() -> None:
    problem = read_pmed(PMED / "pmed3.txt").problem()
    params = PMedianParams(method="heuristic", seed=7, lp_bound=False)
    first, second = (solve_pmedian(problem, params=params) for _ in range(2))
    assert first.sites == second.sites
    assert np.array_equal(first.assignment, second.assignment)


def test_unreachable_pairs_force_a_site_per_component() -> None:
    inf = np.inf
    d = np.array([[0, 1, inf, inf], [1, 0, inf, inf], [inf, inf, 0, 2], [inf, inf, 2, 0]])
    for method in ("exact", "heuristic"):
        result = solve_pmedian(PMedianProblem.from_cost_matrix(d, 2),
                               params=PMedianParams(method=method))
        assert result.objective == 3.0
        assert {result.sites[0] // 2, result.sites[1] // 2} == {0, 1}
    with pytest.raises(InfeasibleError, match="reach every client"):
        solve_pmedian(PMedianProblem.from_cost_matrix(d, 1))


def test_every_input_problem_reported_at_once() -> None:
    with pytest.raises(InvalidInputError) as info:
        PMedianProblem.from_cost_matrix([[0, -1], [np.nan, 0]], 3, weights=[1, -2])
    sources = {p.where for p in info.value.problems}
    assert {"costs", "weights", "p"} <= sources


def test_zero_weight_clients_do_not_count() -> None:
    d = np.array([[0.0, 10.0], [10.0, 0.0], [100.0, np.inf]])
    result = solve_pmedian(PMedianProblem.from_cost_matrix(d, 1, weights=[1, 3, 0]))
    assert result.sites == (1,)
    assert result.objective == 10.0
    assert result.is_valid()


def _ladder(n: int) -> nx.MultiDiGraph:
    """A 2 × n street ladder in metres, walk mode (both directions, shared street_id)."""
    g = nx.MultiDiGraph(crs="EPSG:32651")
    for i in range(n):
        for j in range(2):
            g.add_node((i, j), x=100.0 * i, y=80.0 * j)
    sid = 0
    for i in range(n):
        for a, b, length in [((i, 0), (i, 1), 80.0), ((i, 0), (i + 1, 0), 100.0),
                             ((i, 1), (i + 1, 1), 100.0)]:
            if b not in g:
                continue
            for u, v in ((a, b), (b, a)):
                g.add_edge(u, v, length=length, grade=3, street_id=sid, name="", highway="x")
            sid += 1
    return g


def test_street_graph_station_is_the_weighted_centre() -> None:
    problem = PMedianProblem.from_street_graph(_ladder(5), 1)
    weights = dict(zip(problem.client_labels, problem.weights, strict=True))
    assert weights[(0, 0)] == pytest.approx(0.5 * (80 + 100))
    assert weights[(2, 0)] == pytest.approx(0.5 * (80 + 200))
    result = solve_pmedian(problem)
    assert result.site_labels[0] in {(2, 0), (2, 1)}
    two = solve_pmedian(PMedianProblem.from_street_graph(_ladder(6), 2),
                        params=PMedianParams(method="exact"))
    assert sorted(label[0] for label in two.site_labels) == [1, 4]


def test_orlib_reader_last_duplicate_wins_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "tiny.txt"
    good.write_text(" 3 3 1\n 1 2 5\n 2 3 4\n 1 2 1\n")
    inst = read_pmed(good)
    assert inst.edges[(0, 1)] == 1.0
    assert inst.distances()[0, 2] == 5.0
    bad = tmp_path / "bad.txt"
    bad.write_text(" 3 4 1\n 1 2 5\n 2 9 4\n x y z\n")
    with pytest.raises(InputFileError) as info:
        read_pmed(bad)
    assert len(info.value.problems) == 3


def test_suggest_station_serves_the_heaviest_pieces_and_reports_the_rest() -> None:
    from gridplan.grids.stations import suggest_station

    g = _ladder(5)
    far = nx.relabel_nodes(_ladder(2), {n: ("far", *n) for n in _ladder(2).nodes})
    for _, _, d in far.edges(data=True):
        d["street_id"] = ("far", d["street_id"])
    g.update(far)
    one = suggest_station(g, stations=1)
    assert one.nodes[0] in {(2, 0), (2, 1)}
    assert one.unserved_street_m == pytest.approx(80 * 2 + 100 * 2)
    assert one.result.status == "optimal"
    two = suggest_station(g, stations=2)
    assert two.unserved_street_m == 0.0
    assert any(isinstance(n[0], str) for n in two.nodes)
