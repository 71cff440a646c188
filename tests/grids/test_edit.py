import pytest

from gridplan.errors import InvalidInputError
from gridplan.grids.adjacency import unit_adjacency
from gridplan.grids.codes import assign_codes
from gridplan.grids.compare import compare_plans
from gridplan.grids.edit import move_units
from gridplan.grids.partition import GridPlan
from tests.grids.test_partition import lattice_units


def stripes():
    """A 3×4 lattice (jurisdiction A: columns 0-1, B: 2-3); grids = columns."""
    units = lattice_units(3, 4, seed=0, split_col=2)
    labels = {u: i % 4 for i, u in enumerate(units.index)}
    return units, GridPlan.from_assignment(units, unit_adjacency(units), labels)


def test_move_boundary_unit():
    units, plan = stripes()
    moved = move_units(plan, ["u0"], 1)  # top-left cell joins column 1
    assert moved.units.loc["u0", "grid"] == 1
    assert moved.is_valid()
    assert plan.units.loc["u0", "grid"] == 0  # original untouched


def test_move_refusals_say_why():
    _, plan = stripes()
    with pytest.raises(InvalidInputError) as err:
        move_units(plan, ["u1"], 2)  # column 1 is jurisdiction A, grid 2 is B
    assert "jurisdiction" in str(err.value)
    with pytest.raises(InvalidInputError) as err:
        move_units(plan, ["u4"], 1)  # middle of column 0: splits it
    assert "pieces" in str(err.value)
    with pytest.raises(InvalidInputError) as err:
        move_units(plan, ["u0", "u4", "u8"], 1)  # empties grid 0
    assert "at least one unit left" in str(err.value)
    with pytest.raises(InvalidInputError) as err:
        move_units(plan, ["nope"], 99)
    assert len(err.value.problems) == 2


def test_move_by_code_and_not_touching_refused():
    units = lattice_units(1, 5, seed=0)
    units["jurisdiction"] = "310101"
    plan = assign_codes(GridPlan.from_assignment(
        units, unit_adjacency(units), {"u0": 0, "u1": 0, "u2": 1, "u3": 2, "u4": 2}))
    with pytest.raises(InvalidInputError) as err:
        move_units(plan, ["u4"], plan.codes[0])  # u4 does not touch grid 0
    assert "pieces" in str(err.value)
    moved = move_units(plan, ["u3"], plan.codes[1])
    assert moved.units.loc["u3", "grid"] == 1


def test_compare_plans_side_by_side():
    units, plan = stripes()
    moved = move_units(plan, ["u0"], 1)
    cmp = compare_plans(plan, moved, staff=lambda p: 4.0 * len(p.grids),
                        blind_spots=lambda p: 0.1)
    assert cmp.changed_units == ["u0"]
    t = cmp.table
    assert t.loc["grids", "a"] == t.loc["grids", "b"] == 4
    assert t.loc["staff_needed", "b"] == 16
    assert t.loc["units_changed_grid", "b"] == 1
    # three 300 m column lines; a corner cell changing sides keeps each at 300 m
    assert t.loc["boundary_length_m", "a"] == t.loc["boundary_length_m", "b"] == 900
    assert cmp.to_dict()["changed_units"] == ["u0"]
