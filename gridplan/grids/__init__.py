"""Grids: basic units, partition into responsibility grids, edits, comparison, codes, staffing,
rosters, blind spots, stations, and the planner's three jobs (:mod:`gridplan.grids.jobs`):
``redesign_grids``, ``move_grid_units``, ``roster_plan`` / ``roster_layout``."""

from gridplan.grids.adjacency import UnitAdjacency, adjacency_from_pairs, unit_adjacency
from gridplan.grids.codes import CodeLayout, assign_codes, reading_order
from gridplan.grids.compare import PlanComparison, compare_plans, match_grids
from gridplan.grids.core import PartitionParams, PartitionProblem, PartitionResult, solve_partition
from gridplan.grids.edit import move_units
from gridplan.grids.jobs import (
    LayoutRoster,
    UnitMove,
    move_grid_units,
    redesign_grids,
    roster_layout,
    roster_plan,
)
from gridplan.grids.metrics import Balance, balance, polsby_popper
from gridplan.grids.params import GridSizingParams
from gridplan.grids.partition import GridPlan, partition_units, problem_from_units
from gridplan.grids.roster import (
    Roster,
    RosterParams,
    ShiftPlanParams,
    ShiftType,
    blind_spots,
    build_roster,
    uncovered_windows,
)
from gridplan.grids.staffing import (
    ABPairing,
    StaffingParams,
    StaffingPlan,
    ab_pairs,
    allocate_staff,
)
from gridplan.grids.stations import suggest_station, suggest_stations
from gridplan.grids.units import (
    WorkloadParams,
    add_workload,
    attach_incidents,
    attach_key_points,
    attach_pois,
    attach_streets,
    square_cells,
    street_blocks,
    workload_terms,
)
from gridplan.grids.workflow import (
    CurrentLayout,
    PlanningUnits,
    Redesign,
    StaffedPlan,
    current_layout,
    planning_units,
    redesign,
    staff_plan,
)

__all__ = [
    "Balance", "CodeLayout", "GridPlan", "PartitionParams", "PartitionProblem", "PartitionResult",
    "PlanComparison", "UnitAdjacency", "WorkloadParams", "add_workload", "adjacency_from_pairs",
    "assign_codes", "attach_incidents", "attach_key_points", "attach_pois", "attach_streets",
    "balance", "compare_plans", "match_grids", "move_units", "partition_units",
    "polsby_popper", "problem_from_units", "reading_order", "solve_partition", "square_cells",
    "street_blocks", "unit_adjacency", "workload_terms",
    # staffing, rosters, stations
    "ABPairing", "Roster", "RosterParams", "ShiftType", "StaffingParams", "StaffingPlan",
    "ab_pairs", "allocate_staff", "blind_spots", "build_roster", "suggest_station",
    "suggest_stations", "uncovered_windows",
    # the planner's workflow
    "CurrentLayout", "PlanningUnits", "Redesign", "StaffedPlan", "current_layout",
    "planning_units", "redesign", "staff_plan",
    # the planner's jobs and their parameter sets
    "GridSizingParams", "LayoutRoster", "ShiftPlanParams", "UnitMove", "move_grid_units",
    "redesign_grids", "roster_layout", "roster_plan",
]
