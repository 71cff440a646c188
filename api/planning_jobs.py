"""The heavy job kinds: patrol routes of a grid, a grid redesign, incident hotspots.

Each reads its inputs from the database (short transactions), runs the workflow of ``gridplan`` in
the network's metric CRS, and returns a JSON-ready result with geometries in WGS-84. Checkpoints
report progress and honour cancellation (the routes workflow takes ``progress=`` and
``should_cancel=`` itself).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

import geopandas as gpd
from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from api.db.models import Grid, GridPlan, IncidentSet, Jurisdiction
from api.job_inputs import (
    WGS84,
    KeyPointIn,
    checked,
    domain_grid,
    key_points_of,
    load_network_of,
    scaled_progress,
    step,
)
from api.jobs import JobContext
from api.schemas.common import RowId
from api.schemas.params import job_params_model, param_field, params_model, split_params
from gridplan.coverage.params import TrackParams
from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.core import PartitionParams
from gridplan.grids.params import GridSizingParams
from gridplan.hotspots import CellParams, HotspotParams, TrendParams
from gridplan.routing.params import PatrolParams
from gridplan.routing.shifts import ShiftPattern, parse_span
from gridplan.timezones import DEFAULT_TZ, time_zone


class RoutesParams(params_model(PatrolParams)):  # type: ignore[misc]
    """A routes job: which grid, network and shift, plus the patrol policy (every
    :class:`~gridplan.routing.PatrolParams` field, same bounds and help)."""

    grid_id: RowId
    network_id: RowId
    officers: int | None = Field(default=None, ge=1, le=20,
                                 description="default: the grid's enforcement staff")
    officer_names: list[str] | None = Field(
        default=None, min_length=1, max_length=20, description="the officers on duty by name "
        "(e.g. from the roster); overrides ``officers``")
    key_points: list[KeyPointIn] = Field(default_factory=list, max_length=50,
                                         description="key points with their time windows")
    shift: str = Field(default="08:00-12:00", max_length=40,
                       description="HH:MM-HH:MM in tz; an end before the start runs past "
                                   "midnight")
    pattern: str = Field(default="single", max_length=200,
                         description="the day's shifts: single, day+night, am+pm+night or "
                                     "name=HH:MM-HH:MM,... (each shift gets its share of a "
                                     "street's daily passes)")
    day: date | None = Field(default=None, description="decides which low-frequency streets "
                                                       "are due; default today")
    tz: str = Field(default=DEFAULT_TZ, max_length=64, description="time zone of the shift")
    incident_set_id: RowId | None = Field(default=None, description="recent incidents near a "
                                                                   "street raise its priority")
    coverage_job_id: str | None = Field(
        default=None, max_length=36, pattern=r"^[0-9a-f-]{36}$",
        description="a succeeded track_coverage job of yours on the same network: streets its "
                    "tracks missed lately are kept first among their grade")
    recent_coverage: bool = Field(
        default=False, description="with no coverage_job_id: your newest succeeded "
        "track_coverage job of this grid on this network, if there is one")
    priority_lookback_days: int = param_field(TrackParams, "priority_lookback_days")
    lang: Literal["zh", "en"] = "zh"

    @field_validator("shift")
    @classmethod
    def _shift_is_a_span(cls, text: str) -> str:
        return checked(parse_span, text, "shift")

    @field_validator("pattern")
    @classmethod
    def _pattern_is_a_day(cls, text: str) -> str:
        return checked(ShiftPattern.parse, text, "pattern")

    @field_validator("tz")
    @classmethod
    def _tz_is_known(cls, text: str) -> str:
        return checked(time_zone, text, "tz")

    @field_validator("officer_names")
    @classmethod
    def _names(cls, names: list[str] | None) -> list[str] | None:
        if names is not None and (len(set(names)) != len(names) or not all(
                0 < len(n.strip()) <= 64 for n in names)):
            raise ValueError("distinct, non-empty officer names of at most 64 characters")
        return [n.strip() for n in names] if names is not None else None

    def patrol(self) -> PatrolParams:
        """The patrol policy part of the request, checked by the library."""
        names = {info.name for info in PatrolParams.describe()}
        return PatrolParams.from_mapping(self.model_dump(include=names))


class _RedesignJob(BaseModel):
    model_config = ConfigDict(extra="forbid")
    district_code: str = Field(min_length=1, max_length=32)
    network_id: RowId
    incident_set_id: RowId | None = Field(default=None, description="adds incident workload")
    save_as_proposal: str | None = Field(default=None, min_length=1, max_length=200,
                                         description="store the result as a proposal plan")


#: The parameter sets of a redesign job, declared once in gridplan (flat in the job's params).
REDESIGN_SETS = (GridSizingParams, PartitionParams)
RedesignParams = job_params_model("RedesignParams", _RedesignJob, *REDESIGN_SETS)


class _HotspotsJob(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incident_set_id: RowId
    network_id: RowId | None = Field(default=None, description="walk network: cells only along "
                                     "its streets, as `gridplan hotspots --network`")
    top: int = Field(default=10, ge=1, le=100, description="how many hotspots to list")


#: The parameter sets of a hotspots job, declared once in gridplan (flat in the job's params).
HOTSPOT_SETS = (HotspotParams, CellParams, TrendParams)
HotspotsParams = job_params_model("HotspotsParams", _HotspotsJob, *HOTSPOT_SETS)


# ------------------------------------------------------------------------------------- routes
def run_routes(ctx: JobContext, p: RoutesParams) -> dict[str, Any]:
    """Street-by-street patrol routes of one grid for its officers in one shift, by the
    library's workflow :func:`gridplan.routing.plan_routes` (the same plans as ``gridplan
    routes``); cancelling the job stops the search within its next checkpoint.

    The result holds the plan's figures (``PatrolPlan.to_dict``), its validity on the network,
    one WGS-84 line per officer (``routes``) and the plan's layers as WGS-84 GeoJSON
    (``layers``), from which the job's maps and exports are drawn."""
    from api.route_layers import plan_layers, route_lines
    from api.tracks_jobs import coverage_of, recent_coverage_of
    from gridplan.coverage import street_priority_from
    from gridplan.routing import plan_routes

    with ctx.db.session() as session:
        stored = session.get_one(Grid, p.grid_id)
        officers: int | list[str] = p.officer_names or p.officers or max(
            1, int((stored.staff or {}).get("enforcement", 1)))
        incidents_path = (session.get_one(IncidentSet, p.incident_set_id).file_path
                          if p.incident_set_id is not None else None)
        session.expunge(stored)
    used, coverage = p.coverage_job_id, coverage_of(ctx, p.coverage_job_id)
    if used is None and p.recent_coverage:
        used, coverage = recent_coverage_of(ctx, p.grid_id, p.network_id) or (None, None)
    step(ctx, 0.05, "loading street network")
    net = load_network_of(ctx, p.network_id)
    incidents = _incidents_in(incidents_path, net.crs)
    grid = domain_grid(stored, net.crs)
    day = p.day or date.today()
    priority = None
    if coverage is not None:
        priority = street_priority_from(
            coverage, day=day, shift=p.shift, tz=p.tz,
            params=TrackParams(priority_lookback_days=p.priority_lookback_days))
    step(ctx, 0.3, f"planning routes of grid {grid.code}")
    result = plan_routes(
        net, [grid], shift=p.shift, day=day, tz=p.tz, pattern=p.pattern,
        officers=officers, key_points=key_points_of(p.key_points, net.crs),
        incidents=incidents, params=p.patrol(), street_priority=priority,
        progress=lambda fraction, message: step(ctx, 0.3 + 0.6 * fraction, message),
        should_cancel=ctx.should_cancel)
    (plan,) = result.plans
    step(ctx, 0.95, "writing routes")
    layers = plan_layers(plan, network=net, grid=grid, lang=p.lang)
    return {"grid_id": p.grid_id, "network_id": p.network_id, **plan.to_dict(lang=p.lang),
            "valid": plan.is_valid(net.graph), "coverage_job_id": used,
            "routes": route_lines(layers), "layers": layers}


def _incidents_in(path: str | None, crs: object) -> gpd.GeoDataFrame | None:
    from api.incident_store import read_normalised

    return read_normalised(path).to_crs(crs) if path else None


# ----------------------------------------------------------------------------------- redesign
def _district_area(session: Any, code: str) -> BaseGeometry:
    found = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if found is None:
        raise InvalidInputError("unknown district", [Problem(
            "redesign", "district_code", "an existing district", code, "see GET /jurisdictions")])
    return found.geometry


def run_redesign(ctx: JobContext, p: Any) -> dict[str, Any]:
    """Redraw a district's grids with :func:`gridplan.grids.jobs.redesign_grids` (the same
    redesign as ``gridplan grids redesign``): street blocks weighted by patrol, inspection and
    incident workload, partitioned into contiguous, compact, balanced grids (seeded), staffed."""
    from api.incident_store import read_normalised
    from gridplan.grids.jobs import redesign_grids
    from gridplan.grids.tables import proposed_frame

    with ctx.db.session() as session:
        district = _district_area(session, p.district_code)
        incidents_path = (session.get_one(IncidentSet, p.incident_set_id).file_path
                          if p.incident_set_id is not None else None)
    step(ctx, 0.02, "loading street network")
    net = load_network_of(ctx, p.network_id)
    incidents = read_normalised(incidents_path) if incidents_path else None
    step(ctx, 0.2, "units, partition, staffing")
    jurisdictions = gpd.GeoDataFrame({"code": [p.district_code]}, geometry=[district], crs=WGS84)
    sets = split_params(p, *REDESIGN_SETS)
    result = redesign_grids(net, jurisdictions, incidents=incidents,
                            sizing=sets[GridSizingParams], partition=sets[PartitionParams])
    step(ctx, 0.9, "writing grids")
    grids = json.loads(proposed_frame(result).to_crs(WGS84).to_json(drop_id=True, na="null"))
    out: dict[str, Any] = {"district_code": p.district_code,
                           "summary": result.proposed.plan.summary(),
                           "report": result.summary(), "grids": grids}
    if p.save_as_proposal:
        out["plan_id"] = save_proposal(ctx, p, grids["features"])
    return out


def save_proposal(ctx: JobContext, p: Any, features: list[dict[str, Any]]) -> int:
    """Store the redesign as a proposal plan (one transaction, audited as the job's owner)."""
    from shapely.geometry import Point, shape

    from api.audit import grid_snapshot, record
    from api.db.models import utcnow

    with ctx.db.session() as session:
        plan = GridPlan(name=str(p.save_as_proposal), district_code=p.district_code,
                        status="proposal", created_by=ctx.owner.username,
                        notes=f"redesign job {ctx.job_id} (seed {p.seed})")
        session.add(plan)
        session.flush()
        record(session, ctx.owner, "create", "plan", plan.id, None,
               {"name": plan.name, "district_code": plan.district_code, "status": "proposal"})
        for f in features:
            props = f["properties"]
            station = (Point(props["station_lon"], props["station_lat"])
                       if props.get("station_lon") is not None else None)
            grid = Grid(plan_id=plan.id, code=props["code"], name="",
                        jurisdiction_code=p.district_code, district_code=p.district_code,
                        geometry=shape(f["geometry"]), station=station,
                        staff={"enforcement": int(props.get("enforcement", 0))},
                        updated_by=ctx.owner.username, updated_at=utcnow())
            session.add(grid)
            session.flush()
            record(session, ctx.owner, "create", "grid", grid.id, None, grid_snapshot(grid))
        return plan.id


# ----------------------------------------------------------------------------------- hotspots
def run_hotspots(ctx: JobContext, p: Any) -> dict[str, Any]:
    """Hotspots of an incident set in its district by :func:`gridplan.hotspot_study.
    study_hotspots` — the same report as ``gridplan hotspots`` on the same inputs. Geometries in
    WGS-84."""
    from api.incident_store import read_normalised
    from gridplan.hotspot_study import HotspotStudyParams, study_hotspots

    with ctx.db.session() as session:
        found = session.get_one(IncidentSet, p.incident_set_id)
        path, district = found.file_path, found.district_code
        area = _district_area(session, district)
    step(ctx, 0.05, "reading incidents")
    incidents = read_normalised(path)
    net = load_network_of(ctx, p.network_id) if p.network_id is not None else None
    jurisdictions = gpd.GeoDataFrame({"code": [district]}, geometry=[area], crs=WGS84)
    study = study_hotspots(jurisdictions, incidents, network=net, top=p.top,
                           params=HotspotStudyParams.from_sets(split_params(p, *HOTSPOT_SETS)),
                           progress=scaled_progress(ctx, 0.1, 0.95),
                           should_cancel=ctx.should_cancel)
    study.result.raise_if_insufficient()
    return {"incident_set_id": p.incident_set_id, "district_code": district,
            "valid": study.result.is_valid(), **study.to_dict()}
