from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import OneThreadRoute, SessionDep

router = APIRouter(tags=["health"], route_class=OneThreadRoute)


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    """Liveness and database reachability (no authentication)."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "database": session.get_bind().dialect.name}
