from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit import record
from api.db.models import Grid, GridPlan
from api.deps import FragmentsDep, OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.grid_json import (
    KEY_COLUMNS,
    feature_collection_json,
    feature_json,
    json_response,
    rendered,
)
from api.pagination import Page, PageDep, page_of_query
from api.policy import (
    can_read_grid,
    check_edit_district,
    check_read_district,
    district_of,
    readable_districts_clause,
)
from api.routers.jurisdictions import get_or_404
from api.schemas.common import valid_id
from api.schemas.grid import GridPlanCreate, GridPlanPublic

router = APIRouter(prefix="/plans", tags=["plans"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


def plan_or_404(session: Session, plan_id: int) -> GridPlan:
    plan = session.get(GridPlan, plan_id) if valid_id(plan_id) else None
    if plan is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no plan {plan_id}")
    return plan


@router.get("", response_model=Page[GridPlanPublic])
def list_plans(session: SessionDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    """The plans of the caller's districts, oldest first."""
    return page_of_query(session, select(GridPlan).where(readable_districts_clause(
        principal, GridPlan.district_code)).order_by(GridPlan.id), page)


@router.post("", response_model=GridPlanPublic, status_code=201,
             responses={409: {"model": ErrorBody, "description": "district already has a current plan"}})
def add_plan(body: GridPlanCreate, session: SessionDep, principal: PrincipalDep) -> GridPlan:
    """A named grid layout of a district: its one ``current`` layout, or a ``proposal``."""
    check_edit_district(principal, body.district_code)
    district = get_or_404(session, body.district_code)
    if district_of(session, district.code) != district.code:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"{district.code} is not a district")
    if body.status == "current" and session.scalar(select(GridPlan.id).where(
            GridPlan.district_code == body.district_code, GridPlan.status == "current")):
        raise _has_current(body.district_code)
    plan = GridPlan(name=body.name, district_code=body.district_code, status=body.status,
                    notes=body.notes, created_by=principal.username)
    session.add(plan)
    try:
        session.flush()
    except IntegrityError:  # the one-current-plan index: a concurrent request won
        session.rollback()
        raise _has_current(body.district_code) from None
    record(session, principal, "create", "plan", plan.id, None, body.model_dump())
    session.commit()
    return plan


def _has_current(district: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT,
                         detail=f"district {district} already has a current plan")


def _plan_snapshot(plan: GridPlan) -> dict[str, Any]:
    return {"name": plan.name, "district_code": plan.district_code, "status": plan.status}


@router.post("/{plan_id}/promote", response_model=GridPlanPublic,
             responses={409: {"model": ErrorBody, "description": "not a proposal, or a "
                                                                  "concurrent promotion won"}})
def promote_plan(plan_id: int, session: SessionDep, principal: PrincipalDep) -> GridPlan:
    """Make a proposal the district's current layout; the old current plan is archived.

    Both changes and their audit entries commit together. The UPDATEs are conditional on the
    status the caller saw, and the database allows one current plan per district, so of two
    planners promoting at once exactly one wins; the other gets 409."""
    plan = plan_or_404(session, plan_id)
    check_edit_district(principal, plan.district_code)
    if plan.status != "proposal":
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is {plan.status}, not a proposal")
    old = session.scalar(select(GridPlan).where(GridPlan.district_code == plan.district_code,
                                                GridPlan.status == "current"))
    try:
        for changed, expected, new in ((old, "current", "archived"), (plan, "proposal", "current")):
            if changed is None:
                continue
            before = _plan_snapshot(changed)  # before the UPDATE refreshes the object
            _set_status(session, changed, expected, new)
            record(session, principal, "update", "plan", changed.id, before,
                   before | {"status": new})
        session.commit()
    except (IntegrityError, _LostRace):
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"plan {plan_id} or the current plan "
                            "changed meanwhile; re-read and retry") from None
    session.refresh(plan)
    return plan


class _LostRace(Exception):
    pass


def _set_status(session: Session, plan: GridPlan, expected: str, new: str) -> None:
    changed = session.execute(update(GridPlan).where(
        GridPlan.id == plan.id, GridPlan.status == expected).values(status=new)).rowcount
    if changed != 1:
        raise _LostRace


@router.get("/{plan_id}", response_model=GridPlanPublic)
def read_plan(plan_id: int, session: SessionDep, principal: PrincipalDep) -> GridPlan:
    plan = plan_or_404(session, plan_id)
    check_read_district(principal, plan.district_code)
    return plan


# The plan's district and the key columns of its grids in one statement (no grid: one row of
# NULLs; no plan: no row), built once.
_PLAN_GRID_KEYS = select(GridPlan.district_code.label("plan_district"), *KEY_COLUMNS).select_from(
    GridPlan).outerjoin(Grid, Grid.plan_id == GridPlan.id).where(
    GridPlan.id == bindparam("plan_id")).order_by(Grid.code)


@router.get("/{plan_id}/grids.geojson", response_model=dict[str, Any])
def plan_geojson(plan_id: int, session: SessionDep, principal: PrincipalDep,
                 fragments: FragmentsDep) -> Response:
    """The plan's grids the caller may read, as a GeoJSON FeatureCollection (WGS-84)."""
    rows = session.connection().execute(_PLAN_GRID_KEYS, {"plan_id": plan_id}).all() \
        if valid_id(plan_id) else []
    if not rows:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no plan {plan_id}")
    check_read_district(principal, rows[0].plan_district)
    readable = [r for r in rows if r.id is not None and can_read_grid(principal, r)]
    return json_response(feature_collection_json(
        rendered(session, fragments, readable, feature_json)))
