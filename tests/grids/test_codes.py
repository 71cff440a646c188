import numpy as np
import pytest

from gridplan.errors import InvalidInputError
from gridplan.grids.adjacency import unit_adjacency
from gridplan.grids.codes import CodeLayout, assign_codes, reading_order
from gridplan.grids.core import PartitionParams
from gridplan.grids.partition import GridPlan, partition_units
from tests.grids.test_partition import lattice_units

FAST = PartitionParams(n_starts=1, max_iterations=200, no_improve_limit=40)


def test_reading_order_west_east_then_north_south():
    xy = np.array([[50, 0], [0, 0], [10, 100], [90, 95], [5, -100]])
    assert reading_order(xy, band_height_m=20).tolist() == [2, 3, 1, 0, 4]


def test_four_quadrants_coded_in_reading_order():
    units = lattice_units(4, 4, seed=0)
    units["jurisdiction"] = "310101"
    quadrant = {u: (i // 4 >= 2) * 2 + (i % 4 >= 2) for i, u in enumerate(units.index)}
    plan = GridPlan.from_assignment(units, unit_adjacency(units), quadrant)
    coded = assign_codes(plan)
    assert coded.codes == {0: "310101000000001", 1: "310101000000002",
                           2: "310101000000003", 3: "310101000000004"}


def test_codes_unique_nested_and_layout_configurable():
    units = lattice_units(8, 8, seed=1, split_col=4)
    units["jurisdiction"] = np.where(units["jurisdiction"] == "A", "310101002", "310101003")
    plan = partition_units(units, unit_adjacency(units), n_grids=6, seed=0, params=FAST)
    coded = assign_codes(plan)
    codes = list(coded.codes.values())
    assert len(set(codes)) == len(codes) == 6
    for g, code in coded.codes.items():
        assert code.startswith(str(coded.grids.loc[g, "jurisdiction"]).ljust(12, "0"))
        assert len(code) == 15
    short = assign_codes(plan, layout=CodeLayout(town_digits=3, community_digits=0,
                                                 sequence_digits=2))
    assert all(len(c) == 11 for c in short.codes.values())
    assert coded.grids["code"].tolist() == [coded.codes[g] for g in coded.grids.index]


def test_unchanged_grids_keep_codes_new_ones_take_next_free():
    units = lattice_units(4, 4, seed=0)
    units["jurisdiction"] = "310101"
    adj = unit_adjacency(units)
    quadrant = {u: (i // 4 >= 2) * 2 + (i % 4 >= 2) for i, u in enumerate(units.index)}
    old = assign_codes(GridPlan.from_assignment(units, adj, quadrant))
    # redraw: keep the two northern quadrants (renumbered), merge the southern ones
    new_labels = {u: {0: 5, 1: 4}.get(g, 7) for u, g in quadrant.items()}
    new = assign_codes(GridPlan.from_assignment(units, adj, new_labels), previous=old)
    assert new.codes[5] == old.codes[0] and new.codes[4] == old.codes[1]
    assert new.codes[7] == "310101000000005"  # retired 003/004 are not reused


def test_bad_codes_refused():
    units = lattice_units(2, 2, seed=0)
    units["jurisdiction"] = "31-01"
    plan = GridPlan.from_assignment(units, unit_adjacency(units), dict.fromkeys(units.index, 0))
    with pytest.raises(InvalidInputError):
        assign_codes(plan)
    with pytest.raises(InvalidInputError):
        assign_codes(plan, keep_overlap=0)
