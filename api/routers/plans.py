from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import record
from api.auth import Principal, Role
from api.db.models import Grid, GridPlan
from api.deps import PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.geo import to_geojson
from api.policy import can_read_grid, check_edit_district, check_read_district, district_of
from api.routers.jurisdictions import get_or_404
from api.schemas.grid import GridPlanCreate, GridPlanPublic

router = APIRouter(prefix="/plans", tags=["plans"], responses=COMMON_RESPONSES)


def plan_or_404(session: Session, plan_id: int) -> GridPlan:
    plan = session.get(GridPlan, plan_id)
    if plan is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no plan {plan_id}")
    return plan


@router.get("", response_model=list[GridPlanPublic])
def list_plans(session: SessionDep, principal: PrincipalDep) -> list[GridPlan]:
    plans = session.scalars(select(GridPlan).order_by(GridPlan.id))
    if principal.role is Role.ADMIN:
        return list(plans)
    if principal.role is Role.JOINT_VIEWER:
        return []
    return [p for p in plans if p.district_code in principal.districts]


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
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"district {body.district_code} already has a current plan")
    plan = GridPlan(name=body.name, district_code=body.district_code, status=body.status,
                    notes=body.notes, created_by=principal.username)
    session.add(plan)
    session.flush()
    record(session, principal, "create", "plan", plan.id, None, body.model_dump())
    session.commit()
    return plan


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
