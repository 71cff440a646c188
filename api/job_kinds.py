"""The job kinds the service runs. Each is one small function plus its parameters and its rule.

The light kinds live here; the heavy planning kinds (``routes``, ``redesign``, ``hotspots``) are
in :mod:`api.planning_jobs` and registered below with their authorisation rules.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyproj
from pydantic import BaseModel, Field
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.db.models import Grid, GridPlan, Jurisdiction
from api.geo import to_geojson
from api.job_inputs import load_network_of
from api.jobs import JobContext, JobRegistry
from api.joint_jobs import ZONE_WIDTH_HELP, JointPatrolsParams, authorize_joint, run_joint_patrols
from api.lookups import network_or_404
from api.network_parse import (
    NetworkParseParams,
    authorize_parse,
    network_parse_given_up,
    run_network_parse,
)
from api.planning_jobs import (
    HotspotsParams,
    RedesignParams,
    RoutesParams,
    run_hotspots,
    run_redesign,
    run_routes,
)
from api.policy import (
    check_edit_district,
    check_read_district,
    check_read_network,
    check_route_grid,
    check_zone,
    require_role,
    zone_width_for,
)
from api.roster_jobs import RosterJobParams, authorize_roster, run_roster
from api.routers.grids import grid_or_404
from api.routers.incidents import (
    check_district_incidents,
    check_read_incidents,
    incident_set_or_404,
)
from api.routers.plans import plan_or_404
from api.schemas.common import RowId
from api.tracks_jobs import (
    TrackCoverageParams,
    authorize_track_coverage,
    check_coverage_job,
    run_track_coverage,
)
from api.zones import boundary_zone, project
from gridplan.errors import InvalidInputError, Problem
from gridplan.progress import report


class ComparePlansParams(BaseModel):
    plan_a: RowId = Field(description="usually the current layout")
    plan_b: RowId = Field(description="usually a proposal")


class ZoneParams(BaseModel):
    code_a: str
    code_b: str
    zone_width_m: float | None = Field(default=None, gt=0, le=5000, description=ZONE_WIDTH_HELP)


class NetworkCheckParams(BaseModel):
    network_id: RowId


def _authorize_compare(session: Session, principal: Principal, p: ComparePlansParams) -> None:
    require_role(principal, Role.PLANNER)  # layouts of a whole district: planners' business
    for plan_id in (p.plan_a, p.plan_b):
        check_read_district(principal, plan_or_404(session, plan_id).district_code)


def _authorize_zone(session: Session, principal: Principal, p: ZoneParams) -> None:
    check_zone(principal, (p.code_a, p.code_b))
    zone_width_for(session, principal, (p.code_a, p.code_b), p.zone_width_m)


def _authorize_network(session: Session, principal: Principal, p: NetworkCheckParams) -> None:
    check_read_network(session, principal, network_or_404(session, p.network_id))


def _authorize_routes(session: Session, principal: Principal, p: RoutesParams) -> None:
    check_route_grid(principal, grid_or_404(session, p.grid_id))
    check_read_network(session, principal, network_or_404(session, p.network_id))
    if p.incident_set_id is not None:
        check_read_incidents(principal, incident_set_or_404(session, p.incident_set_id))
    if p.coverage_job_id is not None:
        check_coverage_job(session, principal, p.coverage_job_id, network_id=p.network_id)


def _authorize_redesign(session: Session, principal: Principal, p: RedesignParams) -> None:
    check_edit_district(principal, p.district_code)
    check_read_network(session, principal, network_or_404(session, p.network_id))
    if p.incident_set_id is not None:
        check_district_incidents(session, principal, p.incident_set_id, p.district_code,
                                 job="redesign")


def _authorize_hotspots(session: Session, principal: Principal, p: HotspotsParams) -> None:
    require_role(principal, Role.PLANNER, Role.SQUAD_LEADER)
    check_read_incidents(principal, incident_set_or_404(session, p.incident_set_id))
    if p.network_id is not None:
        check_read_network(session, principal, network_or_404(session, p.network_id))


def _metric(geometries: list[Any]) -> pyproj.Transformer:
    centre = unary_union([g.envelope for g in geometries]).centroid
    local = pyproj.CRS.from_proj4(f"+proj=laea +lat_0={centre.y} +lon_0={centre.x} +units=m")
    return pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)


def _plan_metrics(grids: list[Grid], district: Any, to_m: pyproj.Transformer) -> dict[str, Any]:
    shapes = {g.code: project(g.geometry, to_m) for g in grids}
    union = unary_union(list(shapes.values())) if shapes else None
    district_m = project(district, to_m)
    overlap = sum(s.area for s in shapes.values()) - (union.area if union else 0.0)
    officers = [int((g.staff or {}).get("enforcement", 0)) for g in grids]
    return {"grids": len(grids), "area_km2": round(union.area / 1e6, 4) if union else 0.0,
            "uncovered_km2": round(district_m.difference(union).area / 1e6, 4) if union
            else round(district_m.area / 1e6, 4),
            "overlap_km2": round(max(0.0, overlap) / 1e6, 4),
            "officers": sum(officers),
            "km2_per_officer": round(union.area / 1e6 / sum(officers), 4)
            if union and sum(officers) else None}


def build_registry() -> JobRegistry:
    """The registry of every job kind this build of the service knows."""
    registry = JobRegistry()

    @registry.job_kind("compare_plans", params=ComparePlansParams, authorize=_authorize_compare)
    def compare_plans(ctx: JobContext, p: ComparePlansParams) -> dict[str, Any]:
        """Compare two grid layouts: coverage, gaps, overlaps, staff and per-grid changes."""
        with ctx.db.session() as session:
            plans = [session.get_one(GridPlan, p.plan_a), session.get_one(GridPlan, p.plan_b)]
            if plans[0].district_code != plans[1].district_code:
                raise InvalidInputError("plans of different districts", [Problem(
                    "compare_plans", "plan_b", f"a plan of district {plans[0].district_code}",
                    plans[1].district_code, "compare layouts of one district")])
            district = session.scalars(select(Jurisdiction).where(
                Jurisdiction.code == plans[0].district_code)).one().geometry
            grids = [list(session.scalars(select(Grid).where(Grid.plan_id == plan.id)))
                     for plan in plans]
        to_m = _metric([district])
        out: dict[str, Any] = {"district_code": plans[0].district_code}
        for label, plan_grids in zip(("a", "b"), grids, strict=True):
            report(0.1 if label == "a" else 0.5, f"measuring plan {label}",
                   progress=ctx.progress, should_cancel=ctx.should_cancel)
            out[label] = _plan_metrics(plan_grids, district, to_m)
        a_by_code = {g.code: g for g in grids[0]}
        changes = []
        for i, g in enumerate(grids[1]):
            report(0.5 + 0.5 * i / max(1, len(grids[1])), "per-grid changes",
                   progress=ctx.progress, should_cancel=ctx.should_cancel)
            old = a_by_code.get(g.code)
            if old is None:
                changes.append({"code": g.code, "change": "added"})
                continue
            inter = old.geometry.intersection(g.geometry).area
            union = old.geometry.union(g.geometry).area
            iou = inter / union if union else 1.0
            if iou < 0.999 or old.staff != g.staff:
                changes.append({"code": g.code, "change": "modified", "iou": round(iou, 4)})
        b_codes = {g.code for g in grids[1]}
        changes += [{"code": c, "change": "removed"} for c in a_by_code if c not in b_codes]
        out["changes"] = changes
        return out

    @registry.job_kind("boundary_zone", params=ZoneParams, authorize=_authorize_zone)
    def zone(ctx: JobContext, p: ZoneParams) -> dict[str, Any]:
        """The boundary zone of two neighbours, clipped to what the submitter may see."""
        with ctx.db.session() as session:
            a, b = (session.scalars(select(Jurisdiction).where(Jurisdiction.code == c)).one()
                    for c in (p.code_a, p.code_b))
            ga, gb = a.geometry, b.geometry
            # again at run time: the alliance may have narrowed the zone since submission
            width = zone_width_for(session, ctx.owner, (p.code_a, p.code_b), p.zone_width_m)
        report(0.2, "computing zone", progress=ctx.progress, should_cancel=ctx.should_cancel)
        z = boundary_zone(p.code_a, ga, p.code_b, gb, zone_width_m=width)
        sides = check_zone(ctx.owner, (p.code_a, p.code_b))
        return {"border_length_m": round(z.border_length_m, 1), "visible_sides": sorted(sides),
                "zone_width_m": width,
                "geometry": to_geojson(z.visible(sides))}

    @registry.job_kind("network_check", params=NetworkCheckParams, authorize=_authorize_network)
    def network_check(ctx: JobContext, p: NetworkCheckParams) -> dict[str, Any]:
        """Load an uploaded street network and check it: connectivity, dead ends, km by grade."""
        from geodata.osm import network_summary

        report(0.05, "loading network", progress=ctx.progress, should_cancel=ctx.should_cancel)
        net = load_network_of(ctx, p.network_id)
        report(0.5, "connectivity", progress=ctx.progress, should_cancel=ctx.should_cancel)
        undirected = net.undirected()
        components = sorted((len(c) for c in nx.connected_components(undirected)), reverse=True)
        report(0.8, "dead ends", progress=ctx.progress, should_cancel=ctx.should_cancel)
        dead_ends = sum(1 for n in undirected.nodes if undirected.degree(n) == 1)
        strongly = nx.number_strongly_connected_components(net.graph)
        return {"summary": network_summary(net), "components": len(components),
                "largest_component_nodes": components[0] if components else 0,
                "strongly_connected_components": strongly, "dead_end_nodes": dead_ends}

    registry.job_kind("network_parse", params=NetworkParseParams, authorize=authorize_parse,
                      given_up=network_parse_given_up)(run_network_parse)
    registry.job_kind("routes", params=RoutesParams, authorize=_authorize_routes)(run_routes)
    registry.job_kind("redesign", params=RedesignParams, authorize=_authorize_redesign,
                      on_lost="fail")(run_redesign)  # may have saved a proposal already
    registry.job_kind("hotspots", params=HotspotsParams,
                      authorize=_authorize_hotspots)(run_hotspots)
    registry.job_kind("roster", params=RosterJobParams, authorize=authorize_roster)(run_roster)
    registry.job_kind("joint_patrols", params=JointPatrolsParams,
                      authorize=authorize_joint)(run_joint_patrols)
    registry.job_kind("track_coverage", params=TrackCoverageParams,
                      authorize=authorize_track_coverage)(run_track_coverage)
    return registry
