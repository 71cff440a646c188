from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.auth import Role
from api.db.models import AuditEntry
from api.deps import PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES
from api.policy import require_role
from api.schemas.misc import AuditPublic

router = APIRouter(prefix="/audit", tags=["audit"], responses=COMMON_RESPONSES)


@router.get("", response_model=list[AuditPublic])
def list_audit(session: SessionDep, principal: PrincipalDep, entity: str | None = None,
               entity_id: str | None = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntry]:
    """The audit log, newest first (admin only; others see a grid's history on the grid)."""
    require_role(principal, Role.ADMIN)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query))
