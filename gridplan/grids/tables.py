"""A redesign as tables: what the files, the service and the maps show (pure; metric CRS in,
geometry left in that CRS — writers project to WGS-84).

* :func:`grids_frame` — one row per grid: code, name, parent, workload, staff, station, AB;
* :func:`staffing_frame`, :func:`roster_frame`, :func:`blind_spot_data`;
* :func:`units_frame` / :func:`plan_from_units` — the plan's units with their grid code and
  back: the round trip of ``plan_units.geojson`` (``grids move`` and ``grids roster`` read it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.adjacency import unit_adjacency
from gridplan.grids.partition import GridPlan
from gridplan.grids.roster import DAY_NAMES_ZH
from gridplan.grids.workflow import OTHER_ROLES, Redesign, StaffedPlan

WGS84 = "EPSG:4326"
UNITS_COLUMNS = ("unit_id", "jurisdiction", "workload_h", "grid", "metric_crs")


def _lonlat(xy: tuple[float, float] | None, crs: Any) -> tuple[float | None, float | None]:
    if xy is None:
        return None, None
    lon, lat = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True).transform(*xy)
    return round(float(lon), 6), round(float(lat), 6)


def grids_frame(staffed: StaffedPlan, *, names: Mapping[str, str], other: pd.DataFrame,
                illustrative: bool) -> gpd.GeoDataFrame:
    """One row per grid (metric CRS): code (None for a 'no grid' bucket), name, parent_code,
    workload_h, n_units, area_m2, polsby_popper, enforcement and other staff, station lon/lat,
    AB partners, illustrative."""
    plan, crs = staffed.plan, staffed.plan.units.crs
    rows = []
    for g, row in sorted(plan.grids.iterrows(), key=lambda gr: staffed.keys[int(gr[0])]):
        key = staffed.keys[int(g)]
        lon, lat = _lonlat(staffed.station_xy(key), crs)
        rows.append({
            "code": None if key not in plan.codes.values() else key,
            "name": names.get(key, key),
            "parent_code": str(row["jurisdiction"]),
            "workload_h": round(float(row["workload_h"]), 2),
            "n_units": int(row["n_units"]),
            "area_m2": round(float(row["area_m2"]), 1),
            "polsby_popper": round(float(row["polsby_popper"]), 4),
            "enforcement": int(staffed.officers.get(key, 0)),
            **{r: int(other.at[key, r]) if key in other.index else 0 for r in OTHER_ROLES},
            "station_lon": lon,
            "station_lat": lat,
            "ab_partners": ",".join(map(str, staffed.ab.partners(key))),
            "illustrative": illustrative,
            "geometry": row.geometry,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def proposed_frame(result: Redesign) -> gpd.GeoDataFrame:
    return grids_frame(result.proposed, names={}, other=result.other_staff, illustrative=False)


def current_frame(result: Redesign, *, illustrative: bool) -> gpd.GeoDataFrame | None:
    if result.current is None or result.current_layout is None:
        return None
    layout = result.current_layout
    return grids_frame(result.current, names=layout.staff["name"].astype(str).to_dict(),
                       other=layout.staff[list(OTHER_ROLES)], illustrative=illustrative)


def staffing_frame(result: Redesign, proposed: gpd.GeoDataFrame) -> pd.DataFrame:
    needs = {str(g.grid): g for g in result.proposed.staffing.grids}
    out = pd.DataFrame(proposed.drop(columns="geometry"))
    out.insert(4, "demand_officers", [round(needs[c].demand_officers, 2) for c in out["code"]])
    out.insert(5, "needed", [needs[c].needed for c in out["code"]])
    return out


def roster_frame(staffed: StaffedPlan) -> pd.DataFrame:
    tables = []
    for key in staffed.roster.officers_by_grid:
        t = staffed.roster.table(key)
        tables.append(t.rename_axis("officer").reset_index().assign(grid=key))
    if not tables:
        return pd.DataFrame(columns=["grid", "officer", *DAY_NAMES_ZH])
    return pd.concat(tables)[["grid", "officer", *DAY_NAMES_ZH]]


def shortfall_lines(staffed: StaffedPlan) -> list[str]:
    return [f"{s.grid} {DAY_NAMES_ZH[s.day]} {s.shift} {s.on_duty}/{s.target}"
            for s in staffed.roster.shortfalls()]


def blind_spot_data(staffed: StaffedPlan) -> dict[str, Any]:
    r = staffed.blind_spots
    return {
        "incidents_uncovered_share": round(staffed.uncovered_share, 4),
        "uncovered_share_by_class": {k: round(v, 4) for k, v in r.uncovered_share_by_class.items()},
        "total_by_class": dict(r.total_by_class),
        "skipped_incidents": r.skipped_incidents,
        "lines": r.lines(top=20),
        "groups": [{"label": g.label, "grids": sorted({str(w.grid) for w in g.windows}),
                    "incidents_by_class": dict(g.incidents_by_class),
                    "share_by_class": {k: round(v, 4) for k, v in g.share_by_class.items()}}
                   for g in r.groups],
        "shortfalls": [{"grid": str(s.grid), "day": DAY_NAMES_ZH[s.day], "shift": s.shift,
                        "on_duty": s.on_duty, "target": s.target}
                       for s in staffed.roster.shortfalls()],
    }


def units_frame(plan: GridPlan, keys: Mapping[int, str]) -> gpd.GeoDataFrame:
    """Every unit with its grid code and the metric CRS it was planned in."""
    cols = [c for c in ("jurisdiction", "workload_h", "area_m2") if c in plan.units.columns]
    out = plan.units[cols + ["geometry"]].copy()
    out["grid"] = [keys[int(g)] for g in plan.units["grid"]]
    out["island"] = plan.units["island"].astype(bool)
    out["metric_crs"] = plan.units.crs.to_string()
    return out.rename_axis("unit_id").reset_index()


def plan_from_units(frame: gpd.GeoDataFrame, *, source: str = "plan units") -> GridPlan:
    """The coded plan a :func:`units_frame` describes (any CRS; re-projected to its
    ``metric_crs``)."""
    missing = sorted(set(UNITS_COLUMNS) - set(frame.columns))
    if missing or len(frame) == 0:
        raise InvalidInputError(f"{source} is not a plan units file", [Problem(
            source, "columns", ", ".join(UNITS_COLUMNS), ", ".join(map(str, frame.columns)),
            "use the plan_units.geojson that 'gridplan grids redesign' writes")])
    units = frame.to_crs(str(frame["metric_crs"].iloc[0])).set_index("unit_id")
    units.index = units.index.astype(str)
    units["jurisdiction"] = units["jurisdiction"].astype(str)
    units["perimeter_m"] = units.geometry.length
    units["area_m2"] = units.geometry.area
    codes = sorted(units["grid"].astype(str).unique())
    number = {c: i for i, c in enumerate(codes)}
    return GridPlan.from_assignment(units.drop(columns=["grid"]), unit_adjacency(units),
                                    units["grid"].astype(str).map(number),
                                    codes={i: c for c, i in number.items()})
