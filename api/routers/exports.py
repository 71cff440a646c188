"""Maps and export files: a stored ``routes`` job's plan (GPX, KML, GeoJSON, GPKG, turn CSV,
HTML map) and a grid plan's layout (GeoJSON, GPKG, HTML map).

Files are written to a temporary folder, streamed, and the folder removed after the response.
Who may fetch: a job's files go with the job (its owner, or admin); a plan's with its district,
and only the grids the caller may read are drawn.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import geopandas as gpd
from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse
from sqlalchemy import select
from starlette.background import BackgroundTask

from api.auth import Principal
from api.db.models import Grid, Job, StreetNetworkRecord
from api.deps import OneThreadRoute, PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.policy import can_read_grid, check_owner, check_read_district
from api.route_layers import OSM_ATTRIBUTION, ROUTE_FORMATS, write_route_export, write_route_map
from api.routers.plans import plan_or_404
from api.settings import Settings

router = APIRouter(tags=["maps and exports"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)
NOT_READY = {409: {"model": ErrorBody, "description": "not a finished routes job"}}


class RouteFormat(StrEnum):
    gpx = "gpx"
    kml = "kml"
    geojson = "geojson"
    gpkg = "gpkg"
    csv = "csv"


class PlanFormat(StrEnum):
    geojson = "geojson"
    gpkg = "gpkg"


PLAN_MEDIA = {"geojson": ROUTE_FORMATS["geojson"], "gpkg": ROUTE_FORMATS["gpkg"]}
HTML = "text/html; charset=utf-8"


def file_response(write: Callable[[Path], Path], media_type: str, filename: str) -> FileResponse:
    """Run ``write`` in a fresh temp folder and stream its file; the folder goes afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="gridplan-export-"))
    try:
        path = write(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, media_type=media_type, filename=filename,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


def _routes_result(session: SessionDep, principal: Principal, job_id: str) -> dict:
    job = session.get(Job, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    check_owner(principal, job.owner)
    if job.kind != "routes" or job.status != "succeeded" or not isinstance(job.result, dict) \
            or "layers" not in job.result:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"job {job_id} is a {job.kind} job "
                            f"({job.status}); maps and exports are of succeeded routes jobs")
    return job.result


@router.get("/jobs/{job_id}/export.{fmt}", response_class=FileResponse, responses={
    **NOT_READY, 200: {"content": {media: {} for _, media in ROUTE_FORMATS.values()},
                       "description": "the plan's routes as a file"}})
def export_routes(job_id: str, fmt: RouteFormat, session: SessionDep,
                  principal: PrincipalDep) -> FileResponse:
    """A routes job's plan as GPX (one track per officer), KML, GeoJSON, GeoPackage or the
    officers' turn-by-turn list (CSV). WGS-84."""
    result = _routes_result(session, principal, job_id)
    suffix, media = ROUTE_FORMATS[fmt.value]
    stem = f"routes-{result.get('grid', 'grid')}"
    return file_response(lambda d: write_route_export(result["layers"], fmt.value, d), media,
                          f"{stem}{suffix}")


@router.get("/jobs/{job_id}/map.html", response_class=FileResponse, responses={
    **NOT_READY, 200: {"content": {"text/html": {}}, "description": "an offline HTML map"}})
def routes_map(job_id: str, session: SessionDep, principal: PrincipalDep) -> FileResponse:
    """A routes job's plan as an HTML map (one colour per officer, turn list, key points)."""
    result = _routes_result(session, principal, job_id)
    return file_response(lambda d: write_route_map(result["layers"], d), HTML,
                          f"routes-{result.get('grid', 'grid')}.html")


def grids_frame(grids: list[Grid], principal: Principal) -> gpd.GeoDataFrame:
    """The readable grids in the *grids* layer schema of :mod:`maps.layers` (WGS-84)."""
    rows = [{"code": g.code, "name": g.name or "", "parent_code": g.jurisdiction_code,
             "enforcement": int((g.staff or {}).get("enforcement", 0)),
             "station_lon": g.station.x if g.station is not None else None,
             "station_lat": g.station.y if g.station is not None else None,
             "geometry": g.geometry} for g in grids if can_read_grid(principal, g)]
    columns = ["code", "name", "parent_code", "enforcement", "station_lon", "station_lat",
               "geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")


def _plan_grids(session: SessionDep, principal: Principal, plan_id: int
                ) -> tuple[str, gpd.GeoDataFrame]:
    plan = plan_or_404(session, plan_id)
    check_read_district(principal, plan.district_code)
    grids = list(session.scalars(select(Grid).where(Grid.plan_id == plan_id).order_by(Grid.code)))
    frame = grids_frame(grids, principal)
    if frame.empty:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} has no grids you may read")
    return f"{plan.name} ({plan.district_code}, {plan.status})", frame


@router.get("/plans/{plan_id}/map.html", response_class=FileResponse, responses={
    409: {"model": ErrorBody, "description": "no readable grids"},
    200: {"content": {"text/html": {}}, "description": "an offline HTML map"}})
def plan_map(plan_id: int, session: SessionDep, principal: PrincipalDep,
             settings: SettingsDep) -> FileResponse:
    """The plan's grids (those the caller may read) on an HTML map, with their stations, over
    the streets of the newest uploaded network that covers them (walk networks first)."""
    from maps import grid_map, save_map

    title, frame = _plan_grids(session, principal, plan_id)
    streets = plan_streets(session, settings, frame)
    return file_response(lambda d: save_map(grid_map(frame, streets=streets, tiles="none",
                                                     title=title),
                                             d / "grids.html"), HTML, f"plan-{plan_id}.html")


def plan_streets(session: SessionDep, settings: Settings,
                 grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Streets around ``grids`` from the newest stored network whose extent overlaps them
    (walk before drive); None when no network covers them."""
    from geodata.osm import load_network
    from maps import streets_near

    minx, miny, maxx, maxy = grids.total_bounds
    records = session.scalars(select(StreetNetworkRecord).order_by(
        StreetNetworkRecord.created_at.desc(), StreetNetworkRecord.id.desc()))
    covering = [r for r in records if _overlaps(r.summary.get("bbox_wgs84"),
                                                (minx, miny, maxx, maxy))]
    if not covering:
        return None
    best = min(covering, key=lambda r: r.mode != "walk")
    net = load_network(best.file_path, mode=best.mode, cache_dir=settings.effective_cache_dir)
    return streets_near(net, grids)


def _overlaps(box, other) -> bool:
    return (box is not None and len(box) == 4 and box[0] <= other[2] and other[0] <= box[2]
            and box[1] <= other[3] and other[1] <= box[3])


@router.get("/plans/{plan_id}/export.{fmt}", response_class=FileResponse, responses={
    409: {"model": ErrorBody, "description": "no readable grids"},
    200: {"content": {media: {} for _, media in PLAN_MEDIA.values()},
          "description": "the plan's grids as a file"}})
def export_plan(plan_id: int, fmt: PlanFormat, session: SessionDep,
                principal: PrincipalDep) -> FileResponse:
    """The plan's grids (those the caller may read) as GeoJSON or GeoPackage, WGS-84."""
    from maps import write_geojson, write_gpkg

    _, frame = _plan_grids(session, principal, plan_id)
    suffix, media = PLAN_MEDIA[fmt.value]
    writer = write_geojson if fmt is PlanFormat.geojson else write_gpkg
    return file_response(lambda d: writer({"grids": frame}, d / f"grids{suffix}",
                                           attribution=OSM_ATTRIBUTION), media,
                          f"plan-{plan_id}{suffix}")
