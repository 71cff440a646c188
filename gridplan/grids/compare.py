"""Two plans side by side: balance, compactness, staff, boundary, units that changed grid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.partition import GridPlan

#: A staffing hook: plan -> officers needed in total (e.g. from the staffing module).
StaffFn = Callable[[GridPlan], float]
#: A blind-spot hook: plan -> share of incidents in unstaffed hours (0..1), or any number.
BlindSpotFn = Callable[[GridPlan], float]


@dataclass(frozen=True)
class PlanComparison:
    """``table``: one row per measure, columns ``a``, ``b``, ``change`` (b − a)."""

    table: pd.DataFrame
    changed_units: list[object]  # unit ids whose grid changed (grids matched a↔b)
    grid_match: dict[int, int]  # grid of b -> matched grid of a

    def to_dict(self) -> dict[str, Any]:
        rows = {name: {k: _plain(v) for k, v in row.items()}
                for name, row in self.table.to_dict(orient="index").items()}
        return {"measures": rows, "changed_units": [str(u) for u in self.changed_units]}


def _plain(value: object) -> object:
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    return value


def match_grids(a: GridPlan, b: GridPlan) -> dict[int, int]:
    """Grid of b → grid of a: the same code when both carry it, else the one-to-one matching
    with the most shared units (scipy's Hungarian method)."""
    codes_a = {c: g for g, c in a.codes.items()}
    match = {g: codes_a[c] for g, c in b.codes.items() if c in codes_a}
    rest_b = [g for g in b.grids.index if g not in match]
    rest_a = [g for g in a.grids.index if g not in set(match.values())]
    if rest_b and rest_a:
        la = a.units["grid"]
        lb = b.units["grid"].reindex(la.index)
        overlap = pd.crosstab(lb, la).reindex(index=rest_b, columns=rest_a, fill_value=0)
        rows, cols = linear_sum_assignment(-overlap.to_numpy())
        for r, c in zip(rows, cols, strict=True):
            if overlap.iat[r, c] > 0:
                match[int(rest_b[r])] = int(rest_a[c])
    return match


def compare_plans(
    a: GridPlan, b: GridPlan, *, staff: StaffFn | None = None,
    blind_spots: BlindSpotFn | None = None,
) -> PlanComparison:
    """Compare plan ``a`` (e.g. today's) with plan ``b`` (a redesign) over the same units."""
    if set(a.units.index) != set(b.units.index):
        raise InvalidInputError("plans cover different units", [Problem(
            "compare_plans", "", "the same unit ids in both plans",
            f"{len(set(a.units.index) ^ set(b.units.index))} ids in only one",
            "build both plans from the same units table")])
    match = match_grids(a, b)
    la = a.units["grid"]
    lb = b.units["grid"].reindex(la.index).map(lambda g: match.get(int(g), -1 - int(g)))
    changed = list(la.index[la.to_numpy() != lb.to_numpy()])
    rows: dict[str, tuple[float, float]] = {}
    for name, plan in (("a", a), ("b", b)):
        s = plan.summary()
        for key in ("grids", "max_min_ratio", "max_dev_from_mean", "workload_min_h",
                    "workload_max_h", "polsby_popper_mean", "polsby_popper_min",
                    "boundary_length_m", "island_units"):
            rows.setdefault(key, [np.nan, np.nan])[0 if name == "a" else 1] = s[key]
        rows.setdefault("valid", [np.nan, np.nan])[0 if name == "a" else 1] = float(
            plan.is_valid())
        if staff is not None:
            rows.setdefault("staff_needed", [np.nan, np.nan])[0 if name == "a" else 1] = float(
                staff(plan))
        if blind_spots is not None:
            rows.setdefault("blind_spots", [np.nan, np.nan])[0 if name == "a" else 1] = float(
                blind_spots(plan))
    rows["units_changed_grid"] = [0.0, float(len(changed))]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["a", "b"])
    table["change"] = table["b"] - table["a"]
    return PlanComparison(table=table, changed_units=changed, grid_match=match)
