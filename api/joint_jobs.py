"""The ``joint_patrols`` job: joint patrol proposals for the boundary zone of two neighbours.

It runs the one hotspot workflow, :func:`gridplan.hotspot_study.study_hotspots` with
``boundary=True`` (what ``gridplan hotspots --boundary`` runs: Gi* hotspots of both districts'
incidents, the boundary hotspots flagged and ranked, joint patrols with meeting points, routes
and blind spots), and keeps only the boundary part. What the submitter sees is clipped to the
sides of the zone their scope covers (:func:`api.policy.check_zone`): a joint viewer sees the
shared zone and nothing of the rest of either district; a planner sees their own side.

The zone is as wide as the pair's alliance agreed (:func:`api.policy.zone_width_for`). A planner
MAY feed the neighbour's incident set in — boundary hotspots are a shared matter, and what comes
back is clipped to their own side — but only at the alliance's width or narrower: the neighbour's
reports then inform exactly the strip the alliance shares, never a deep view of the planner's
own district scored with data the planner may not read. With their own sets only, a planner may
ask for a wider zone (it is all inside their scope).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import shapely
from pydantic import BaseModel, ConfigDict, Field, model_validator
from shapely.geometry import LineString, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.db.models import Grid, GridPlan, IncidentSet, Jurisdiction
from api.jobs import JobContext
from api.lookups import network_or_404
from api.policy import (
    Forbidden,
    alliance_zone_width,
    can_read_district,
    check_read_network,
    check_zone,
    zone_width_for,
)
from api.routers.incidents import incident_set_or_404
from api.schemas.common import RowId
from api.schemas.params import job_params_model, split_params
from api.zones import boundary_zone
from gridplan.errors import InvalidInputError, Problem
from gridplan.hotspot_study import HotspotStudyParams

WGS84 = "EPSG:4326"
ZONE_WIDTH_HELP = ("metres each side; default the pair's alliance setting (GET /zones/{a}/{b}/"
                   "width); joint viewers, and planners using the neighbour's incidents, may not "
                   "ask wider")


class _JointPatrolsJob(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code_a: str = Field(min_length=1, max_length=32)
    code_b: str = Field(min_length=1, max_length=32)
    incident_set_ids: list[RowId] = Field(min_length=1, max_length=2,
                                          description="incident sets of the two districts")
    network_id: RowId | None = Field(default=None, description="walk network: meeting points "
                                     "at crossings, joint routes, blind spots, risk terrain")
    top: int = Field(default=10, ge=1, le=100, description="joint patrols for this many of the "
                     "top-ranked boundary hotspots")
    zone_width_m: float | None = Field(default=None, gt=0, le=5000, description=ZONE_WIDTH_HELP)

    @model_validator(mode="after")
    def _two_codes(self) -> Any:
        if self.code_a == self.code_b:
            raise ValueError("code_a and code_b must be two different jurisdictions")
        return self


#: Every parameter set of the study, declared once in gridplan, flat in the job's params.
JointPatrolsParams = job_params_model("JointPatrolsParams", _JointPatrolsJob,
                                      *HotspotStudyParams.SETS, exclude=("zone_width_m",))


def authorize_joint(session: Session, principal: Principal, p: Any) -> None:
    """Anyone who may see some side of the pair's zone; inputs must belong to the pair."""
    pair = {p.code_a, p.code_b}
    check_zone(principal, pair)
    problems = []
    neighbours_data = False
    for set_id in p.incident_set_ids:
        found = incident_set_or_404(session, set_id)
        if found.district_code not in pair:
            problems.append(Problem("joint_patrols", f"incident_set_ids {set_id}",
                                    f"incidents of {p.code_a} or {p.code_b}",
                                    "a set of another district",
                                    "pick the two districts' own sets"))
        neighbours_data |= not can_read_district(principal, found.district_code)
    width = zone_width_for(session, principal, pair, p.zone_width_m)
    if neighbours_data and width > alliance_zone_width(session, pair):
        raise Forbidden("with the neighbour's incidents the zone is at most as wide as the "
                        "alliance agreed; ask for a narrower zone or use only your own sets")
    if p.network_id is not None:
        net = network_or_404(session, p.network_id)
        if principal.role is Role.JOINT_VIEWER:  # uses it server-side; sees only the clip
            if net.jurisdiction_code not in pair | {None}:
                problems.append(Problem("joint_patrols", "network_id",
                                        f"a network of {p.code_a} or {p.code_b}",
                                        "a network of another place", "pick the pair's network"))
        else:
            check_read_network(session, principal, net)
    if problems:
        raise InvalidInputError("joint patrol inputs outside the pair", problems)


def _inputs(ctx: JobContext, p: Any) -> dict[str, Any]:
    """The pair, both districts' incidents, their current grids and the network (WGS-84)."""
    from api.incident_store import read_normalised
    from api.job_inputs import load_network_of

    codes = (p.code_a, p.code_b)
    with ctx.db.session() as session:
        places = [session.scalars(select(Jurisdiction).where(Jurisdiction.code == c)).one()
                  for c in codes]
        rows = [{"code": j.code, "name": j.name, "geometry": j.geometry} for j in places]
        paths = [session.get_one(IncidentSet, i).file_path for i in p.incident_set_ids]
        grids = [{"code": g.code, "parent_code": g.district_code, "geometry": g.geometry}
                 for g in session.scalars(select(Grid).join(GridPlan).where(
                     GridPlan.status == "current", Grid.district_code.in_(codes)))]
    incidents = gpd.GeoDataFrame(
        gpd.pd.concat([read_normalised(path) for path in paths], ignore_index=True), crs=WGS84)
    return {"jurisdictions": gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84),
            "incidents": incidents,
            "grids": gpd.GeoDataFrame(grids, geometry="geometry", crs=WGS84) if grids else None,
            "network": load_network_of(ctx, p.network_id) if p.network_id is not None else None}


def run_joint_patrols(ctx: JobContext, p: Any) -> dict[str, Any]:
    """Joint patrol proposals of the pair (see the module docstring), clipped to the
    submitter's sides of the zone; geometries in WGS-84."""
    from api.job_inputs import scaled_progress, step
    from gridplan.hotspot_study import study_hotspots

    step(ctx, 0.05, "reading the pair, incidents and grids")
    with ctx.db.session() as session:  # again at run time: the alliance's width may have changed
        authorize_joint(session, ctx.owner, p)
        width = zone_width_for(session, ctx.owner, (p.code_a, p.code_b), p.zone_width_m)
    inputs = _inputs(ctx, p)
    params = HotspotStudyParams.from_sets(split_params(p, *HotspotStudyParams.SETS))
    params = dataclasses.replace(params, zones=params.zones.replace(zone_width_m=width))
    study = study_hotspots(inputs["jurisdictions"], inputs["incidents"],
                           network=inputs["network"], grids=inputs["grids"], boundary=True,
                           params=params, top=p.top, progress=scaled_progress(ctx, 0.3, 0.95),
                           should_cancel=ctx.should_cancel)
    data = study.to_dict()
    step(ctx, 0.95, "clipping to your scope")
    sides = check_zone(ctx.owner, (p.code_a, p.code_b))
    places = inputs["jurisdictions"].set_index("code").geometry
    zone = boundary_zone(p.code_a, places[p.code_a], p.code_b, places[p.code_b],
                         zone_width_m=width)
    visible = zone.visible(sides)
    part = clip_boundary_part(data["boundary"], visible, sides)
    return {"jurisdictions": [p.code_a, p.code_b], "visible_sides": sorted(sides),
            "zone_width_m": width,
            "zone": dict(mapping(visible)), "status": data["status"],
            "time_zone": data["time_zone"], "valid": bool(part.get("plan_valid", True)), **part}


def clip_boundary_part(part: dict[str, Any], visible: BaseGeometry,
                       sides: frozenset[str]) -> dict[str, Any]:
    """The boundary report with metric coordinates and cell ids dropped, routes clipped to the
    visible zone, and blind spots and meeting points of hidden sides removed."""
    out = {k: v for k, v in part.items() if k not in ("flagged", "blind_spots")}
    near = visible.buffer(1e-5)  # ~1 m: meeting points on the shared line count as inside
    flagged = []
    for row in part.get("flagged", []):
        joint = dict(row["joint_patrol"])
        meeting = {k: v for k, v in joint["meeting_point"].items() if k not in ("x", "y")}
        if not near.contains(shapely.Point(meeting["lon"], meeting["lat"])):
            continue
        joint["meeting_point"] = meeting
        if joint.get("route"):
            joint["route"] = _clipped_route(joint["route"], visible)
        flagged.append({k: v for k, v in row.items() if k != "units"} | {"joint_patrol": joint})
    out["flagged"] = flagged
    kept = {f["joint_patrol"]["rank"] for f in flagged}
    out["meeting_list"] = [m for m in part.get("meeting_list", []) if m["rank"] in kept]
    spots = part.get("blind_spots")
    if spots:
        out["blind_spots"] = spots | {"streets": [s for s in spots["streets"]
                                                  if s["side"] in sides or not s["side"]]}
    else:
        out["blind_spots"] = spots
    return out


def _clipped_route(route: dict[str, Any], visible: BaseGeometry) -> dict[str, Any]:
    coords = route.pop("geometry_wgs84", None)
    if coords and len(coords) > 1:
        route["geometry"] = dict(mapping(LineString(coords).intersection(visible)))
    return route
