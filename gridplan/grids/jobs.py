"""The planner's three grid jobs, one public function each; every door (CLI, service, notebook)
calls these and only parses, loads and renders around them.

* :func:`redesign_grids` — redraw the grids of some jurisdictions from a street network (and,
  when known, today's layout and incidents): units, today's layout mapped onto them, the
  partition, codes, staffing, roster, blind spots, stations, AB pairs, the comparison;
* :func:`redesign_districts` — the same, each district on its own (its own grid count and
  officers), one :func:`redesign_grids` per district on its share of the inputs — the unit the
  engine fans out (:mod:`api.engine.redesign`);
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pyproj

from gridplan.coverage.params import TrackParams
from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.grids.core import PartitionParams
from gridplan.grids.edit import move_units
from gridplan.grids.observed import Coverage, observed_blind_spots
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


#: Streets kept around a district for its own redesign: its units, blocks and stations lie
#: inside it; the margin keeps the streets that close its edge blocks and the hull they span.
DISTRICT_MARGIN_M = 200.0


@dataclass(frozen=True)
class DistrictInputs:
    """What one district's redesign reads: its polygon, the streets within ``margin_m`` of it,
    its grids today and the incidents within the margin (all as given, not re-projected)."""

    code: str
    network: StreetNetwork
    jurisdiction: gpd.GeoDataFrame
    current: gpd.GeoDataFrame | None
    incidents: gpd.GeoDataFrame | None


def district_inputs(network: StreetNetwork, jurisdictions: gpd.GeoDataFrame, *,
                    current: gpd.GeoDataFrame | None = None,
                    incidents: gpd.GeoDataFrame | None = None,
                    margin_m: float = DISTRICT_MARGIN_M) -> list[DistrictInputs]:
    """Each of ``jurisdictions`` (``code`` + polygon, any CRS) with its share of the inputs:
    today's grids whose ``parent_code`` is the district (without that column: those whose
    inside point lies in it), the streets and incidents within ``margin_m``. The network is
    indexed once; no district's piece copies the city."""
    from gridplan.slicing import NetworkSlicer

    _check_districts(jurisdictions)
    slicer = NetworkSlicer.plain(network)
    metric = jurisdictions.to_crs(network.crs)
    points = incidents.to_crs(network.crs).geometry if incidents is not None else None
    today = current.to_crs(network.crs) if current is not None else None
    out = []
    for row, (code, polygon) in enumerate(zip(metric["code"].astype(str), metric.geometry,
                                              strict=True)):
        reach = polygon.buffer(margin_m)
        mine = None
        if current is not None and today is not None:
            inside = (current["parent_code"].astype(str) == code) if "parent_code" in current \
                else today.representative_point().within(polygon)
            mine = current[inside.to_numpy()]
        near = incidents[points.intersects(reach).to_numpy()] if incidents is not None else None
        out.append(DistrictInputs(code, slicer.within(reach), jurisdictions.iloc[[row]], mine,
                                  near))
    return out


def _check_districts(jurisdictions: gpd.GeoDataFrame) -> None:
    issues = ProblemCollector("jurisdictions")
    if "code" not in jurisdictions.columns:
        issues.add("columns", expected="a 'code' column", found=str(list(jurisdictions.columns)),
                   fix="name each district, town or community by its code")
    elif jurisdictions["code"].astype(str).duplicated().any():
        dup = sorted(set(jurisdictions["code"].astype(str)[
            jurisdictions["code"].astype(str).duplicated()]))
        issues.add("code", expected="one row per district", found=f"{dup} more than once",
                   fix="merge the rows of a district (dissolve) or fix the codes")
    if jurisdictions.crs is None:
        issues.add("crs", expected="a CRS", found="none",
                   fix="set it, e.g. frame.set_crs('EPSG:4326') for longitude/latitude")
    issues.raise_if_any("cannot redesign district by district")


def check_district_redesign(sizing: GridSizingParams | None,
                            districts: list[DistrictInputs]) -> None:
    """Each district is sized on its own: by ``sizing`` (a fixed count only for one district)
    or by its grids today — every district that cannot be is reported at once."""
    sizing = sizing or GridSizingParams()
    issues = ProblemCollector("redesign by district")
    if len(districts) > 1 and sizing.n_grids is not None:
        issues.add("n_grids", expected="no fixed count when several districts are redesigned "
                   "one by one (each keeps today's count, or is sized by target_workload_h)",
                   found=str(sizing.n_grids), fix="give target_workload_h, or redesign one "
                   "district")
    if sizing.n_grids is None and sizing.target_workload_h is None:
        for d in districts:
            if d.current is None or len(d.current) == 0:
                issues.add(f"district {d.code}", expected="grids today to take the count from",
                           found="none", fix="give target_workload_h, or today's grids of "
                           "this district")
    issues.raise_if_any("how many grids in each district?")


def redesign_districts(
    network: StreetNetwork,
    jurisdictions: gpd.GeoDataFrame,
    *,
    current: gpd.GeoDataFrame | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    sizing: GridSizingParams | None = None,
    staffing: StaffingParams | None = None,
    roster: ShiftPlanParams | None = None,
    partition: PartitionParams | None = None,
    workload: WorkloadParams | None = None,
    patrol: PatrolParams | None = None,
    tz: str = "Asia/Shanghai",
) -> dict[str, Redesign]:
    """Each district redesigned on its own, by code: :func:`redesign_grids` on the district's
    inputs (:func:`district_inputs`), with its own grid count (today's, or by
    ``sizing.target_workload_h``) and its own officers (today's in that district, or every
    grid's need) — a district's officers never move to another district. Same seed, same
    redesigns; the engine runs the districts in parallel with the same result."""
    districts = district_inputs(network, jurisdictions, current=current, incidents=incidents)
    check_district_redesign(sizing, districts)
    return {d.code: redesign_grids(d.network, d.jurisdiction, current=d.current,
                                   incidents=d.incidents, sizing=sizing, staffing=staffing,
                                   roster=roster, partition=partition, workload=workload,
                                   patrol=patrol, tz=tz)
            for d in districts}


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
    coverage: Coverage | Sequence[Coverage] | None = None,
    tracks: TrackParams | None = None,
) -> LayoutRoster:
    """Officers and a week roster for the grid polygons ``grids`` (e.g. a stored plan).

    Officers: each grid's ``enforcement`` on file, or ``headcount`` allocated by workload.
    ``coverage`` (a :class:`~gridplan.coverage.CoverageReport` or its ``coverage.json`` form,
    or several, one per grid): the streets and key points its tracks never reached (盲区),
    next to the roster's planned blind spots and on its calendar, in ``staffed.observed``
    (:mod:`gridplan.grids.observed`; ``tracks`` says what nights are).
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
    coverage: Coverage | Sequence[Coverage] | None = None,
    tracks: TrackParams | None = None,
) -> StaffedPlan:
    """Officers per grid from workload (under ``headcount``; default every grid's need) and a
    week roster for a coded plan (e.g. one read back from a redesign's units file);
    ``coverage`` / ``tracks``: as for :func:`roster_layout`."""
    staffed = staff_plan(plan, dict(plan.codes), headcount=headcount, staffing_params=staffing,
                         roster_params=(roster or ShiftPlanParams()).roster_params())
    return with_observed(staffed, coverage, tracks)


def with_observed(staffed: StaffedPlan,
                  coverage: Coverage | Sequence[Coverage] | None,
                  tracks: TrackParams | None) -> StaffedPlan:
    """``staffed`` with the coverage's 盲区 set against its roster (unchanged without one)."""
    if coverage is None:
        return staffed
    roster = staffed.roster
    observed = observed_blind_spots(coverage, roster.coverage_by_hour(), params=tracks,
                                    shifts=roster.params.shifts)
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
