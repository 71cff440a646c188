"""Incident sets: upload a CSV / GeoJSON export of a district's incidents, list, read."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import record
from api.auth import Principal
from api.db.models import IncidentSet
from api.deps import OneThreadRoute, PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES
from api.incident_store import summary_of, write_normalised
from api.pagination import Page, PageDep, page_of_query
from api.policy import (
    can_read_district,
    check_edit_district,
    district_of,
    outside_scope,
    readable_districts_clause,
)
from api.routers.jurisdictions import get_or_404
from api.schemas.common import valid_id
from api.schemas.misc import IncidentSetPublic
from api.uploads import INCIDENT_KINDS, loader_errors_named, quota_left, save_upload
from gridplan.errors import InvalidInputError, Problem

router = APIRouter(prefix="/incidents", tags=["incidents"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)
AREA_MARGIN_KM = 2.0  # points farther outside the district are refused (wrong datum / column)
ColumnName = Annotated[str | None, Form(max_length=100)]


def incident_set_or_404(session: Session, set_id: int) -> IncidentSet:
    found = session.get(IncidentSet, set_id) if valid_id(set_id) else None
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no incident set {set_id}")
    return found


def check_read_incidents(principal: Principal, found: IncidentSet) -> None:
    """Incidents of a district: its planners and squad leaders (joint viewers see hotspots via
    jobs clipped to their zone, never the raw reports)."""
    if not can_read_district(principal, found.district_code):
        raise outside_scope(principal, "this incident set")


def check_district_incidents(session: Session, principal: Principal, set_id: int,
                             district_code: str, *, job: str) -> IncidentSet:
    """An incident set the caller may read that belongs to ``district_code`` (the district a
    job plans for); another district's set is refused with a fix."""
    found = incident_set_or_404(session, set_id)
    check_read_incidents(principal, found)
    if found.district_code != district_code:
        raise InvalidInputError("incidents of another district", [Problem(
            job, "incident_set_id", f"incidents of district {district_code}",
            found.district_code, "pick the district's own incident set")])
    return found


@router.get("", response_model=Page[IncidentSetPublic])
def list_incident_sets(session: SessionDep, principal: PrincipalDep,
                       page: PageDep) -> dict[str, Any]:
    return page_of_query(session, select(IncidentSet).where(readable_districts_clause(
        principal, IncidentSet.district_code)).order_by(IncidentSet.id), page)


@router.get("/{set_id}", response_model=IncidentSetPublic)
def read_incident_set(set_id: int, session: SessionDep, principal: PrincipalDep) -> IncidentSet:
    found = incident_set_or_404(session, set_id)
    check_read_incidents(principal, found)
    return found


@router.post("", response_model=IncidentSetPublic, status_code=201,
             responses={413: {"description": "over the upload limit or your upload quota"},
                        415: {"description": "the content is not CSV, GeoJSON or GeoPackage"},
                        422: {"description": "the loader's problem list"}})
def upload_incidents(
    file: Annotated[UploadFile, File(description="CSV, GeoJSON or GeoPackage of incidents")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    district_code: Annotated[str, Form(min_length=1, max_length=32)],
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
    coords: Annotated[Literal["wgs84", "gcj02", "bd09", "cgcs2000"], Form()] = "wgs84",
    lon_col: ColumnName = None, lat_col: ColumnName = None,
    time_col: Annotated[str, Form(min_length=1, max_length=100)] = "time",
    category_col: ColumnName = None, id_col: ColumnName = None,
) -> IncidentSet:
    """Upload a district's incidents (12319 hotline, 数字城管 exports). GCJ-02 / BD-09 points are
    shifted to WGS-84; points far outside the district are refused. Malformed files give 422
    with every problem the loader found (row, expected, found, fix); too big gives 413."""
    from geodata.incidents import load_incidents

    area = get_or_404(session, district_code)  # a district, or a town / community in one
    district = district_of(session, area.code)
    check_edit_district(principal, district)
    saved = save_upload(file, folder=settings.uploads_dir, kinds=INCIDENT_KINDS,
                        max_bytes=settings.max_upload_bytes,
                        quota_bytes=quota_left(session, principal.username,
                                               settings.upload_quota_bytes))
    w, s, e, n = area.geometry.bounds
    try:
        with loader_errors_named(saved, keep_file=False):
            frame = load_incidents(saved.path, lon_col=lon_col, lat_col=lat_col, time_col=time_col,
                                   category_col=category_col, id_col=id_col, coords=coords,
                                   area_wgs84=(w, s, e, n), area_margin_km=AREA_MARGIN_KM).frame
            summary = summary_of(frame, synthetic=False)
        stored = write_normalised(frame, settings.uploads_dir / f"{saved.sha256}.incidents.csv")
    finally:
        with contextlib.suppress(FileNotFoundError):
            saved.path.unlink()  # the normalised copy is what we keep
    # Stored under the district, whatever level was named: district scopes are what roles hold,
    # so a town code here would lock the uploader out of their own data.
    found = IncidentSet(name=name, district_code=district, file_path=str(stored),
                        file_sha256=saved.sha256, size_bytes=saved.size_bytes,
                        summary=summary | {"source": saved.filename}, synthetic=False,
                        created_by=principal.username)
    session.add(found)
    session.flush()
    record(session, principal, "create", "incidents", found.id, None,
           {"name": name, "sha256": saved.sha256, "count": summary["count"]})
    session.commit()
    return found

