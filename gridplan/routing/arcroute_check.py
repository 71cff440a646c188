"""Independent re-check of an arc-routing plan against its instance.

Takes routes as plain vertex walks plus the edges each serves (what the CLI prints), so the check
shares no state with the solver: it re-derives adjacency, service, capacity and cost from the
instance's edge list alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gridplan.errors import Problem
from gridplan.routing.arcroute_instance import ArcInstance


@dataclass(frozen=True)
class WalkCheck:
    """Costs and loads recomputed from the walks, and everything found wrong."""

    route_costs: list[float]
    route_loads: list[float]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_cost(self) -> float:
        return sum(self.route_costs)

    @property
    def longest_route(self) -> float:
        return max(self.route_costs, default=0.0)


def check_walks(
    instance: ArcInstance,
    walks: Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]],
    *,
    use_capacity: bool = True,
    max_routes: int | None = None,
) -> WalkCheck:
    """Check ``(vertex walk, served steps)`` per route; vertices are 0-based indices.

    A served step is ``(x, y)`` or ``(x, y, task)``; the task index (position among the required
    edges) tells parallel required edges apart, without it the first unserved one is taken.

    A route must start and end at the depot, each step must follow an edge in a usable direction,
    served steps must appear in the walk in the given order, every required edge must be served
    exactly once overall and (``use_capacity``) each route's demand must fit the capacity.
    """
    step_cost = _cheapest_steps(instance)
    tasks_between = _tasks_by_pair(instance)
    served_count = [0] * instance.n_tasks
    costs, loads, problems = [], [], []
    for r, (walk, served) in enumerate(walks):
        where = f"route {r + 1}"
        if not walk or walk[0] != instance.depot or walk[-1] != instance.depot:
            problems.append(
                _problem(
                    where, "a walk from the depot back to the depot", f"{walk[:1]}…{walk[-1:]}"
                )
            )
        cost, load, k = 0.0, 0.0, 0
        for x, y in zip(walk, walk[1:], strict=False):
            if k < len(served) and (x, y) == tuple(served[k][:2]):
                wanted = served[k][2] if len(served[k]) > 2 else None
                task = _take_task(instance, tasks_between, served_count, x, y, wanted)
                if task is None:
                    problems.append(
                        _problem(
                            where,
                            f"a required edge to serve at ({x}, {y})",
                            "none left in that direction",
                        )
                    )
                else:
                    served_count[task] += 1
                    load += float(instance.demand[task])
                    u = int(instance.edge_u[instance.task_edge[task]])
                    cost += float(
                        instance.service_uv[task] if x == u else instance.service_vu[task]
                    )
                k += 1
                continue
            if (x, y) not in step_cost:
                problems.append(_problem(where, f"an edge from {x} to {y}", "no such street"))
                continue
            cost += step_cost[(x, y)]
        if k < len(served):
            problems.append(
                _problem(
                    where,
                    "every served edge on the walk, in order",
                    f"{len(served) - k} served edges not found",
                )
            )
        if use_capacity and instance.capacity is not None and load > instance.capacity + 1e-9:
            problems.append(_problem(where, f"load <= {instance.capacity:g}", f"{load:g}"))
        costs.append(cost)
        loads.append(load)
    for t, count in enumerate(served_count):
        if count != 1:
            e = int(instance.task_edge[t])
            problems.append(
                _problem(
                    f"required edge ({instance.edge_u[e]}, {instance.edge_v[e]})",
                    "served exactly once",
                    f"served {count} times",
                )
            )
    if max_routes is not None and len(walks) > max_routes:
        problems.append(_problem("plan", f"at most {max_routes} routes", str(len(walks))))
    return WalkCheck(costs, loads, problems)


def _problem(where: str, expected: str, found: str) -> Problem:
    return Problem("arc routing plan", where, expected, found, "this is a solver bug; report it")


def _cheapest_steps(instance: ArcInstance) -> dict[tuple[int, int], float]:
    steps: dict[tuple[int, int], float] = {}
    for u, v, cuv, cvu in zip(
        instance.edge_u.tolist(),
        instance.edge_v.tolist(),
        instance.cost_uv.tolist(),
        instance.cost_vu.tolist(),
        strict=True,
    ):
        for key, c in (((u, v), cuv), ((v, u), cvu)):
            if c != float("inf") and c < steps.get(key, float("inf")):
                steps[key] = c
    return steps


def _tasks_by_pair(instance: ArcInstance) -> dict[tuple[int, int], list[int]]:
    by_pair: dict[tuple[int, int], list[int]] = {}
    for t, e in enumerate(instance.task_edge.tolist()):
        u, v = int(instance.edge_u[e]), int(instance.edge_v[e])
        by_pair.setdefault((min(u, v), max(u, v)), []).append(t)
    return by_pair


def _take_task(
    instance, tasks_between, served_count, x: int, y: int, wanted: int | None
) -> int | None:
    for t in tasks_between.get((min(x, y), max(x, y)), []):
        if wanted is not None and t != wanted:
            continue
        u = int(instance.edge_u[instance.task_edge[t]])
        serve = instance.service_uv[t] if x == u else instance.service_vu[t]
        if served_count[t] == 0 and serve != float("inf"):
            return t
    return None
