"""Staffing: clamps, sums under the headcount, infeasible headcount message; AB pairs adjacent."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InfeasibleError, InvalidInputError
from gridplan.grids.staffing import StaffingParams, ab_pairs, allocate_staff


def test_clamps_to_min_and_max_and_reports_over_max() -> None:
    # 32 effective hours per officer: 10 h -> 1 (-> 3), 100 h -> 4, 400 h -> 13 (-> 5).
    plan = allocate_staff({"a": 10, "b": 100, "c": 400}, headcount=20)
    assert plan.officers == {"a": 3, "b": 4, "c": 5}
    assert plan.reserve == 8
    assert [p.where for p in plan.over_max()] == ["grid c"]
    assert plan.is_valid()


def test_headcount_below_minimum_says_how_many_more() -> None:
    with pytest.raises(InfeasibleError) as info:
        allocate_staff({g: 50.0 for g in "abcd"}, headcount=9)
    problem = info.value.problems[0]
    assert "add 3 more officers" in problem.fix
    assert "12" in problem.expected


def test_rationing_follows_demand() -> None:
    plan = allocate_staff({"low": 96, "mid": 128, "high": 160}, headcount=11)  # needs 3, 4, 5
    # λ = 8/9: quotas 3, 3.56, 4.44 -> floors 3, 3, 4; the larger remainder (mid) gets the last.
    assert plan.officers == {"low": 3, "mid": 4, "high": 4}
    assert plan.allocated == 11


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 400), min_size=1, max_size=12), st.integers(0, 80),
       st.integers(1, 4), st.integers(0, 3))
def test_allocation_sums_and_stays_in_bounds(loads: list[float], headcount: int, lo: int,
                                             spread: int) -> None:
    params = StaffingParams(min_officers_per_grid=lo, max_officers_per_grid=lo + spread)
    workloads = {f"g{k}": w for k, w in enumerate(loads)}
    if headcount < lo * len(loads):
        with pytest.raises(InfeasibleError):
            allocate_staff(workloads, headcount=headcount, params=params)
        return
    plan = allocate_staff(workloads, headcount=headcount, params=params)
    assert plan.is_valid(), plan.problems()
    needed = sum(g.needed for g in plan.grids)
    assert plan.allocated == min(headcount, needed)
    # Rationing never gives a grid with less demand more officers than one with more demand
    # unless bounds force it.
    for a in plan.grids:
        for b in plan.grids:
            if a.demand_officers < b.demand_officers and a.allocated > b.allocated:
                assert b.allocated == b.needed or a.allocated == lo


def test_params_validated_and_loaded_from_toml() -> None:
    with pytest.raises(InvalidInputError) as info:
        StaffingParams(min_officers_per_grid=4, max_officers_per_grid=3, grid_share=0)
    assert len(info.value.problems) == 2
    params = StaffingParams.from_toml("[staffing]\nmin_officers_per_grid = 2\n")
    assert params.min_officers_per_grid == 2
    with pytest.raises(InvalidInputError, match="unknown"):
        StaffingParams.from_toml("[staffing]\nminimum = 2\n")


def _workloads(graph: nx.Graph) -> dict[str, float]:
    return {g: 100.0 + 10 * k for k, g in enumerate(sorted(graph.nodes))}


def test_ab_pairs_are_adjacent_with_a_triad_and_an_island() -> None:
    g = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "c")])
    g.add_node("island")
    pairing = ab_pairs(g, workloads_h_week=_workloads(g))
    assert pairing.islands == ("island",)
    assert sorted(len(group) for group in pairing.groups) == [2, 3]
    assert pairing.problems(g) == []
    assert pairing.partners("island") == ()


def test_ab_pairs_prefer_similar_workload_and_near_station() -> None:
    g = nx.cycle_graph(["a", "b", "c", "d"])
    loads = {"a": 100, "b": 100, "c": 300, "d": 300}
    assert sorted(map(sorted, ab_pairs(g, workloads_h_week=loads, workload_weight=1).groups)) \
        == [["a", "b"], ["c", "d"]]
    stations = {"a": (0, 0), "b": (5000, 0), "c": (5000, 100), "d": (0, 100)}
    pairs = ab_pairs(g, workloads_h_week=loads, stations_xy_m=stations, workload_weight=0)
    assert sorted(map(sorted, pairs.groups)) == [["a", "d"], ["b", "c"]]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 14), st.floats(0.05, 0.6), st.integers(0, 10_000))
def test_ab_pairs_cover_every_grid_with_neighbours(n: int, density: float, seed: int) -> None:
    g = nx.gnp_random_graph(n, density, seed=seed)
    g = nx.relabel_nodes(g, {k: f"g{k:02d}" for k in g.nodes})
    pairing = ab_pairs(g, workloads_h_week=_workloads(g))
    assert pairing.problems(g) == []
    assert set(pairing.islands) == {v for v in g.nodes if g.degree(v) == 0}


def test_ab_pairs_missing_workload_reported() -> None:
    with pytest.raises(InvalidInputError, match="AB pairing"):
        ab_pairs(nx.path_graph(["a", "b"]), workloads_h_week={"a": 1.0}, workload_weight=2)
