"""The planner's three grid jobs, one public function each; every door (CLI, service, notebook)
calls these and only parses, loads and renders around them.

* :func:`redesign_grids` — redraw the grids of some jurisdictions from a street network (and,
  when known, today's layout and incidents): units, today's layout mapped onto them, the
  partition, codes, staffing, roster, blind spots, stations, AB pairs, the comparison;
* :func:`move_grid_units` — a hand edit: move units to another grid, refused with every reason
  if a grid would split, leave its jurisdiction or empty;
* :func:`roster_plan` / :func:`roster_layout` — officers per grid and a week roster for a plan
  (a redesign's units file) or for a layout of grid polygons (today's grids, a stored plan).

Inputs are GeoDataFrames in any CRS (projected once, to the network's metric CRS); parameters
are the sets of :mod:`gridplan.grids.params`, :mod:`gridplan.grids.staffing`,
:mod:`gridplan.grids.roster` and :mod:`gridplan.grids.core`, each loadable from one TOML file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pyproj

from gridplan.coverage.params import TrackParams
from gridplan.coverage.report import CoverageReport
from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.core import PartitionParams
from gridplan.grids.edit import move_units
from gridplan.grids.observed import observed_blind_spots
from gridplan.grids.params import GridSizingParams
from gridplan.grids.partition import GridPlan
from gridplan.grids.roster import ShiftPlanParams
from gridplan.grids.staffing import StaffingParams
from gridplan.grids.units import WorkloadParams
from gridplan.grids.workflow import (
    CurrentLayout,
    PlanningUnits,
    Redesign,
    StaffedPlan,
    current_layout,
    planning_units,
    redesign,
    staff_plan,
)
from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams

WGS84 = "EPSG:4326"


def _units(network: StreetNetwork, jurisdictions: gpd.GeoDataFrame,
           incidents: gpd.GeoDataFrame | None, sizing: GridSizingParams,
           workload: WorkloadParams | None, patrol: PatrolParams | None) -> PlanningUnits:
    return planning_units(network, jurisdictions, kind=sizing.unit_kind,  # type: ignore[arg-type]
                          split_above_m2=sizing.split_above_m2, cell_area_m2=sizing.cell_area_m2,
                          min_unit_m2=sizing.min_unit_m2, incidents=incidents, workload=workload,
                          patrol=patrol)


def stations_of(grids: gpd.GeoDataFrame, crs: Any) -> dict[str, tuple[float, float]]:
    """Each grid's station from its ``station_lon``/``station_lat`` (WGS-84) in ``crs``."""
    if not {"station_lon", "station_lat"} <= set(grids.columns):
        return {}
    ok = grids["station_lon"].notna() & grids["station_lat"].notna()
    to_metric = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    xs, ys = to_metric.transform(grids.loc[ok, "station_lon"].astype(float).to_numpy(),
                                 grids.loc[ok, "station_lat"].astype(float).to_numpy())
    return {str(c): (float(x), float(y))
            for c, x, y in zip(grids.loc[ok, "code"], xs, ys, strict=True)}


def _layout(units: PlanningUnits, grids: gpd.GeoDataFrame, network: StreetNetwork,
            sizing: GridSizingParams) -> CurrentLayout:
    return current_layout(units.units, units.adjacency, grids,
                          min_cover_share=sizing.min_cover_share,
                          stations_xy_m=stations_of(grids, network.crs))


def redesign_grids(
    network: StreetNetwork,
    jurisdictions: gpd.GeoDataFrame,
    *,
    current: gpd.GeoDataFrame | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    headcount: int | None = None,
    sizing: GridSizingParams | None = None,
    staffing: StaffingParams | None = None,
    roster: ShiftPlanParams | None = None,
    partition: PartitionParams | None = None,
    workload: WorkloadParams | None = None,
    patrol: PatrolParams | None = None,
    tz: str = "Asia/Shanghai",
) -> Redesign:
    """Redraw the grids of ``jurisdictions`` (``code`` + polygons) on ``network``'s streets.

    ``current``: today's grid polygons (``code``, ``parent_code``, optional ``name``, staff
    counts, ``station_lon``/``station_lat``); it sets the default grid count and headcount and
    is compared with the proposal. ``incidents`` (``time`` tz-aware, ``event_class``) add
    workload and blind spots; ``tz`` is their local time zone. ``patrol`` is the patrol policy
    street workload is sized with (the one routes are planned with). Grid count:
    ``sizing.n_grids`` or ``sizing.target_workload_h``, else today's. Same ``sizing.seed``, same
    redesign. Every warning met on the way (dropped slivers, layout mismatches) is in
    ``Redesign.warnings``.
    """
    sizing = sizing or GridSizingParams()
    units = _units(network, jurisdictions, incidents, sizing, workload, patrol)
    today = _layout(units, current, network, sizing) if current is not None else None
    result = redesign(
        units.units, units.adjacency, n_grids=sizing.n_grids,
        target_workload_h=sizing.target_workload_h, current=today, headcount=headcount,
        network=network, incidents=incidents, seed=sizing.seed, staffing_params=staffing,
        roster_params=(roster or ShiftPlanParams()).roster_params(),
        partition_params=partition, keep_overlap=sizing.keep_overlap, tz=tz)
    warnings = units.warnings + (today.warnings if today is not None else ())
    return dataclasses.replace(result, warnings=warnings)


@dataclass(frozen=True)
class LayoutRoster:
    """A layout of grid polygons mapped onto units, staffed and rostered."""

    layout: CurrentLayout
    staffed: StaffedPlan
    warnings: tuple[Problem, ...]


def roster_layout(
    network: StreetNetwork,
    jurisdictions: gpd.GeoDataFrame,
    grids: gpd.GeoDataFrame,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    headcount: int | None = None,
    sizing: GridSizingParams | None = None,
    staffing: StaffingParams | None = None,
    roster: ShiftPlanParams | None = None,
    workload: WorkloadParams | None = None,
    patrol: PatrolParams | None = None,
    tz: str = "Asia/Shanghai",
    coverage: CoverageReport | Mapping[str, Any] | None = None,
    tracks: TrackParams | None = None,
) -> LayoutRoster:
    """Officers and a week roster for the grid polygons ``grids`` (e.g. a stored plan).

    Officers: each grid's ``enforcement`` on file, or ``headcount`` allocated by workload.
    ``coverage`` (a :class:`~gridplan.coverage.CoverageReport` or its ``coverage.json`` form):
    the streets and key points its tracks never reached (盲区), next to the roster's planned
    blind spots, in ``staffed.observed`` (:mod:`gridplan.grids.observed`; ``tracks`` says what
    nights are).
    """
    sizing = sizing or GridSizingParams()
    units = _units(network, jurisdictions, incidents, sizing, workload, patrol)
    layout = _layout(units, grids, network, sizing)
    on_file = None if headcount else {k: int(v) for k, v in layout.staff["enforcement"].items()}
    staffed = staff_plan(
        layout.plan, layout.keys, headcount=headcount, officers=on_file,
        incidents=incidents.to_crs(network.crs) if incidents is not None else None,
        network=network, stations_xy_m=layout.stations_xy_m or None, staffing_params=staffing,
        roster_params=(roster or ShiftPlanParams()).roster_params(), tz=tz)
    staffed = with_observed(staffed, coverage, tracks)
    return LayoutRoster(layout, staffed, units.warnings + layout.warnings)


def roster_plan(
    plan: GridPlan,
    *,
    headcount: int | None = None,
    staffing: StaffingParams | None = None,
    roster: ShiftPlanParams | None = None,
    coverage: CoverageReport | Mapping[str, Any] | None = None,
    tracks: TrackParams | None = None,
) -> StaffedPlan:
    """Officers per grid from workload (under ``headcount``; default every grid's need) and a
    week roster for a coded plan (e.g. one read back from a redesign's units file);
    ``coverage`` / ``tracks``: as for :func:`roster_layout`."""
    staffed = staff_plan(plan, dict(plan.codes), headcount=headcount, staffing_params=staffing,
                         roster_params=(roster or ShiftPlanParams()).roster_params())
    return with_observed(staffed, coverage, tracks)


def with_observed(staffed: StaffedPlan, coverage: CoverageReport | Mapping[str, Any] | None,
                  tracks: TrackParams | None) -> StaffedPlan:
    """``staffed`` with the coverage's 盲区 set against its roster (unchanged without one)."""
    if coverage is None:
        return staffed
    observed = observed_blind_spots(coverage, staffed.roster.coverage_by_hour(), params=tracks)
    return dataclasses.replace(staffed, observed=observed)


@dataclass(frozen=True)
class UnitMove:
    """A hand edit and its effect on the grids it touched."""

    before: GridPlan
    after: GridPlan
    unit_ids: tuple[str, ...]
    to_code: str

    @property
    def touched(self) -> list[str]:
        labels = self.before.units["grid"]
        return sorted({self.before.codes[int(labels.at[u])] for u in self.unit_ids}
                      | {self.to_code})

    def workload_h(self) -> dict[str, dict[str, float]]:
        before = self.before.grids.set_index("code")["workload_h"]
        after = self.after.grids.set_index("code")["workload_h"]
        return {c: {"before": round(float(before[c]), 2), "after": round(float(after[c]), 2)}
                for c in self.touched}

    def to_dict(self) -> dict[str, Any]:
        return {"moved": list(self.unit_ids), "to": self.to_code,
                "workload_h": self.workload_h(), "summary": self.after.summary()}


def move_grid_units(plan: GridPlan, unit_ids: Iterable[str], to_code: str) -> UnitMove:
    """Move ``unit_ids`` to the grid ``to_code``; refused (InvalidInputError, every reason) when a
    grid would split, leave its jurisdiction or empty."""
    ids = tuple(str(u).strip() for u in unit_ids if str(u).strip())
    if not ids:
        raise InvalidInputError("no units to move", [Problem(
            "move", "unit_ids", "one or more unit ids", "none", "list the units to move")])
    return UnitMove(plan, move_units(plan, list(ids), to_code), ids, to_code)
