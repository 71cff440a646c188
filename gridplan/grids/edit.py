"""Hand edits of a plan: move units between grids, with contiguity and nesting checked."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from gridplan.errors import ProblemCollector
from gridplan.grids.partition import GridPlan


def move_units(plan: GridPlan, unit_ids: Iterable[object], to_grid: int | str) -> GridPlan:
    """A new plan with ``unit_ids`` moved to ``to_grid`` (grid number or code).

    Refused with InvalidInputError listing every reason when a unit is unknown, the target grid
    does not exist, a unit belongs to another jurisdiction than the target grid (grids never
    cross jurisdiction lines), a donor grid would be left empty or split, or the moved units would
    not touch the target grid. The plan given is not changed.
    """
    ids = list(dict.fromkeys(unit_ids))
    issues = ProblemCollector("move_units")
    target = _grid_number(plan, to_grid, issues)
    known = [u for u in ids if u in plan.units.index]
    for u in ids:
        if u not in plan.units.index:
            issues.add(f"unit {u}", expected="a unit of the plan", found="no such unit",
                       fix="use ids from plan.units.index")
    if not ids:
        issues.add("unit_ids", expected="at least one unit", found="none", fix="name the units")
    issues.raise_if_any(f"cannot move units to grid {to_grid}")
    group_col = plan.group_col
    target_group = str(plan.grids.loc[target, "jurisdiction"])
    for u in known:
        found = str(plan.units.at[u, group_col])
        if found != target_group:
            issues.add(f"unit {u}", expected=f"a unit of jurisdiction {target_group}",
                       found=f"jurisdiction {found}",
                       fix="grids never cross a jurisdiction line: pick a grid of its own "
                           "jurisdiction")
    issues.raise_if_any(f"cannot move units to grid {to_grid}")
    labels = plan.labels().copy()
    rows = plan.units.index.get_indexer(known)
    donors = sorted(set(labels[rows].tolist()) - {target})
    labels[rows] = target
    moved = plan.with_labels(labels)
    for g in donors:
        if not (labels == g).any():
            issues.add(f"grid {plan._name(g)}", expected="at least one unit left",
                       found="every unit moved away",
                       fix="merge grids explicitly instead, or leave one unit")
    before = {p.where for p in plan.problems()}
    for p in moved.problems():
        if p.where not in before:
            issues.add(p.where, expected=p.expected, found=p.found,
                       fix="move units that touch the target grid, and keep each donor grid "
                           "in one piece")
    issues.raise_if_any(f"cannot move units to grid {to_grid}")
    return moved


def _grid_number(plan: GridPlan, to_grid: int | str, issues: ProblemCollector) -> int:
    by_code = {c: g for g, c in plan.codes.items()}
    if isinstance(to_grid, str) and to_grid in by_code:
        return by_code[to_grid]
    if isinstance(to_grid, (int, np.integer)) and int(to_grid) in plan.grids.index:
        return int(to_grid)
    issues.add(f"grid {to_grid}", expected="a grid number or code of the plan",
               found="no such grid", fix=f"use one of {list(plan.grids.index)[:20]}")
    return -1

