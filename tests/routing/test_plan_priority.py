"""When a shift cannot serve every pass, priority decides across officers, not route by route.

The rule (:func:`gridplan.routing.plan_solve.put_back`, the last step of fitting the shift): no
left-out pass could be taken by some officer's route by giving up passes of lower priority only.
``plan_grid`` ranks first passes before repeat passes, then by grade, then by the recent
coverage's missed share (``street_priority``)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import plan_grid
from gridplan.routing.plan_area import routing_area
from gridplan.routing.plan_solve import Routes, Task, put_back
from tests.routing.plan_data import lattice, shift, whole_grid

FAST = dict(time_limit_s=60.0, max_iterations=40)  # the iteration limit binds: deterministic


def _room_by_giving_up_lower(ev: Routes, route, task: int, budget: float) -> bool:
    """Could ``route`` take ``task`` if it gave up every pass of lower priority?"""
    mine = ev.tasks[task].priority
    core = [a for a in route if ev.tasks[a[0]].priority > mine]
    added, _, _ = ev.best_insertion(core, task)
    return math.isfinite(added) and ev.cost(core) + added <= budget - 1e-6


def _trimmed_routes(ev: Routes, k: int, budget: float, draw) -> tuple[list, list[int]]:
    """The passes dealt at random to k routes, each route then trimmed on its own (lowest
    priority out first) until it fits: the state route-by-route trimming leaves."""
    routes = [[] for _ in range(k)]
    for task in draw(st.permutations(range(len(ev.tasks)))):
        routes[draw(st.integers(0, k - 1))].append((task, draw(st.booleans())))
    dropped = []
    for route in routes:
        while ev.cost(route) > budget:
            worst = min(range(len(route)), key=lambda p: ev.tasks[route[p][0]].priority)
            dropped.append(route.pop(worst)[0])
    return routes, dropped


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(2, 4), cols=st.integers(3, 4), k=st.integers(2, 3),
       budget=st.floats(8.0, 30.0), data=st.data())
def test_put_back_leaves_out_no_pass_a_route_could_take_by_giving_up_lower_ones(
        rows, cols, k, budget, data):
    net = lattice(rows, cols, seed=rows * 10 + cols, grades=(1, 2, 3, 4))
    area = routing_area(net, whole_grid(net), params=PatrolParams())
    ranks = data.draw(st.permutations(range(len(area.streets))))
    tasks = [Task(i, 0, 0.5, 0.0, (-s.grade, ranks[i])) for i, s in enumerate(area.streets)]
    ev = Routes(area, tasks)
    routes, dropped = _trimmed_routes(ev, k, budget, data.draw)
    before = sorted(tasks[i].priority for i in dropped)
    put_back(ev, routes, dropped, budget)
    served = [a[0] for r in routes for a in r]
    assert sorted(served + dropped) == list(range(len(tasks)))
    assert all(ev.cost(r) <= budget + 1e-6 for r in routes)
    for task in dropped:
        assert not any(_room_by_giving_up_lower(ev, r, task, budget) for r in routes), (
            f"pass {task} (priority {tasks[task].priority}) left out, yet a route could take it "
            "by giving up lower-priority passes")
    # only ever traded for lower-priority passes: the best left out is no better than before
    if dropped:
        assert max(tasks[i].priority for i in dropped) <= max(before)


def _left_out_weight(plan, weight: dict) -> float:
    return sum(weight.get(u.street_id, 0.0) for u in plan.uncovered)


def test_streets_missed_lately_are_left_out_less_when_three_officers_lack_time():
    """Three officers, an hour too short for the grid: with a street_priority marking a third
    of the streets as missed, fewer of them are left out than without it."""
    net = lattice(6, 6, seed=11, grades=(2, 3))
    params = PatrolParams(seed=3, **FAST)
    plain = plan_grid(net, whole_grid(net), officers=3, shift=shift(8, 9), params=params)
    missed = {sid: 1.0 for n, sid in enumerate(sorted(plain.required)) if n % 3 == 0}
    again = plan_grid(net, whole_grid(net), officers=3, shift=shift(8, 9), params=params,
                      street_priority=missed)
    assert again.is_valid(net.graph)
    assert _left_out_weight(plain, missed) > 0
    assert _left_out_weight(again, missed) < _left_out_weight(plain, missed)
