"""The answer of an arc-routing solve, which can expand and check itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gridplan.routing.arcroute_check import WalkCheck, check_walks
from gridplan.routing.arcroute_instance import ArcInstance

Mode = Literal["capacity", "minmax", "fewest_vehicles"]


@dataclass(frozen=True)
class RouteWalk:
    """One route: the full vertex walk (deadheading included) and the steps it serves, as
    ``(x, y, task)``: from x to y, serving required edge number ``task``."""

    vertices: list[int]
    served: list[tuple[int, int, int]]
    cost: float
    load: float


@dataclass(frozen=True)
class ArcRoutingResult:
    """Routes (lists of arcs, see :mod:`gridplan.routing.arcroute_search`) with their bound.

    ``objective`` is the total cost for ``capacity`` and ``fewest_vehicles`` and the longest
    route for ``minmax``; ``lower_bound`` is valid for that objective, so ``gap`` is a guarantee.
    """

    instance: ArcInstance
    routes: tuple[tuple[int, ...], ...]
    mode: Mode
    lower_bound: float
    runtime_s: float
    iterations: int
    seed: int
    best_found_s: float = 0.0  # when the returned plan was found (the rest proved nothing better)
    #: Why the search ended: "iterations" (the budget; reproducible), "proven" (met the lower
    #: bound), "time limit" (the safety cap) or "cancelled" (the caller's hook).
    stop_reason: str = "iterations"

    @property
    def cancelled(self) -> bool:
        """True when the caller's ``should_cancel`` hook ended the search (best plan so far)."""
        return self.stop_reason == "cancelled"

    @property
    def route_costs(self) -> list[float]:
        start, end, cost = self.instance.arcs()
        dist = self.instance.distance
        depot = self.instance.depot
        costs = []
        for route in self.routes:
            loc, c = depot, 0.0
            for a in route:
                c += dist[loc, start[a]] + cost[a]
                loc = end[a]
            costs.append(float(c + dist[loc, depot]) if route else 0.0)
        return costs

    @property
    def route_loads(self) -> list[float]:
        demand = self.instance.demand
        return [float(sum(demand[a >> 1] for a in route)) for route in self.routes]

    @property
    def total_cost(self) -> float:
        return sum(self.route_costs)

    @property
    def longest_route(self) -> float:
        return max(self.route_costs, default=0.0)

    @property
    def objective(self) -> float:
        return self.longest_route if self.mode == "minmax" else self.total_cost

    @property
    def gap(self) -> float:
        """Relative gap ``(objective - lower_bound) / lower_bound`` (0 means proven optimal)."""
        if self.lower_bound <= 0:
            return 0.0 if self.objective <= 0 else float("inf")
        return (self.objective - self.lower_bound) / self.lower_bound

    def walks(self) -> list[RouteWalk]:
        """Every route expanded into its vertex walk from the depot back to the depot."""
        start, end, _ = self.instance.arcs()
        depot = self.instance.depot
        walks = []
        for route, cost, load in zip(self.routes, self.route_costs, self.route_loads, strict=True):
            vertices, served, loc = [depot], [], depot
            for a in route:
                vertices += self.instance.shortest_walk(loc, start[a])[1:]
                vertices.append(end[a])
                served.append((start[a], end[a], a >> 1))
                loc = end[a]
            vertices += self.instance.shortest_walk(loc, depot)[1:]
            walks.append(RouteWalk(vertices, served, cost, load))
        return walks

    def check(self) -> WalkCheck:
        """Re-verify the expanded walks against the instance (coverage, adjacency, capacity)."""
        walks = [(w.vertices, w.served) for w in self.walks()]
        return check_walks(self.instance, walks, use_capacity=self.mode != "minmax")

    def is_valid(self) -> bool:
        report = self.check()
        return report.ok and abs(report.total_cost - self.total_cost) <= 1e-6 * max(
            1.0, self.total_cost
        )

    def summary(self) -> str:
        return (
            f"{self.instance.name or 'instance'} [{self.mode}]: objective {self.objective:g}, "
            f"lower bound {self.lower_bound:g}, gap {100 * self.gap:.2f} %, "
            f"{len(self.routes)} routes, {self.runtime_s:.2f} s, {self.iterations} iterations"
            + ("" if self.stop_reason in ("iterations", "proven") else f" ({self.stop_reason})")
        )
