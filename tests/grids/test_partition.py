import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import Voronoi

from gridplan.errors import InvalidInputError
from gridplan.grids.adjacency import adjacency_from_pairs, unit_adjacency
from gridplan.grids.core import (
    PartitionParams,
    PartitionProblem,
    articulation_points,
    check_result,
    solve_partition,
)
from gridplan.grids.partition import partition_units
from gridplan.grids.units import add_workload, attach_streets, street_blocks
from tests.grids.units_helpers import jurisdictions, shanghai_network

FAST = PartitionParams(n_starts=2, max_iterations=300, no_improve_limit=60)


def lattice_units(rows: int, cols: int, *, seed: int, split_col: int | None = None):
    rng = np.random.default_rng(seed)
    cells = [shapely.box(c * 100, -r * 100, c * 100 + 100, -r * 100 + 100)
             for r in range(rows) for c in range(cols)]
    jur = ["A" if split_col is None or i % cols < split_col else "B"
           for i in range(rows * cols)]
    units = gpd.GeoDataFrame({"jurisdiction": jur, "workload_h": rng.gamma(2.0, 1.0, rows * cols)},
                             geometry=cells, crs=32651)
    units.index = [f"u{i}" for i in range(len(units))]
    return units


def voronoi_units(n: int, seed: int):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 1000, size=(n, 2))
    vor = Voronoi(np.vstack([pts, [[-1e4, -1e4], [-1e4, 1e4], [1e4, -1e4], [1e4, 1e4]]]))
    frame = shapely.box(0, 0, 1000, 1000)
    polys = []
    for i in range(n):
        region = vor.regions[vor.point_region[i]]
        polys.append(shapely.Polygon(vor.vertices[region]).intersection(frame))
    units = gpd.GeoDataFrame({"jurisdiction": np.where(pts[:, 0] < 400, "310101", "310106"),
                              "workload_h": rng.uniform(0.5, 3.0, n)}, geometry=polys, crs=32651)
    units.index = [f"v{i}" for i in range(n)]
    return units


def assert_plan_contract(plan, units):
    assert list(plan.units.index) == list(units.index)  # every unit in exactly one grid
    assert (plan.units["grid"] >= 0).all()
    assert plan.problems() == []
    for _, part in plan.units.groupby("grid"):
        assert part["jurisdiction"].nunique() == 1
        members = [units.index.get_loc(u) for u in part.index[~part["island"]]]
        g = plan.adjacency.to_graph().subgraph(members)
        assert nx.is_connected(g)


def test_lattice_two_jurisdictions_balanced_and_contiguous():
    units = lattice_units(12, 12, seed=1, split_col=5)
    plan = partition_units(units, unit_adjacency(units), n_grids=8, seed=7, params=FAST)
    assert_plan_contract(plan, units)
    counts = plan.grids.groupby("jurisdiction").size().to_dict()
    assert sum(counts.values()) == 8 and set(counts) == {"A", "B"}
    for _, grids in plan.grids.groupby("jurisdiction"):
        w = grids["workload_h"]
        assert w.max() / w.min() < 1.25


def test_same_seed_same_plan_other_seed_may_differ():
    units = lattice_units(10, 10, seed=2)
    adj = unit_adjacency(units)
    a = partition_units(units, adj, n_grids=5, seed=3, params=FAST)
    b = partition_units(units, adj, n_grids=5, seed=3, params=FAST)
    assert (a.labels() == b.labels()).all()


def test_target_workload_sets_grid_count():
    units = lattice_units(8, 8, seed=4, split_col=3)
    total = units.groupby("jurisdiction")["workload_h"].sum()
    plan = partition_units(units, unit_adjacency(units), target_workload_h=20.0, seed=0,
                           params=FAST)
    expected = sum(int(np.ceil(t / 20.0)) for t in total)
    assert len(plan.grids) == expected
    assert_plan_contract(plan, units)


def test_too_many_grids_and_too_few_refused():
    units = lattice_units(3, 3, seed=0, split_col=1)
    adj = unit_adjacency(units)
    with pytest.raises(InvalidInputError, match="how many grids"):
        partition_units(units, adj, n_grids=10)
    with pytest.raises(InvalidInputError) as err:
        partition_units(units, adj, n_grids=1)
    assert "one per jurisdiction" in str(err.value)
    with pytest.raises(InvalidInputError):
        partition_units(units, adj, n_grids=2, target_workload_h=3.0)


def test_islands_attached_and_reported():
    units = lattice_units(6, 6, seed=5)
    far = gpd.GeoDataFrame({"jurisdiction": ["A", "A"], "workload_h": [0.2, 0.3]},
                           geometry=[shapely.box(5000, 0, 5100, 100),
                                     shapely.box(5100, 0, 5200, 100)], crs=32651,
                           index=["island0", "island1"])
    units = gpd.pd.concat([units, far])
    plan = partition_units(units, unit_adjacency(units), n_grids=3, seed=1, params=FAST)
    assert plan.units.loc[["island0", "island1"], "island"].all()
    assert plan.units.loc["island0", "grid"] == plan.units.loc["island1", "grid"]
    assert plan.summary()["island_units"] == 2
    assert_plan_contract(plan, units)


def test_big_island_gets_its_own_grid():
    units = lattice_units(4, 4, seed=5)
    far = lattice_units(4, 4, seed=6)
    far.geometry = far.translate(xoff=10_000)
    far.index = [f"f{i}" for i in range(len(far))]
    units = gpd.pd.concat([units, far])
    plan = partition_units(units, unit_adjacency(units), n_grids=4, seed=1, params=FAST)
    assert not plan.units["island"].any()
    near = set(plan.units.loc[~plan.units.index.isin(far.index), "grid"])
    away = set(plan.units.loc[far.index, "grid"])
    assert near and away and not near & away  # each piece has its own grids
    assert len(near) + len(away) == 4
    assert_plan_contract(plan, units)


def test_matrix_core_without_geometry():
    pairs = np.array([(i, i + 1) for i in range(29)])
    adj = adjacency_from_pairs(30, pairs, np.ones(29)).matrix
    problem = PartitionProblem(adjacency=adj, workload=np.ones(30), groups=np.zeros(30))
    result = solve_partition(problem, n_grids=3, seed=0, params=FAST)
    check_result(problem, result)
    assert sorted(np.bincount(result.labels).tolist()) == [10, 10, 10]


def test_shanghai_blocks_partition():
    net = shanghai_network()
    units = add_workload(attach_streets(street_blocks(net, jurisdictions()), net))
    plan = partition_units(units, unit_adjacency(units), n_grids=6, seed=0, params=FAST)
    assert_plan_contract(plan, units)
    huangpu = plan.grids[plan.grids["jurisdiction"] == "310101"]["workload_h"]
    assert huangpu.max() / huangpu.min() < 1.5
    assert 0 < plan.grids["polsby_popper"].min() <= plan.grids["polsby_popper"].max() <= 1


@settings(max_examples=12, deadline=None)
@given(n=st.integers(20, 70), k=st.integers(2, 6), seed=st.integers(0, 10_000))
def test_voronoi_invariants(n, k, seed):
    units = voronoi_units(n, seed)
    n_groups = units["jurisdiction"].nunique()
    plan = partition_units(units, unit_adjacency(units), n_grids=max(k, n_groups), seed=seed,
                           params=FAST)
    assert_plan_contract(plan, units)
    assert len(plan.grids) == max(k, n_groups)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 25), st.integers(0, 10_000), st.floats(0.05, 0.5))
def test_articulation_points_match_networkx(n, seed, p):
    g = nx.gnp_random_graph(n, p, seed=seed)
    nbrs = [list(g.neighbors(i)) for i in range(n)]
    assert articulation_points(set(range(n)), nbrs) == set(nx.articulation_points(g))


def test_params_validated():
    with pytest.raises(InvalidInputError) as err:
        PartitionParams(n_starts=0, compactness_weight=-1)
    assert len(err.value.problems) == 2
