"""Grids with optimistic locking.

Every grid has a ``version``; responses carry it as a strong ``ETag: "<version>"``. PATCH and
DELETE need ``If-Match`` (428 Precondition Required when missing, RFC 6585) and get
**409 Conflict** when the tag is not the current version (the edit-conflict answer planners asked
for, as Kubernetes and other optimistic-locking APIs give it, rather than RFC 9110's generic 412)
— also when another planner's write commits between our check and our UPDATE (the UPDATE is conditional on the
version, so the race is caught by the database, not by luck). The stale edit is refused; the other
planner's change is kept; the client re-reads and retries. Every change and its audit entry commit
in one transaction.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.audit import grid_snapshot, record
from api.auth import Principal, Role
from api.db.models import AuditEntry, Grid, Jurisdiction, utcnow
from api.deps import FragmentsDep, OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.geo import parse_geometry
from api.grid_json import KEY_COLUMNS, grid_json, json_response, key_of, public, rendered
from api.pagination import Page, PageDep, page_of_query
from api.policy import (
    check_edit_district,
    check_read_grid,
    district_of,
    readable_grids_clause,
    scope_parameters,
)
from api.routers.plans import plan_or_404
from api.schemas.common import MAX_ID, valid_id
from api.schemas.grid import GridCreate, GridPublic, GridReplace, GridUpdate
from api.schemas.misc import AuditPublic
from gridplan.errors import ProblemCollector

router = APIRouter(prefix="/grids", tags=["grids"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)
NEST_TOLERANCE = 0.01  # share of a grid's area allowed outside its jurisdiction (digitising slack)
LOCK_RESPONSES: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorBody, "description": "If-Match is not the current version: re-read, retry"},
    428: {"model": ErrorBody, "description": "If-Match header missing"},
}
IfMatch = Annotated[str | None, Header(description='the ETag you read, e.g. "3"')]
IfNoneMatch = Annotated[str | None, Header(description='the ETag you hold, e.g. "3"')]


def etag(grid: Grid | Row[Any]) -> str:
    return f'"{grid.version}"'


def grid_or_404(session: Session, grid_id: int) -> Grid:
    grid = session.get(Grid, grid_id) if valid_id(grid_id) else None
    if grid is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no grid {grid_id}")
    return grid


def check_if_match(grid: Grid, if_match: str | None) -> None:
    if if_match is None:
        raise HTTPException(status.HTTP_428_PRECONDITION_REQUIRED,
                            detail=f"send If-Match: {etag(grid)} (the ETag you read)")
    tags = [t.strip() for t in if_match.split(",")]
    if "*" not in tags and etag(grid) not in tags:  # strong comparison: W/ tags never match
        raise _changed(grid.id)


def _changed(grid_id: int) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT,
                         detail=f"grid {grid_id} changed since you read it; re-read and retry")


def _lost_race(session: Session, grid_id: int) -> HTTPException:
    """After a rolled-back write lost a race: 404 if a DELETE won, else 409. Never touches the
    ORM object, which may name a row that no longer exists."""
    session.rollback()
    if session.scalar(select(Grid.id).where(Grid.id == grid_id)) is None:
        return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no grid {grid_id} (deleted "
                             "meanwhile)")
    return _changed(grid_id)


def _placed(session: Session, body, district_code: str):
    """The grid's geometry and station, checked: valid, nested in its jurisdiction, and that
    jurisdiction inside the plan's district (every problem in one report)."""
    issues = ProblemCollector("grid")
    geometry = parse_geometry(body.geometry, source="grid.geometry")
    station = (parse_geometry(body.station, source="grid.station", allowed=("Point",))
               if body.station else None)
    _check_nesting(session, body.jurisdiction_code, geometry, issues)
    if not issues and district_of(session, body.jurisdiction_code) != district_code:
        issues.add("jurisdiction_code", expected=f"a jurisdiction in district {district_code}",
                   found=body.jurisdiction_code, fix="grids belong to their plan's district")
    issues.raise_if_any()
    return geometry, station


def _check_nesting(session: Session, jurisdiction_code: str, geometry: BaseGeometry,
                   issues: ProblemCollector) -> None:
    parent = session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    if parent is None:
        issues.add("jurisdiction_code", expected="an existing jurisdiction",
                   found=jurisdiction_code, fix="create it first (POST /jurisdictions)")
        return
    outside = geometry.difference(parent.geometry).area / geometry.area
    if outside > NEST_TOLERANCE:
        issues.add("geometry", expected=f"inside jurisdiction {jurisdiction_code} (grids never "
                   "straddle their community/town)", found=f"{outside:.1%} of its area outside",
                   fix="clip the grid to its jurisdiction or assign the right one")


@lru_cache(maxsize=32)
def _keys_page(role: Role, by_plan: bool, by_district: bool) -> Select[Any]:
    """The key columns of one page of the grids a caller of ``role`` may read, by plan then
    code; built once per shape, everything else bound when it runs (see policy)."""
    query = select(*KEY_COLUMNS).where(readable_grids_clause(role))
    if by_plan:
        query = query.where(Grid.plan_id == bindparam("plan_id"))
    if by_district:
        query = query.where(Grid.district_code == bindparam("district_code"))
    return query.order_by(Grid.plan_id, Grid.code, Grid.id).offset(
        bindparam("offset")).limit(bindparam("limit"))


@router.get("", response_model=Page[GridPublic])
def list_grids(session: SessionDep, principal: PrincipalDep, page: PageDep,
               fragments: FragmentsDep,
               plan_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               district_code: str | None = None) -> Response:
    """The grids the caller may read, by plan then code, one page at a time."""
    rows = session.connection().execute(
        _keys_page(principal.role, plan_id is not None, district_code is not None),
        {**scope_parameters(principal), "plan_id": plan_id, "district_code": district_code,
         "offset": page.offset, "limit": page.limit + 1}).all()
    return json_response(page.answer_json(
        rows, lambda shown: rendered(session, fragments, shown, grid_json)))


@router.post("", response_model=GridPublic, status_code=201,
             responses={409: {"model": ErrorBody, "description": "code exists in the plan"}})
def add_grid(body: GridCreate, session: SessionDep, principal: PrincipalDep,
             response: Response) -> GridPublic:
    plan = plan_or_404(session, body.plan_id)
    check_edit_district(principal, plan.district_code)
    geometry, station = _placed(session, body, plan.district_code)
    if session.scalar(select(Grid.id).where(Grid.plan_id == plan.id, Grid.code == body.code)):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"grid {body.code} exists in plan")
    grid = Grid(plan_id=plan.id, code=body.code, name=body.name,
                jurisdiction_code=body.jurisdiction_code, district_code=plan.district_code,
                geometry=geometry, station=station, staff=dict(body.staff),
                updated_by=principal.username, updated_at=utcnow())
    session.add(grid)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request created the same code first
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"grid {body.code} exists in plan") from None
    record(session, principal, "create", "grid", grid.id, None, grid_snapshot(grid))
    session.commit()
    response.headers["ETag"] = etag(grid)
    return public(grid)


_GRID_KEY = select(*KEY_COLUMNS).where(Grid.id == bindparam("grid_id"))


@router.get("/{grid_id}", response_model=GridPublic,
            responses={304: {"description": "If-None-Match names the current version"}})
def read_grid(grid_id: int, session: SessionDep, principal: PrincipalDep,
              fragments: FragmentsDep, if_none_match: IfNoneMatch = None) -> Response:
    """The grid with its ``ETag``; a client holding the current version (``If-None-Match``)
    gets 304 without the geometry."""
    row = session.connection().execute(_GRID_KEY, {"grid_id": grid_id}).one_or_none() \
        if valid_id(grid_id) else None
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no grid {grid_id}")
    check_read_grid(principal, row)
    if if_none_match is not None and _names_tag(if_none_match, etag(row)):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(row)})
    body, tag = fragments.get(key_of(grid_json, row)), etag(row)
    if body is None:  # not rendered yet in this process: render the version loaded now
        grid = grid_or_404(session, grid_id)
        check_read_grid(principal, grid)
        body, tag = fragments.put(key_of(grid_json, grid), grid_json(grid)), etag(grid)
    return json_response(body, headers={"ETag": tag})


def _names_tag(header: str, tag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match uses: ``W/"3"`` names version 3 too."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or tag in tags


@router.patch("/{grid_id}", response_model=GridPublic, responses=LOCK_RESPONSES)
def update_grid(grid_id: int, body: GridUpdate, session: SessionDep, principal: PrincipalDep,
                response: Response, if_match: IfMatch = None) -> GridPublic:
    grid = grid_or_404(session, grid_id)
    check_read_grid(principal, grid)
    check_edit_district(principal, grid.district_code)
    check_if_match(grid, if_match)
    before = grid_snapshot(grid)
    issues = ProblemCollector("grid")
    if body.geometry is not None:
        geometry = parse_geometry(body.geometry, source="grid.geometry")
        _check_nesting(session, grid.jurisdiction_code, geometry, issues)
        grid.geometry = geometry
    if body.station is not None:
        grid.station = parse_geometry(body.station, source="grid.station", allowed=("Point",))
    issues.raise_if_any()
    if body.name is not None:
        grid.name = body.name
    if body.staff is not None:
        grid.staff = dict(body.staff)
    return _save(session, principal, grid, before, response)


def _save(session: Session, principal: Principal, grid: Grid, before: dict[str, Any],
          response: Response) -> GridPublic:
    """Write the edited grid and its audit entry in one transaction (version-checked)."""
    grid_id, code = grid.id, grid.code  # read now: after a rollback the row may be gone
    grid.updated_by, grid.updated_at = principal.username, utcnow()
    try:
        session.flush()  # UPDATE … WHERE id = :id AND version = :read_version
    except StaleDataError:
        raise _lost_race(session, grid_id) from None
    except IntegrityError:  # another request took the code in the meantime
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"grid {code} exists in plan") from None
    record(session, principal, "update", "grid", grid.id, before, grid_snapshot(grid))
    session.commit()
    response.headers["ETag"] = etag(grid)
    return public(grid)


@router.put("/{grid_id}", response_model=GridPublic,
            responses={**LOCK_RESPONSES,
                       409: {"model": ErrorBody, "description": "code exists in the plan"}})
def replace_grid(grid_id: int, body: GridReplace, session: SessionDep, principal: PrincipalDep,
                 response: Response, if_match: IfMatch = None) -> GridPublic:
    """Replace the whole grid (same plan). Needs ``If-Match`` like PATCH."""
    grid = grid_or_404(session, grid_id)
    check_read_grid(principal, grid)
    check_edit_district(principal, grid.district_code)
    check_if_match(grid, if_match)
    before = grid_snapshot(grid)
    geometry, station = _placed(session, body, grid.district_code)
    if body.code != grid.code and session.scalar(select(Grid.id).where(
            Grid.plan_id == grid.plan_id, Grid.code == body.code)):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"grid {body.code} exists in plan")
    grid.code, grid.name, grid.jurisdiction_code = body.code, body.name, body.jurisdiction_code
    grid.geometry, grid.station, grid.staff = geometry, station, dict(body.staff)
    return _save(session, principal, grid, before, response)


@router.delete("/{grid_id}", status_code=204, responses=LOCK_RESPONSES)
def delete_grid(grid_id: int, session: SessionDep, principal: PrincipalDep,
                if_match: IfMatch = None) -> None:
    grid = grid_or_404(session, grid_id)
    check_read_grid(principal, grid)
    check_edit_district(principal, grid.district_code)
    check_if_match(grid, if_match)
    before = grid_snapshot(grid)
    session.delete(grid)
    try:
        session.flush()  # DELETE … WHERE id = :id AND version = :read_version
    except StaleDataError:
        raise _lost_race(session, grid_id) from None
    record(session, principal, "delete", "grid", grid_id, before, None)
    session.commit()


@router.get("/{grid_id}/history", response_model=Page[AuditPublic])
def grid_history(grid_id: int, session: SessionDep, principal: PrincipalDep,
                 page: PageDep) -> dict[str, Any]:
    """Who changed this grid, when, and what (before/after), oldest first."""
    grid = grid_or_404(session, grid_id)
    check_read_grid(principal, grid)
    return page_of_query(session, select(AuditEntry).where(
        AuditEntry.entity == "grid", AuditEntry.entity_id == str(grid_id)).order_by(
        AuditEntry.id), page)
