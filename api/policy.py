"""Who may do what where: the role × scope rules, in one place.

* admin — everything.
* planner — their district(s): read everything in them, edit grids and plans, run redesigns,
  upload networks; the boundary zone with a neighbour clipped to their own side.
* squad_leader — their squad's grids (scope ``grids``): read them, generate routes for them; read
  the jurisdiction record of their district.
* joint_viewer — ONLY the boundary zone shared by their neighbour pair: zones, hotspots and joint
  patrols clipped to that zone; nothing else of either district. The zone's width is the pair's
  alliance setting (:func:`alliance_zone_width`, set by an admin, default 50 m), never the
  request's: a joint viewer may ask for a narrower zone, never a wider one.

Every check raises :class:`Forbidden` (HTTP 403) on deny. A 403 body never names an object
the caller may not see (the district a grid, plan or town lies in, a grid's code): it says
what kind of thing was refused and what the caller's own scope is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException, status
from sqlalchemy import ColumnElement, Row, bindparam, false, select, true
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.db.models import Grid, Jurisdiction, StreetNetworkRecord, ZoneWidth
from gridplan.model import JurisdictionLevel


class Forbidden(HTTPException):
    def __init__(self, why: str) -> None:
        super().__init__(status.HTTP_403_FORBIDDEN, detail=f"forbidden: {why}")


def district_of(session: Session, code: str) -> str:
    """The district (level 3) a jurisdiction lies in, walking parents; itself if none above."""
    seen: set[str] = set()
    current = session.get_one(Jurisdiction, _id_of(session, code))
    while current.level > JurisdictionLevel.DISTRICT and current.parent_code and \
            current.parent_code not in seen:
        seen.add(current.code)
        current = session.get_one(Jurisdiction, _id_of(session, current.parent_code))
    return current.code


def _id_of(session: Session, code: str) -> int:
    found = session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no jurisdiction {code!r}")
    return found


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role is not Role.ADMIN and principal.role not in roles:
        raise Forbidden(f"role {principal.role} cannot do this")


def can_read_district(principal: Principal, district: str) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.role in (Role.PLANNER, Role.SQUAD_LEADER):
        return district in principal.districts
    return False


def readable_districts_clause(principal: Principal, column: Any) -> ColumnElement[bool]:
    """:func:`can_read_district` as a SQL condition on a district-code ``column`` (lists page
    in the database, so a page is full whatever the caller's scope)."""
    if principal.role is Role.ADMIN:
        return true()
    if principal.role in (Role.PLANNER, Role.SQUAD_LEADER):
        return column.in_(sorted(principal.districts))
    return false()


def outside_scope(principal: Principal, what: str) -> Forbidden:
    mine = ", ".join(sorted(principal.districts)) or "none"
    return Forbidden(f"{what} is outside your scope (your districts: {mine})")


def check_read_district(principal: Principal, district: str, *, what: str = "this") -> None:
    if not can_read_district(principal, district):
        raise outside_scope(principal, what)


def check_edit_district(principal: Principal, district: str) -> None:
    require_role(principal, Role.PLANNER)
    if principal.role is Role.PLANNER and district not in principal.districts:
        raise outside_scope(principal, "this")


def can_read_grid(principal: Principal, grid: Grid | Row[Any]) -> bool:
    """(``grid``: the entity or a row with its ``code`` and ``district_code``.)"""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.PLANNER:
        return grid.district_code in principal.districts
    if principal.role is Role.SQUAD_LEADER:
        return grid.code in principal.grids and grid.district_code in principal.districts
    return False


# can_read_grid in SQL: one clause per role, the caller's own scope bound as parameters
# (scope_parameters), so a statement built on a role's clause is built once, not per request
# (building and keying a statement costs SQLAlchemy more than running it).
_SCOPE_DISTRICTS = bindparam("scope_districts", expanding=True)
_READABLE_GRIDS: dict[Role, ColumnElement[bool]] = {
    Role.ADMIN: true(),
    Role.PLANNER: Grid.district_code.in_(_SCOPE_DISTRICTS),
    Role.SQUAD_LEADER: Grid.code.in_(bindparam("scope_grids", expanding=True))
    & Grid.district_code.in_(_SCOPE_DISTRICTS),
    Role.JOINT_VIEWER: false(),
}


def readable_grids_clause(role: Role) -> ColumnElement[bool]:
    """:func:`can_read_grid` as a SQL condition on the grids table, for a caller of ``role``
    whose :func:`scope_parameters` are bound when it runs."""
    return _READABLE_GRIDS[role]


def scope_parameters(principal: Principal) -> dict[str, list[str]]:
    return {"scope_districts": sorted(principal.districts),
            "scope_grids": sorted(principal.grids)}


def check_read_grid(principal: Principal, grid: Grid | Row[Any]) -> None:
    if not can_read_grid(principal, grid):
        raise outside_scope(principal, "this grid")


def check_route_grid(principal: Principal, grid: Grid) -> None:
    """Generating routes: squad leaders for their grids, planners for their district."""
    require_role(principal, Role.PLANNER, Role.SQUAD_LEADER)
    check_read_grid(principal, grid)


def check_zone(principal: Principal, pair: Iterable[str]) -> frozenset[str]:
    """The districts of ``pair`` whose side of the zone the caller may see (never empty)."""
    districts = frozenset(pair)
    if principal.role is Role.ADMIN:
        return districts
    if principal.role is Role.JOINT_VIEWER and districts == principal.pair:
        return districts
    if principal.role is Role.PLANNER and districts & principal.districts:
        return districts & principal.districts
    raise Forbidden(f"boundary zone {'/'.join(sorted(districts))} is outside your scope")


DEFAULT_ZONE_WIDTH_M = 50.0  # documented joint-patrol practice: 50 m each side of the line


def ordered_pair(pair: Iterable[str]) -> tuple[str, str]:
    a, b = sorted(pair)
    return a, b


def alliance_zone_width(session: Session, pair: Iterable[str]) -> float:
    """The zone width the pair's alliance agreed on (an admin setting), else the default."""
    a, b = ordered_pair(pair)
    width = session.scalar(select(ZoneWidth.zone_width_m).where(ZoneWidth.code_a == a,
                                                                 ZoneWidth.code_b == b))
    return float(width) if width is not None else DEFAULT_ZONE_WIDTH_M


def zone_width_for(session: Session, principal: Principal, pair: Iterable[str],
                   requested: float | None) -> float:
    """The zone width the caller gets: the alliance's unless they ask for another one.

    A joint viewer's view IS the alliance's zone: asking wider is refused. Other roles may ask
    wider because :func:`check_zone` already clips what they see to their own scope."""
    agreed = alliance_zone_width(session, pair)
    if requested is None:
        return agreed
    if principal.role is Role.JOINT_VIEWER and requested > agreed:
        raise Forbidden(f"joint viewers see the zone width the alliance agreed on ({agreed:g} m),"
                        " not a wider one; ask an admin to change the pair's setting")
    return requested


def check_owner(principal: Principal, owner: str) -> None:
    if principal.role is not Role.ADMIN and principal.username != owner:
        raise Forbidden("this belongs to another user")


def check_read_network(session: Session, principal: Principal, net: StreetNetworkRecord) -> None:
    """A city-wide network (no jurisdiction) is open to every working role; a district's to
    those who may read the district."""
    if net.jurisdiction_code is None:
        require_role(principal, Role.ADMIN, Role.PLANNER, Role.SQUAD_LEADER)
    else:
        check_read_district(principal, district_of(session, net.jurisdiction_code))
