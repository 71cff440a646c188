"""Audit entries, always added to the caller's session so they commit with the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import AuditEntry, Grid, utcnow
from api.geo import to_geojson


def record(session: Session, principal: Principal, action: str, entity: str, entity_id: object,
           before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    session.add(AuditEntry(at=utcnow(), actor=principal.username, action=action, entity=entity,
                           entity_id=str(entity_id), before=before, after=after))


def grid_snapshot(grid: Grid) -> dict[str, Any]:
    return {"plan_id": grid.plan_id, "code": grid.code, "name": grid.name,
            "jurisdiction_code": grid.jurisdiction_code, "district_code": grid.district_code,
            "geometry": to_geojson(grid.geometry), "station": to_geojson(grid.station),
            "staff": dict(grid.staff or {}), "version": grid.version}
