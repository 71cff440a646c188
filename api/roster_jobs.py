"""The ``roster`` job: staffing and a week roster for the grids of a stored plan.

One library call, :func:`gridplan.grids.jobs.roster_layout`: the plan's grids are mapped onto the
district's street blocks (workload from patrol, inspection and, when an incident set is given,
incidents), each grid is sized (its officers on file, or an allocation of ``headcount`` by
workload) and rostered for a week (shift rules, rest, days off), with the blind-spot hours and
the AB pairs; with ``coverage_job_id`` (or ``recent_coverage``: the newest coverage of each of
the plan's grids), the streets and key points the tracks never reached, set against the roster
and on its calendar (``observed_blind_spots``). Grids outside the caller's scope are not listed.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.db.models import Grid, GridPlan, IncidentSet, Jurisdiction
from api.jobs import JobContext
from api.lookups import network_or_404
from api.policy import can_read_grid, check_read_district, check_read_network, require_role
from api.routers.incidents import check_district_incidents
from api.routers.plans import plan_or_404
from api.schemas.common import RowId
from api.schemas.params import job_params_model, split_params
from api.tracks_jobs import check_coverage_job, coverage_of, recent_coverages_of
from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.roster import ShiftPlanParams
from gridplan.grids.staffing import StaffingParams

WGS84 = "EPSG:4326"
ROLES = ("enforcement", "sanitation", "municipal", "greening")


class _RosterJob(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan_id: RowId
    network_id: RowId
    incident_set_id: RowId | None = Field(default=None, description="adds incident workload "
                                          "and the blind-spot hours")
    headcount: int | None = Field(default=None, ge=1, le=5000, description="allocate this many "
                                  "officers by workload; default: each grid's officers on file")
    coverage_job_id: str | None = Field(
        default=None, max_length=36, pattern=r"^[0-9a-f-]{36}$",
        description="a succeeded track_coverage job of yours: the streets and key points its "
                    "tracks never reached (盲区), set against the roster")
    recent_coverage: bool = Field(
        default=False, description="with no coverage_job_id: for each grid of the plan, your "
        "newest succeeded track_coverage job of it on this network, if there is one")


#: The parameter sets of a roster job, declared once in gridplan (flat in the job's params).
ROSTER_SETS = (StaffingParams, ShiftPlanParams)
RosterJobParams = job_params_model("RosterJobParams", _RosterJob, *ROSTER_SETS)


def authorize_roster(session: Session, principal: Principal, p: Any) -> None:
    require_role(principal, Role.PLANNER, Role.SQUAD_LEADER)
    plan = plan_or_404(session, p.plan_id)
    check_read_district(principal, plan.district_code)
    check_read_network(session, principal, network_or_404(session, p.network_id))
    if p.incident_set_id is not None:
        check_district_incidents(session, principal, p.incident_set_id, plan.district_code,
                                 job="roster")
    if p.coverage_job_id is not None:
        check_coverage_job(session, principal, p.coverage_job_id)


def _inputs(ctx: JobContext, p: Any) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame,
                                                         str | None, dict[int, str]]:
    with ctx.db.session() as session:
        plan = session.get_one(GridPlan, p.plan_id)
        district = session.scalars(select(Jurisdiction).where(
            Jurisdiction.code == plan.district_code)).one()
        places = gpd.GeoDataFrame({"code": [district.code]}, geometry=[district.geometry],
                                  crs=WGS84)
        grids = list(session.scalars(select(Grid).where(Grid.plan_id == p.plan_id)))
        rows = [{"code": g.code, "name": g.name or g.code, "parent_code": g.district_code,
                 **{r: int((g.staff or {}).get(r, 0)) for r in ROLES},
                 "geometry": g.geometry} for g in grids]
        readable = {g.id: g.code for g in grids if can_read_grid(ctx.owner, g)}
        path = (session.get_one(IncidentSet, p.incident_set_id).file_path
                if p.incident_set_id is not None else None)
    if not rows:
        raise InvalidInputError("the plan has no grids", [Problem(
            "roster", f"plan {p.plan_id}", "a plan with grids", "none", "add grids first")])
    return places, gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84), path, readable


def run_roster(ctx: JobContext, p: Any) -> dict[str, Any]:
    """Officers per grid and the week roster (see the module docstring)."""
    from api.incident_store import read_normalised
    from api.job_inputs import load_network_of, step
    from gridplan.grids.jobs import roster_layout

    places, grids, path, readable = _inputs(ctx, p)
    used, coverage = _coverage(ctx, p, readable)
    step(ctx, 0.05, "loading street network")
    net = load_network_of(ctx, p.network_id)
    incidents = read_normalised(path) if path else None
    step(ctx, 0.2, "street blocks, workload, staffing and roster")
    sets = split_params(p, *ROSTER_SETS)
    done = roster_layout(net, places, grids, incidents=incidents, headcount=p.headcount,
                         staffing=sets[StaffingParams], roster=sets[ShiftPlanParams],
                         coverage=coverage)
    step(ctx, 0.95, "writing roster")
    return roster_report(done.staffed, set(readable.values())) | {
        "plan_id": p.plan_id, "officers_from": "headcount" if p.headcount else "staff on file",
        "coverage_jobs": used, "layout_warnings": [str(w) for w in done.warnings]}


def _coverage(ctx: JobContext, p: Any, readable: dict[int, str]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The coverage results the roster is set against — the one asked for, or the newest of
    each grid of the plan the caller may read — and which jobs they are (grid, time span)."""
    if p.coverage_job_id is not None:
        jobs = {0: (p.coverage_job_id, coverage_of(ctx, p.coverage_job_id))}
    elif p.recent_coverage:
        jobs = recent_coverages_of(ctx, set(readable), p.network_id)
    else:
        return [], None
    used = [{"job_id": job_id, "grid": result.get("grid"), "start": result.get("start"),
             "end": result.get("end")} for job_id, result in jobs.values()]
    return used, [result for _, result in jobs.values()] or None


def roster_report(staffed: Any, readable: set[str]) -> dict[str, Any]:
    """JSON-ready staffing and roster of the grids in ``readable`` (buckets of units outside
    every grid are listed under their ``无网格-`` key only for whole-district readers)."""
    roster = staffed.roster
    whole = all(k in readable or k.startswith("无网格") for k in staffed.officers)
    grids = []
    for need in staffed.staffing.grids:
        key = str(need.grid)
        if key not in readable and not (whole and key.startswith("无网格")):
            continue
        table = roster.table(need.grid) if need.grid in roster.officers_by_grid else None
        grids.append({
            "grid": key, "workload_h_week": round(need.workload_h_week, 1),
            "needed": need.needed, "officers": int(staffed.officers.get(key, 0)),
            "roster": {str(o): list(row) for o, row in table.iterrows()}
            if table is not None else {},
            "shortfalls": [{"day": s.day, "shift": s.shift, "on_duty": s.on_duty,
                            "target": s.target} for s in roster.shortfalls()
                           if s.grid == need.grid]})
    observed = None
    if staffed.observed is not None:  # of the grids the caller may read, as the roster
        rows = staffed.observed.to_dict()
        observed = rows | {"rows": [r for r in rows["rows"] if r["grid"] in readable]}
    return {"grids": grids, "observed_blind_spots": observed,
            "staff_needed": staffed.staff_needed if whole else None,
            "headcount": staffed.headcount if whole else None,
            "shifts": [s.name for s in roster.params.shifts],
            "roster_valid": roster.is_valid(),
            "valid": roster.is_valid() and not staffed.plan.problems()}
