"""Patrol routing: postman tours (one officer) and arc routing (several officers)."""

from gridplan.routing.arcroute_instance import ArcInstance
from gridplan.routing.arcroute_result import ArcRoutingResult
from gridplan.routing.arcroute_solver import (
    SearchParams,
    fewest_vehicles_for_capacity,
    solve_carp,
    solve_minmax,
)
from gridplan.routing.postman import PostmanOptions, postman_tour
from gridplan.routing.postman_input import BothSides
from gridplan.routing.tjoin import TJoin, min_weight_tjoin
from gridplan.routing.tour import PostmanTour, TourStep
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import day_plan, plan_grid, week_plan
from gridplan.routing.plan_result import PatrolPlan
from gridplan.routing.shifts import ShiftPattern, parse_span, shift_on
from gridplan.routing.workflow import RoutesPlan, assign_key_points, plan_routes

__all__ = [
    "ArcInstance",
    "ArcRoutingResult",
    "SearchParams",
    "fewest_vehicles_for_capacity",
    "solve_carp",
    "solve_minmax",
    "BothSides",
    "PostmanOptions",
    "PostmanTour",
    "TJoin",
    "TourStep",
    "min_weight_tjoin",
    "postman_tour",
    "PatrolParams",
    "PatrolPlan",
    "day_plan",
    "plan_grid",
    "week_plan",
    "RoutesPlan",
    "ShiftPattern",
    "assign_key_points",
    "parse_span",
    "plan_routes",
    "shift_on",
]
