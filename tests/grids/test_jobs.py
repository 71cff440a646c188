"""The planner's jobs as library calls (issue 11) and the unit rules they apply (issue 10.8),
on a second real city: Helsinki's raw PBF with two made-up jurisdictions."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geodata.osm import load_network
from gridplan.errors import InvalidInputError
from gridplan.grids import (
    GridSizingParams,
    PartitionParams,
    ShiftPlanParams,
    StaffingParams,
    move_grid_units,
    planning_units,
    redesign_grids,
    roster_plan,
)
from gridplan.params import load_sections

PBF = Path(__file__).parents[1] / "data" / "osm" / "Helsinki.osm.pbf"
FAST = PartitionParams(n_starts=1, max_iterations=150, no_improve_limit=30)


@pytest.fixture(scope="module")
def helsinki():
    return load_network(PBF, mode="walk")


@pytest.fixture(scope="module")
def two_districts(helsinki):
    """West and east of the streets' median x; the west one has a 12 m × 12 m exclave in the
    east (a sliver touching none of it), in WGS-84 as a loader would give them."""
    nodes = [(d["x"], d["y"]) for _, d in helsinki.graph.nodes(data=True)]
    hull = shapely.MultiPoint(nodes).convex_hull.buffer(30)
    xs = sorted(x for x, _ in nodes)
    mid, (x0, y0, x1, y1) = xs[len(xs) // 2], hull.bounds
    west = hull.intersection(shapely.box(x0, y0, mid, y1))
    east = hull.intersection(shapely.box(mid, y0, x1, y1))
    inside = east.representative_point()
    exclave = shapely.box(inside.x, inside.y, inside.x + 12, inside.y + 12)
    frame = gpd.GeoDataFrame({"code": ["091101", "091102"]},
                             geometry=[west.union(exclave), east.difference(exclave)],
                             crs=helsinki.crs)
    return frame.to_crs("EPSG:4326")


def test_a_sliver_of_a_district_is_dropped_and_reported(helsinki, two_districts):
    units = planning_units(helsinki, two_districts, min_unit_m2=400)
    assert len(units.warnings) == 1
    (sliver,) = units.warnings
    assert "091101" in sliver.where and "144 m²" in sliver.found
    west = units.units[units.units["jurisdiction"] == "091101"]
    assert (west.geometry.area >= 400).all()
    # every unit of a jurisdiction touches another of it, or is big enough to stand alone
    assert (units.units.geometry.area >= 400).all()


def test_redesign_grids_on_a_second_city_is_seeded_and_whole(helsinki, two_districts):
    sizing = GridSizingParams(n_grids=4, seed=5)
    first = redesign_grids(helsinki, two_districts, sizing=sizing, partition=FAST)
    again = redesign_grids(helsinki, two_districts, sizing=sizing, partition=FAST)
    assert first.summary() == again.summary()
    plan = first.proposed.plan
    assert len(plan.grids) == 4 and plan.summary()["contiguous"]
    assert any("sliver" in w.found for w in first.warnings)
    assert set(plan.grids["jurisdiction"]) == {"091101", "091102"}


def test_how_many_grids_names_the_parameters(helsinki, two_districts):
    with pytest.raises(InvalidInputError, match="how many grids") as info:
        redesign_grids(helsinki, two_districts)
    assert "n_grids" in str(info.value) and "target_workload_h" in str(info.value)


def test_move_and_roster_jobs(helsinki, two_districts):
    result = redesign_grids(helsinki, two_districts, sizing=GridSizingParams(n_grids=3),
                            partition=FAST)
    plan = result.proposed.plan
    with pytest.raises(InvalidInputError, match="no units"):
        move_grid_units(plan, [" "], plan.codes[0])
    staffed = roster_plan(plan, headcount=12, staffing=StaffingParams(min_officers_per_grid=3,
                                                                      max_officers_per_grid=5))
    assert sum(staffed.officers.values()) <= 12 and staffed.roster.is_valid()


def test_one_toml_file_holds_every_grid_parameter_set():
    text = """
[grids]
n_grids = 6
min_unit_m2 = 250
[staffing]
min_officers_per_grid = 2
[roster]
shifts = "day:07-15,night:19-03"
weekend_target = 2
[partition]
n_starts = 3
"""
    sets = load_sections(text, [GridSizingParams, StaffingParams, ShiftPlanParams,
                                PartitionParams])
    assert sets[GridSizingParams].n_grids == 6 and sets[GridSizingParams].min_unit_m2 == 250
    roster = sets[ShiftPlanParams].roster_params()
    assert [s.start_hour for s in roster.shifts] == [7, 19] and roster.target(6, "night") == 2
    assert sets[PartitionParams].n_starts == 3
    with pytest.raises(InvalidInputError, match="both"):
        GridSizingParams(n_grids=3, target_workload_h=20)


def test_a_missing_crs_is_an_error_never_assumed(helsinki, two_districts):
    bare = gpd.GeoDataFrame({"code": two_districts["code"]},
                            geometry=list(two_districts.geometry))  # no CRS
    with pytest.raises(InvalidInputError, match="no jurisdictions to plan") as info:
        redesign_grids(helsinki, bare, sizing=GridSizingParams(n_grids=2))
    assert "a CRS" in str(info.value) and "set_crs" in str(info.value)
