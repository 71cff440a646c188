"""Plan against actual: for each planned route, its streets walked (on plan), not walked
(skipped), and streets its officer walked that the route did not include (off plan).

Officers are paired with routes by name (the plan's officer names, or the letters A, B, … of a
plan made for a head count); officers and routes left over are paired so that the streets they
share are as many as possible (an assignment problem, solved exactly).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from gridplan.routing.plan_result import PatrolPlan

ON_PLAN, SKIPPED, OFF_PLAN = "on plan", "skipped", "off plan"


@dataclass(frozen=True)
class PlannedRoute:
    """One officer's planned route: streets to patrol (``serve``) and walked only to connect."""

    officer: str
    serve: frozenset[str]  # street ids as text
    connect: frozenset[str] = frozenset()


def planned_routes(plan: PatrolPlan) -> list[PlannedRoute]:
    """The routes of a :class:`~gridplan.routing.plan_result.PatrolPlan`."""
    out = []
    for route in plan.routes:
        serve = frozenset(str(s.street_id) for s in route.steps if not s.deadhead)
        connect = frozenset(str(s.street_id) for s in route.steps if s.deadhead) - serve
        out.append(PlannedRoute(route.officer, serve, connect))
    return out


def pair_officers(routes: list[PlannedRoute], walked: Mapping[str, set[str]]
                  ) -> dict[str, str]:
    """Route officer → track officer (see the module docstring)."""
    pairs = {r.officer: r.officer for r in routes if r.officer in walked}
    free_routes = [r for r in routes if r.officer not in pairs]
    free_tracks = sorted(set(walked) - set(pairs.values()))
    if free_routes and free_tracks:
        shared = np.array([[len(r.serve & walked[t]) for t in free_tracks] for r in free_routes])
        for i, j in zip(*linear_sum_assignment(-shared), strict=True):
            pairs[free_routes[i].officer] = free_tracks[j]
    return pairs


def compare(routes: list[PlannedRoute], walked: Mapping[str, set[str]],
            lengths: Mapping[Hashable, float],
            same_street: Mapping[str, frozenset[str]] | None = None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per street and per route: on plan / skipped / off plan (``walked``: track officer →
    street ids with a pass; ``lengths``: street id text → metres; ``same_street``: street id →
    the other ways of its street, e.g. the other carriageway: a pass on one of them puts a
    planned way on plan, and is not off plan when the route has that way)."""
    same = same_street or {}
    pairs = pair_officers(routes, walked)
    rows = []
    for r in routes:
        officer = pairs.get(r.officer)
        mine = walked.get(officer, set()) if officer else set()
        for sid in sorted(r.serve):
            done = sid in mine or bool(same.get(sid, frozenset()) & mine)
            rows.append((r.officer, officer or "", sid, ON_PLAN if done else SKIPPED))
        planned = r.serve | r.connect
        for sid in sorted(mine - planned):
            if not same.get(sid, frozenset()) & planned:
                rows.append((r.officer, officer, sid, OFF_PLAN))
    streets = pd.DataFrame(rows, columns=["route", "officer", "street_id", "status"])
    streets["length_m"] = [float(lengths.get(s, 0.0)) for s in streets["street_id"]]
    if streets.empty:
        return streets, pd.DataFrame(columns=["route", "officer", "on_plan_km", "skipped_km",
                                              "off_plan_km", "on_plan_share"])
    summary = (streets.pivot_table(index=["route", "officer"], columns="status",
                                   values="length_m", aggfunc="sum", fill_value=0.0)
               .reindex(columns=[ON_PLAN, SKIPPED, OFF_PLAN], fill_value=0.0) / 1000.0)
    summary.columns = ["on_plan_km", "skipped_km", "off_plan_km"]
    summary = summary.reset_index()
    planned = summary["on_plan_km"] + summary["skipped_km"]
    summary["on_plan_share"] = np.where(planned > 0, summary["on_plan_km"] / planned.where(
        planned > 0, 1.0), 1.0)
    return streets, summary
