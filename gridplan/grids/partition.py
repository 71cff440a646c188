"""Partition basic units into responsibility grids, and the plan object that checks itself.

``partition_units(units, adjacency, *, n_grids=N | target_workload_h=H, seed=...)`` builds the
geometry-free :class:`~gridplan.grids.core.PartitionProblem` from the units table (metric CRS,
metres; columns ``jurisdiction`` and ``workload_h`` by default) and returns a :class:`GridPlan`.
The method is described in :mod:`gridplan.grids.core`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from gridplan.errors import GridPlanError, InvalidInputError, Problem, ProblemCollector
from gridplan.grids.adjacency import UnitAdjacency
from gridplan.grids.core import (
    PartitionParams,
    PartitionProblem,
    contiguity_problems,
    solve_partition,
)
from gridplan.grids.metrics import Balance, balance, polsby_popper


def problem_from_units(
    units: gpd.GeoDataFrame, adjacency: UnitAdjacency, *,
    workload_col: str = "workload_h", group_col: str = "jurisdiction",
) -> PartitionProblem:
    """The matrix-only problem of a units table (rows in table order)."""
    issues = ProblemCollector("units")
    for col in (workload_col, group_col):
        if col not in units.columns:
            issues.add("columns", expected=f"a '{col}' column", found=str(list(units.columns)),
                       fix="build units with gridplan.grids.units and add_workload()")
    if adjacency.n_units != len(units):
        issues.add("adjacency", expected=f"{len(units)} rows (one per unit)",
                   found=f"{adjacency.n_units}", fix="rebuild it with unit_adjacency(units)")
    if units.crs is not None and not units.crs.is_projected:
        issues.add("crs", expected="a projected (metric) CRS", found=str(units.crs),
                   fix="reproject first, e.g. units.to_crs(units.estimate_utm_crs())")
    issues.raise_if_any("units cannot be partitioned")
    geoms = units.geometry.values
    cent = shapely.centroid(geoms)
    return PartitionProblem(
        adjacency=adjacency.matrix, workload=units[workload_col].to_numpy(float),
        groups=units[group_col].astype(str).to_numpy(),
        centroids=np.column_stack([shapely.get_x(cent), shapely.get_y(cent)]),
        area_m2=shapely.area(geoms), perimeter_m=shapely.length(geoms),
        unit_names=tuple(str(i) for i in units.index),
    )


@dataclass(frozen=True)
class GridPlan:
    """Units assigned to grids. ``units`` carries ``grid`` (int) and ``island`` (bool) columns.

    ``grids`` (GeoDataFrame, one row per grid, indexed by grid number) has ``jurisdiction``,
    ``code`` (None until :func:`gridplan.grids.codes.assign_codes`), ``n_units``, ``n_islands``,
    ``workload_h``, ``area_m2``, ``perimeter_m``, ``polsby_popper`` and the union geometry.
    """

    units: gpd.GeoDataFrame
    adjacency: UnitAdjacency
    workload_col: str = "workload_h"
    group_col: str = "jurisdiction"
    codes: Mapping[int, str] = field(default_factory=dict)
    seed: int | None = None
    objective: float | None = None
    grids: gpd.GeoDataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grids", self._grid_table())

    @classmethod
    def from_assignment(
        cls, units: gpd.GeoDataFrame, adjacency: UnitAdjacency, grid_of: Mapping[Any, int] |
        pd.Series, **kwargs: Any,
    ) -> GridPlan:
        """A plan from an existing layout (unit id → grid number), e.g. today's grids.

        A piece of a grid that is a whole connected component of its jurisdiction's units (an
        island) is declared an island; any other split grid is reported by :meth:`problems`.
        """
        series = pd.Series(grid_of)
        missing = [str(u) for u in units.index if u not in series.index]
        if missing:
            raise InvalidInputError("the layout does not cover every unit", [
                Problem("layout", f"unit {u}", "a grid number", "none", "assign the unit")
                for u in missing[:50]])
        labels = series.loc[units.index].to_numpy(dtype=np.int64)
        out = units.copy()
        out["grid"] = labels
        out["island"] = _declared_islands(adjacency.matrix, labels,
                                          units[kwargs.get("group_col", "jurisdiction")])
        return cls(units=out, adjacency=adjacency, **kwargs)

    # ---- derived tables -----------------------------------------------------------------------
    def _grid_table(self) -> gpd.GeoDataFrame:
        u = self.units
        rows = []
        for g, part in u.groupby("grid", sort=True):
            geom = shapely.union_all(part.geometry.values)
            rows.append({
                "grid": int(g), "jurisdiction": part[self.group_col].iloc[0],
                "code": self.codes.get(int(g)), "n_units": len(part),
                "n_islands": int(part["island"].sum()),
                "workload_h": float(part[self.workload_col].sum()),
                "area_m2": geom.area, "perimeter_m": geom.length, "geometry": geom,
            })
        table = gpd.GeoDataFrame(rows, geometry="geometry", crs=u.crs).set_index("grid")
        table["polsby_popper"] = polsby_popper(table["area_m2"], table["perimeter_m"])
        return table

    def labels(self) -> np.ndarray:
        return self.units["grid"].to_numpy(dtype=np.int64)

    # ---- measures -----------------------------------------------------------------------------
    def balance(self) -> Balance:
        return balance(self.grids["workload_h"].to_numpy())

    def boundary_length_m(self) -> float:
        """Length of boundary between different grids (each stretch counted once), metres."""
        coo = sparse.triu(self.adjacency.matrix, k=1).tocoo()
        labels = self.labels()
        return float(coo.data[labels[coo.row] != labels[coo.col]].sum())

    def problems(self) -> list[Problem]:
        """Everything wrong with the plan: coverage, nesting, contiguity. Empty when valid."""
        out: list[Problem] = []
        for g, part in self.units.groupby("grid", sort=True):
            found = sorted(part[self.group_col].astype(str).unique())
            if len(found) > 1:
                out.append(Problem("plan", f"grid {self._name(int(g))}",
                                   "units of one jurisdiction", f"units of {found}",
                                   "grids never cross a jurisdiction line: move or split"))
        names = tuple(self._name(int(g)) for g in range(int(self.labels().max()) + 1))
        out += contiguity_problems(self.adjacency.matrix, self.labels(),
                                   self.units["island"].to_numpy(bool), names=names)
        return out

    def is_valid(self) -> bool:
        return not self.problems()

    def _name(self, g: int) -> str:
        return self.codes.get(g) or str(g)

    def summary(self) -> dict[str, Any]:
        b = self.balance()
        pp = self.grids["polsby_popper"]
        return {
            "grids": b.n_grids, "units": len(self.units),
            "island_units": int(self.units["island"].sum()),
            "workload_mean_h": round(b.mean, 2), "workload_min_h": round(b.min, 2),
            "workload_max_h": round(b.max, 2), "max_min_ratio": round(b.max_min_ratio, 4),
            "max_dev_from_mean": round(b.max_dev_from_mean, 4),
            "polsby_popper_mean": round(float(pp.mean()), 4),
            "polsby_popper_min": round(float(pp.min()), 4),
            "boundary_length_m": round(self.boundary_length_m(), 1),
            "contiguous": self.is_valid(),
        }

    def with_labels(self, labels: np.ndarray, **changes: Any) -> GridPlan:
        """A copy with new grid numbers per unit (islands recomputed), codes kept by number."""
        out = self.units.copy()
        out["grid"] = np.asarray(labels, dtype=np.int64)
        out["island"] = _declared_islands(self.adjacency.matrix, out["grid"].to_numpy(),
                                          out[self.group_col])
        kwargs = {"workload_col": self.workload_col, "group_col": self.group_col,
                  "codes": dict(self.codes), "seed": self.seed, "objective": None, **changes}
        return GridPlan(units=out, adjacency=self.adjacency, **kwargs)


def _declared_islands(matrix: sparse.csr_matrix, labels: np.ndarray, groups: pd.Series
                      ) -> np.ndarray:
    """Units of a grid's minor pieces that are whole components of their jurisdiction's units."""
    g = groups.astype(str).to_numpy()
    coo = matrix.tocoo()
    same = g[coo.row] == g[coo.col]
    n = len(labels)
    within = sparse.csr_matrix((np.ones(int(same.sum())), (coo.row[same], coo.col[same])),
                               shape=(n, n))
    _, comp = csgraph.connected_components(within, directed=False)
    island = np.zeros(n, dtype=bool)
    for grid in np.unique(labels):
        members = np.flatnonzero(labels == grid)
        comps, counts = np.unique(comp[members], return_counts=True)
        if len(comps) <= 1:
            continue
        main = comps[np.argmax(counts)]
        comp_size = np.bincount(comp)
        for c, k in zip(comps, counts, strict=True):
            if c != main and comp_size[c] == k:  # the whole component sits in this grid
                island[members[comp[members] == c]] = True
    return island


def partition_units(
    units: gpd.GeoDataFrame,
    adjacency: UnitAdjacency,
    *,
    n_grids: int | None = None,
    target_workload_h: float | None = None,
    seed: int = 0,
    params: PartitionParams | None = None,
    workload_col: str = "workload_h",
    group_col: str = "jurisdiction",
) -> GridPlan:
    """Contiguous, compact, workload-balanced grids that never cross a jurisdiction line.

    Pass ``n_grids`` (shared across jurisdictions by workload, each getting at least one) or
    ``target_workload_h`` (each jurisdiction gets ceil(workload / target) grids). Same ``seed``
    ⇒ same plan. Units in a component of their jurisdiction too small to earn its own grid are
    attached to the nearest grid and flagged ``island``.
    """
    problem = problem_from_units(units, adjacency, workload_col=workload_col, group_col=group_col)
    result = solve_partition(problem, n_grids=n_grids, target_workload_h=target_workload_h,
                             seed=seed, params=params)
    out = units.copy()
    out["grid"] = result.labels
    out["island"] = result.island
    plan = GridPlan(units=out, adjacency=adjacency, workload_col=workload_col,
                    group_col=group_col, seed=seed, objective=result.objective)
    bad = plan.problems()
    if bad:  # the search keeps grids contiguous by construction: this is a bug, say so loudly
        raise GridPlanError("partition produced an invalid plan (please report)", bad)
    return plan
