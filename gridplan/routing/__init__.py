"""Patrol routing: postman tours (one officer), arc routing (several officers), and the squad
leader's workflow (:func:`plan_routes`, :func:`plan_week`).

Names are imported on first use (PEP 562), so ``from gridplan.routing.params import
PatrolParams`` — what the CLI needs to declare its options — does not load the solvers.
"""

from __future__ import annotations

from gridplan.lazy import lazy_exports

_WHERE: dict[str, str] = {
    "ArcInstance": "arcroute_instance",
    "ArcRoutingResult": "arcroute_result",
    "SearchParams": "arcroute_solver",
    "fewest_vehicles_for_capacity": "arcroute_solver",
    "solve_carp": "arcroute_solver",
    "solve_minmax": "arcroute_solver",
    "PostmanOptions": "postman",
    "postman_tour": "postman",
    "BothSides": "postman_input",
    "TJoin": "tjoin",
    "min_weight_tjoin": "tjoin",
    "PostmanTour": "tour",
    "TourStep": "tour",
    "PatrolParams": "params",
    "day_plan": "plan",
    "plan_grid": "plan",
    "week_plan": "plan",
    "PatrolPlan": "plan_result",
    "ShiftPattern": "shifts",
    "parse_span": "shifts",
    "shift_on": "shifts",
    "week_days": "shifts",
    "RoutesPlan": "workflow",
    "assign_key_points": "workflow",
    "officer_hours": "workflow",
    "plan_routes": "workflow",
    "plan_week": "workflow",
}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_exports(
    __name__, globals(), {name: f"gridplan.routing.{module}" for name, module in _WHERE.items()})
