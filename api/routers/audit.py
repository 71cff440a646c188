from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from api.auth import Role
from api.db.models import AuditEntry
from api.deps import OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES
from api.pagination import Page, PageDep, page_of_query
from api.policy import require_role
from api.schemas.misc import AuditPublic

router = APIRouter(prefix="/audit", tags=["audit"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


@router.get("", response_model=Page[AuditPublic])
def list_audit(session: SessionDep, principal: PrincipalDep, page: PageDep,
               entity: str | None = None, entity_id: str | None = None) -> dict[str, Any]:
    """The audit log, newest first (admin only; others see a grid's history on the grid)."""
    require_role(principal, Role.ADMIN)
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return page_of_query(session, query, page)
