from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.audit import record
from api.auth import Role
from api.db.models import ZoneWidth, utcnow
from api.deps import OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.geo import to_geojson
from api.policy import (
    alliance_zone_width,
    check_zone,
    ordered_pair,
    require_role,
    zone_width_for,
)
from api.routers.jurisdictions import get_or_404
from api.schemas.misc import ZonePublic
from api.schemas.zone import ZoneWidthPublic, ZoneWidthUpdate
from api.zones import boundary_zone

router = APIRouter(prefix="/zones", tags=["boundary zones"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


@router.get("/{code_a}/{code_b}", response_model=ZonePublic)
def read_zone(code_a: str, code_b: str, session: SessionDep, principal: PrincipalDep,
              zone_width_m: Annotated[float | None, Query(
                  gt=0, le=5000, description="default: the pair's alliance setting; joint "
                  "viewers may not ask wider than it")] = None) -> ZonePublic:
    """The boundary zone (交界地带) shared by two neighbouring jurisdictions, clipped to the
    sides the caller may see (a joint viewer of the pair sees both; a planner only their own)."""
    sides = check_zone(principal, (code_a, code_b))
    a, b = get_or_404(session, code_a), get_or_404(session, code_b)
    width = zone_width_for(session, principal, (a.code, b.code), zone_width_m)
    zone = boundary_zone(a.code, a.geometry, b.code, b.geometry, zone_width_m=width)
    return ZonePublic(pair=[a.code, b.code], zone_width_m=width,
                      visible_sides=sorted(sides), border_length_m=round(zone.border_length_m, 1),
                      geometry=to_geojson(zone.visible(sides)))


def _width_public(session: SessionDep, pair: tuple[str, str]) -> ZoneWidthPublic:
    row = session.scalar(select(ZoneWidth).where(ZoneWidth.code_a == pair[0],
                                                 ZoneWidth.code_b == pair[1]))
    return ZoneWidthPublic(pair=list(pair), zone_width_m=alliance_zone_width(session, pair),
                           updated_by=row.updated_by if row else None,
                           updated_at=row.updated_at if row else None)


@router.get("/{code_a}/{code_b}/width", response_model=ZoneWidthPublic)
def read_zone_width(code_a: str, code_b: str, session: SessionDep,
                    principal: PrincipalDep) -> ZoneWidthPublic:
    """The zone width the pair's alliance agreed on (what its joint viewers see)."""
    check_zone(principal, (code_a, code_b))
    pair = ordered_pair((get_or_404(session, code_a).code, get_or_404(session, code_b).code))
    return _width_public(session, pair)


@router.put("/{code_a}/{code_b}/width", response_model=ZoneWidthPublic, responses={
    409: {"model": ErrorBody, "description": "set concurrently; re-read and retry"}})
def set_zone_width(code_a: str, code_b: str, body: ZoneWidthUpdate, session: SessionDep,
                   principal: PrincipalDep) -> ZoneWidthPublic:
    """Set the pair's zone width (admin: the alliance's decision, recorded in the audit log)."""
    require_role(principal, Role.ADMIN)
    pair = ordered_pair((get_or_404(session, code_a).code, get_or_404(session, code_b).code))
    row = session.scalar(select(ZoneWidth).where(ZoneWidth.code_a == pair[0],
                                                 ZoneWidth.code_b == pair[1]))
    before = {"zone_width_m": alliance_zone_width(session, pair)}
    if row is None:
        row = ZoneWidth(code_a=pair[0], code_b=pair[1])
        session.add(row)
    row.zone_width_m, row.updated_by, row.updated_at = (body.zone_width_m, principal.username,
                                                        utcnow())
    try:
        session.flush()
    except IntegrityError:  # another admin set the pair's first width at the same moment
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail="the pair's width was set "
                            "meanwhile; re-read and retry") from None
    record(session, principal, "update", "zone_width", "/".join(pair), before,
           {"zone_width_m": body.zone_width_m})
    session.commit()
    return _width_public(session, pair)
