from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from api.audit import record
from api.auth import Principal, Role
from api.db.models import Jurisdiction
from api.deps import OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.geo import parse_geometry, to_geojson
from api.pagination import Page, PageDep, page_of_rows
from api.policy import check_read_district, district_of, require_role
from api.schemas.jurisdiction import JurisdictionCreate, JurisdictionPublic
from gridplan.errors import ProblemCollector
from gridplan.model import JurisdictionLevel

router = APIRouter(prefix="/jurisdictions", tags=["jurisdictions"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


def public(j: Jurisdiction | Row[Any]) -> JurisdictionPublic:
    return JurisdictionPublic(code=j.code, name=j.name, level=j.level, parent_code=j.parent_code,
                              geometry=to_geojson(j.geometry))


def districts_by_code(rows: list[Row[Any]]) -> dict[str, str]:
    """code -> code of its district (level 3 ancestor, or itself), from one table read."""
    by_code = {j.code: j for j in rows}
    out: dict[str, str] = {}
    for j in rows:
        current, hops = j, 0
        while current.level > JurisdictionLevel.DISTRICT and current.parent_code in by_code \
                and hops < 10:
            current, hops = by_code[current.parent_code], hops + 1
        out[j.code] = current.code
    return out


# Plain columns, one statement each, built once: the list runs on every page view, and
# building an ORM query and loading entities cost several times the SELECT itself.
_FIELDS = (Jurisdiction.code, Jurisdiction.name, Jurisdiction.level, Jurisdiction.parent_code)
_ALL = select(*_FIELDS).order_by(Jurisdiction.code)
_ALL_WITH_GEOMETRY = select(*_FIELDS, Jurisdiction.geometry).order_by(Jurisdiction.code)


def visible(session: Session, principal: Principal, *,
            with_geometry: bool = True) -> list[Row[Any]]:
    """The jurisdictions the caller may read, by code (without their outlines unless asked:
    a district's polygon is most of a row and a list rarely draws them)."""
    if principal.role is Role.JOINT_VIEWER:
        return []  # a neighbour sees only the shared zone, through /zones
    rows = list(session.connection().execute(_ALL_WITH_GEOMETRY if with_geometry else _ALL))
    if principal.role is Role.ADMIN:
        return rows
    district = districts_by_code(rows)
    return [j for j in rows if district[j.code] in principal.districts]


def get_or_404(session: Session, code: str) -> Jurisdiction:
    j = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if j is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no jurisdiction {code!r}")
    return j


@router.get("", response_model=Page[JurisdictionPublic])
def list_jurisdictions(session: SessionDep, principal: PrincipalDep, page: PageDep,
                       with_geometry: bool = False) -> dict[str, Any]:
    """The jurisdictions in the caller's scope by code (geometry only when asked: polygons
    are big)."""
    return page_of_rows(visible(session, principal, with_geometry=with_geometry), page,
                        public if with_geometry else _without_geometry)


def _without_geometry(j: Row[Any]) -> JurisdictionPublic:
    return JurisdictionPublic(code=j.code, name=j.name, level=j.level, parent_code=j.parent_code,
                              geometry=None)


@router.get("/{code}", response_model=JurisdictionPublic)
def read_jurisdiction(code: str, session: SessionDep, principal: PrincipalDep) -> JurisdictionPublic:
    j = get_or_404(session, code)
    check_read_district(principal, district_of(session, j.code))
    return public(j)


@router.post("", response_model=JurisdictionPublic, status_code=201,
             responses={409: {"model": ErrorBody, "description": "code exists"}})
def add_jurisdiction(body: JurisdictionCreate, session: SessionDep,
                     principal: PrincipalDep) -> JurisdictionPublic:
    require_role(principal, Role.ADMIN)
    geometry = parse_geometry(body.geometry, source="jurisdiction.geometry")
    issues = ProblemCollector("jurisdiction")
    if session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == body.code)):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"jurisdiction {body.code} exists")
    if body.parent_code is not None:
        parent = session.scalar(select(Jurisdiction).where(Jurisdiction.code == body.parent_code))
        if parent is None:
            issues.add("parent_code", expected="an existing jurisdiction code",
                       found=body.parent_code, fix="create the parent first")
        elif parent.level >= body.level:
            issues.add("level", expected=f"a level below the parent's ({parent.level})",
                       found=str(body.level), fix="a town (4) nests in a district (3), etc.")
    issues.raise_if_any()
    j = Jurisdiction(code=body.code, name=body.name, level=body.level,
                     parent_code=body.parent_code, geometry=geometry)
    session.add(j)
    session.flush()
    record(session, principal, "create", "jurisdiction", j.code, None,
           {"code": j.code, "name": j.name, "level": j.level, "parent_code": j.parent_code})
    session.commit()
    return public(j)
