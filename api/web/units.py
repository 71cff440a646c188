"""The planner's unit editor: a plan's grids mapped onto the district's basic units (street
blocks with workload), and moves of units between grids checked by the library.

The units of a district are computed once per process and network
(:func:`gridplan.grids.workflow.planning_units`); a plan's layout on them comes from
:func:`~gridplan.grids.workflow.current_layout`. A move is stateless: the browser sends the
layout it shows (unit → grid code) with the units to move, the server rebuilds that plan, calls
:func:`gridplan.grids.edit.move_units` (which refuses with every reason: jurisdiction line,
a donor left empty or split, not touching) and answers the new figures and grid shapes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.partition import GridPlan
from gridplan.grids.staffing import StaffingParams, allocate_staff
from gridplan.grids.workflow import NO_GRID_PREFIX, PlanningUnits

WGS84 = "EPSG:4326"
_lock = threading.Lock()


@lru_cache(maxsize=4)
def _district_units(path: str, mode: str, cache_dir: str, code: str, wkb: bytes,
                    incidents_path: str | None) -> PlanningUnits:
    from shapely import from_wkb

    from api.incident_store import read_normalised
    from geodata.osm import load_network
    from gridplan.grids.workflow import planning_units

    net = load_network(path, mode=mode, cache_dir=cache_dir)  # type: ignore[arg-type]
    places = gpd.GeoDataFrame({"code": [code]}, geometry=[from_wkb(wkb)], crs=WGS84)
    incidents = read_normalised(incidents_path) if incidents_path else None
    return planning_units(net, places, incidents=incidents)


def district_units(path: str, mode: str, cache_dir: str, code: str, area: BaseGeometry, *,
                   incidents_path: str | None = None) -> PlanningUnits:
    """Street blocks of the district with workload (patrol, inspection, and the incidents of
    ``incidents_path`` when given), cached per process."""
    with _lock:  # one computation at a time; later calls hit the cache
        return _district_units(path, mode, cache_dir, code, area.wkb, incidents_path)


def layout_of(units: PlanningUnits, grids: gpd.GeoDataFrame) -> dict[str, str]:
    """unit id → grid code (or the ``无网格-`` bucket) for a plan's grid polygons (WGS-84)."""
    from gridplan.grids.workflow import current_layout

    layout = current_layout(units.units, units.adjacency, grids)
    labels = layout.plan.labels()
    return {str(u): layout.keys[int(g)] for u, g in zip(units.units.index, labels, strict=True)}


def plan_from(units: PlanningUnits, assignment: Mapping[str, str]) -> GridPlan:
    """The plan the browser shows (unit id → grid code), checked to cover every unit."""
    keys = sorted(set(assignment.values()))
    number = {k: i for i, k in enumerate(keys)}
    missing = [u for u in units.units.index if str(u) not in assignment]
    if missing:
        raise InvalidInputError("the layout does not cover every unit", [
            Problem("layout", f"unit {u}", "a grid code", "none", "reload the layout")
            for u in missing[:20]])
    labels = pd.Series({u: number[assignment[str(u)]] for u in units.units.index})
    codes = {i: k for k, i in number.items() if not k.startswith(NO_GRID_PREFIX)}
    return GridPlan.from_assignment(units.units, units.adjacency, labels, codes=codes)


def figures(plan: GridPlan) -> dict[str, Any]:
    """Balance, contiguity and staff of a plan's real grids (buckets left out), per grid too."""
    table = plan.grids
    real = table[table["code"].notna()]
    staffing = allocate_staff({str(r.code): float(r.workload_h) for r in real.itertuples()},
                              headcount=StaffingParams().max_officers_per_grid * len(real))
    needed = {str(g.grid): g.needed for g in staffing.grids}
    loads = real["workload_h"]
    mean = float(loads.mean()) if len(loads) else 0.0
    return {
        "grids": [{"code": str(r.code), "workload_h": round(float(r.workload_h), 1),
                   "units": int(r.n_units), "staff_needed": needed[str(r.code)]}
                  for r in real.itertuples()],
        "max_min": round(float(loads.max() / loads.min()), 3) if len(loads) and loads.min() > 0
        else None,
        "max_dev": round(float((loads - mean).abs().max() / mean), 4) if mean else None,
        "contiguous": plan.is_valid(),
        "problems": [str(p) for p in plan.problems()],
        "staff_needed": int(sum(needed.values())),
    }


def shapes(plan: GridPlan) -> dict[str, Any]:
    """Each real grid's shape (the union of its units), WGS-84, keyed by code."""
    table = plan.grids[plan.grids["code"].notna()].to_crs(WGS84)
    return {str(r.code): json.loads(gpd.GeoSeries([r.geometry]).to_json())["features"][0][
        "geometry"] for r in table.itertuples()}


def units_geojson(units: PlanningUnits, assignment: Mapping[str, str]) -> dict[str, Any]:
    frame = units.units[["workload_h", "geometry"]].to_crs(WGS84).copy()
    frame["unit"] = [str(u) for u in frame.index]
    frame["grid"] = [assignment[str(u)] for u in frame.index]
    frame["workload_h"] = frame["workload_h"].round(2)
    frame["geometry"] = frame.geometry.set_precision(1e-6)
    return json.loads(frame.to_json(drop_id=True))


def move(units: PlanningUnits, assignment: Mapping[str, str], unit_ids: list[str],
         to_code: str) -> dict[str, Any]:
    """The layout after moving ``unit_ids`` to grid ``to_code``, or InvalidInputError saying why
    not (every reason)."""
    from gridplan.grids.edit import move_units

    plan = plan_from(units, assignment)
    by_str = {str(u): u for u in units.units.index}
    moved = move_units(plan, [by_str.get(u, u) for u in unit_ids], to_code)
    labels = moved.labels()
    keys = {g: (moved.codes.get(g) or _bucket(plan, g)) for g in set(labels.tolist())}
    after = {str(u): keys[int(g)] for u, g in zip(units.units.index, labels, strict=True)}
    return {"assignment": after, "figures": figures(moved), "shapes": shapes(moved)}


def _bucket(plan: GridPlan, g: int) -> str:
    return f"{NO_GRID_PREFIX}{plan.grids.loc[g, 'jurisdiction']}"
