"""The ``track_coverage`` job: an uploaded track file of a grid's officers → coverage report.

Scope: the submitter must be allowed to plan routes for the grid (its squad leader, or a planner
of its district). A squad leader sees only their squad's officers: officers with most of their
points outside the grids the submitter may read (another squad's grid, or nowhere) are left out
of the report before anything is computed (and counted in a note), so another squad's movements
never show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import HTTPException, status
from pydantic import BaseModel, Field
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import Grid, Job
from api.job_inputs import (
    WGS84,
    KeyPointIn,
    domain_grid,
    key_points_of,
    load_network_of,
    step,
)
from api.jobs import SUCCEEDED, JobContext
from api.lookups import network_or_404
from api.policy import can_read_grid, check_owner, check_read_network, check_route_grid
from api.routers.grids import grid_or_404
from api.schemas.common import RowId
from gridplan.errors import InvalidInputError, Problem


class TrackCoverageParams(BaseModel):
    grid_id: RowId
    network_id: RowId
    upload: str = Field(pattern=r"^[0-9a-f]{64}\.(gpx|csv|geojson|json)$",
                        description="stored track file in uploads/tracks (set by POST "
                                    "/tracks/coverage)")
    filename: str = Field(default="tracks", max_length=200)
    coords: Literal["wgs84", "gcj02", "bd09", "cgcs2000"] = "wgs84"
    tz: str = Field(default="Asia/Shanghai", max_length=64)
    key_points: list[KeyPointIn] = Field(
        default_factory=list, max_length=50,
        description="the grid's key points: reached within their window and dwell?")


def authorize_track_coverage(session: Session, principal: Principal,
                             p: TrackCoverageParams) -> None:
    check_route_grid(principal, grid_or_404(session, p.grid_id))
    check_read_network(session, principal, network_or_404(session, p.network_id))


def run_track_coverage(ctx: JobContext, p: TrackCoverageParams) -> dict[str, Any]:
    """Read the tracks (every bad point flagged), keep the submitter's squad's officers, match
    them to the network and measure the grid's coverage (:func:`gridplan.coverage.track_coverage`).
    """
    from geodata.tracks import flagged_points, load_tracks, tracks_to_metric
    from gridplan.coverage import track_coverage

    with ctx.db.session() as session:
        stored = session.get_one(Grid, p.grid_id)
        district = stored.district_code
        readable = [g for g in session.scalars(select(Grid).where(
            Grid.district_code == district, Grid.plan_id == stored.plan_id))
            if can_read_grid(ctx.owner, g)]
        session.expunge_all()
    step(ctx, 0.05, "loading street network")
    net = load_network_of(ctx, p.network_id)
    step(ctx, 0.3, "reading tracks")
    path = Path(ctx.settings.uploads_dir) / "tracks" / p.upload
    try:
        loaded = load_tracks([path], coords=p.coords, tz=p.tz, network=net)
    except InvalidInputError as exc:  # name the file as the user knows it, not as stored
        raise type(exc)(str(exc.args[0]), [_named(q, path, p.filename)
                                           for q in exc.problems]) from None
    points = tracks_to_metric(loaded, net.crs)
    grid = domain_grid(stored, net.crs)
    mine = [domain_grid(g, net.crs) for g in readable]
    points, hidden = _own_squad(points, grid, mine)
    step(ctx, 0.5, f"matching {points['officer'].nunique()} officer(s) to the streets")
    kps = [(grid.code, k) for k in key_points_of(p.key_points, net.crs)]
    report = track_coverage(net, [grid], points, key_points=kps)
    warnings = [str(_named(w, path, p.filename)) for w in loaded.warnings]
    notes = [f"{hidden} officer(s) of other squads left out"] if hidden else []
    flagged = [f | {"source": p.filename} for f in flagged_points(loaded.frame)]
    data = report.to_dict()
    lines = report.streets.to_crs(WGS84).geometry
    data["streets"] = [row | {"geometry": line.__geo_interface__}
                       for row, line in zip(data["streets"], lines, strict=True)]
    data["tracks"] = [{"officer": r.officer, "sigma_m": r.sigma_m,
                       "matched_share": r.matched_share,
                       "geometry": r.geometry.__geo_interface__}
                      for r in _simplified(report.tracks).to_crs(WGS84).itertuples()]
    # warnings / scope_notes / notes in English words; flagged / hidden_officers / the tracks'
    # sigma_m and matched_share are the same as data, for screens in other languages
    return {"grid_id": p.grid_id, "network_id": p.network_id, "grid": stored.code, **data,
            "warnings": warnings, "scope_notes": notes, "flagged": flagged,
            "hidden_officers": hidden}


def _named(problem: Problem, stored: Path, filename: str) -> Problem:
    """The problem with the stored upload's path replaced by the name it was uploaded as."""
    return Problem(*(str(part).replace(str(stored), filename) for part in (
        problem.source, problem.where, problem.expected, problem.found, problem.fix)))


def _own_squad(points, grid, readable) -> tuple[Any, int]:
    """Points of officers with most of their fixes in grids the submitter may read."""
    good = points[points["flag"] == ""]
    zone = unary_union([grid.geometry, *(g.geometry for g in readable)])
    share = good.geometry.within(zone).groupby(good["officer"]).mean()
    keep = set(share.index[share >= 0.5])
    return points[points["officer"].isin(keep)], int((share < 0.5).sum())


def _simplified(tracks):
    """Track lines thinned to 2 m (metric CRS): what a map shows, a fraction of the fixes."""
    return tracks.set_geometry(tracks.geometry.simplify(2.0))


def check_coverage_job(session: Session, principal: Principal, job_id: str, *,
                       network_id: int | None = None) -> None:
    """Coverage fed into a plan or a roster: the caller's own succeeded track_coverage job (on
    the plan's network when ``network_id`` is given: street ids are the network's)."""
    job = session.get(Job, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    check_owner(principal, job.owner)
    other_network = network_id is not None and job.params.get("network_id") != network_id
    found = (f"a {job.kind} job" if job.kind != "track_coverage" else
             f"a job that is {job.status}" if job.status != SUCCEEDED else
             f"coverage on network {job.params.get('network_id')}" if other_network else "")
    if found:
        where = f" on network {network_id}" if network_id is not None else ""
        raise InvalidInputError("coverage_job_id", [Problem(
            "params", "coverage_job_id", f"a succeeded track_coverage job{where}", found,
            "upload the tracks with POST /tracks/coverage and wait for the job")])


def coverage_of(ctx: JobContext, job_id: str | None) -> dict[str, Any] | None:
    """The result of a track_coverage job (checked at submission), for a job that takes it."""
    if job_id is None:
        return None
    with ctx.db.session() as session:
        return session.get_one(Job, job_id).result


RECENT_JOBS_LOOKED_AT = 200


def recent_coverage_of(ctx: JobContext, grid_id: int, network_id: int
                       ) -> tuple[str, dict[str, Any]] | None:
    """(job id, result) of the job owner's newest succeeded track_coverage job of ``grid_id``
    on ``network_id`` among their last few hundred jobs, or None."""
    return recent_coverages_of(ctx, {grid_id}, network_id).get(grid_id)


def recent_coverages_of(ctx: JobContext, grid_ids: set[int], network_id: int
                        ) -> dict[int, tuple[str, dict[str, Any]]]:
    """Per grid of ``grid_ids``: (job id, result) of the job owner's newest succeeded
    track_coverage job of that grid on ``network_id`` among their last few hundred jobs."""
    newest: dict[int, str] = {}
    with ctx.db.session() as session:
        # ids and params first: the results (streets and tracks, up to MBs each) of the
        # chosen jobs only
        for job_id, params in session.execute(
                select(Job.id, Job.params).where(
                    Job.owner == ctx.owner.username, Job.kind == "track_coverage",
                    Job.status == SUCCEEDED)
                .order_by(Job.finished_at.desc()).limit(RECENT_JOBS_LOOKED_AT)):
            grid = params.get("grid_id")
            if grid in grid_ids and grid not in newest and params.get(
                    "network_id") == network_id:
                newest[grid] = job_id
        results = dict(session.execute(select(Job.id, Job.result).where(
            Job.id.in_(list(newest.values())))).all()) if newest else {}
    return {grid: (job_id, results[job_id]) for grid, job_id in newest.items()}
