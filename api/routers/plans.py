from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit import record
from api.auth import Principal
from api.db.models import Grid, GridPlan
from api.deps import OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.geo import to_geojson
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


def feature_collection(grids: list[Grid], principal: Principal) -> dict[str, Any]:
    features = [{"type": "Feature", "id": g.id, "geometry": to_geojson(g.geometry),
                 "properties": {"code": g.code, "name": g.name, "plan_id": g.plan_id,
                                "jurisdiction_code": g.jurisdiction_code, "staff": g.staff,
                                "version": g.version}}
                for g in grids if can_read_grid(principal, g)]
    return {"type": "FeatureCollection", "features": features}


@router.get("/{plan_id}/grids.geojson", response_model=dict[str, Any])
def plan_geojson(plan_id: int, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """The plan's grids the caller may read, as a GeoJSON FeatureCollection (WGS-84)."""
    plan = plan_or_404(session, plan_id)
    check_read_district(principal, plan.district_code)
    grids = list(session.scalars(select(Grid).where(Grid.plan_id == plan_id).order_by(Grid.code)))
    return feature_collection(grids, principal)
