"""Tables of the planning service. Geometries are WGS-84 (EPSG:4326); times are UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from api.db.geometry import Geometry


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases: SQLite keeps no offset, so values read
    back are marked UTC again (clients get RFC 3339 times with an offset, never naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware times (api.db.models.utcnow)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, BaseGeometry: Geometry, datetime: UTCDateTime}


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="RESTRICT"), index=True)
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())


class ZoneWidth(Base):
    """The zone width a neighbour pair's alliance agreed on: what its joint viewers may see.

    One row per unordered pair, stored with ``code_a < code_b``; no row means the default."""

    __tablename__ = "zone_widths"
    __table_args__ = (UniqueConstraint("code_a", "code_b", name="uq_zone_widths_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_a: Mapped[str] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="CASCADE"))
    code_b: Mapped[str] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="CASCADE"))
    zone_width_m: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StreetNetworkRecord(Base):
    __tablename__ = "street_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(8))
    jurisdiction_code: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="RESTRICT"), index=True)
    file_path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    # "parsing" until its network_parse job ends, then "ready" or "failed"
    status: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentSet(Base):
    """An uploaded incident table, kept as the loader's normalised WGS-84 GeoJSON file."""

    __tablename__ = "incident_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="RESTRICT"), index=True)
    file_path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GridPlan(Base):
    """A named grid layout of one district: the current one or a proposal."""

    __tablename__ = "grid_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # "current" | "proposal" | "archived"
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Grid(Base):
    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_grids_plan_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("grid_plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    jurisdiction_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("jurisdictions.code", ondelete="RESTRICT"), index=True)
    district_code: Mapped[str] = mapped_column(String(32), index=True)  # denormalised for scope
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())
    station: Mapped[BaseGeometry | None] = mapped_column(Geometry(), nullable=True)
    staff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The ORM adds "AND version = :old" to every UPDATE/DELETE: a lost race raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # {"districts": [...], "grids": [...], "pair": [a, b] | None}
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # every bearer token carries the version it was issued under; +1 revokes them all
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str] = mapped_column(String(64), index=True)  # the user who submitted it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The process answering for the job (the service process that queued it, then the worker
    # running it) and until when; it renews the lease while alive. Only a job whose lease ran
    # out is recovered, by one process (compare-and-set on the lease), re-queued or failed.
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
