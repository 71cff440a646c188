from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class NetworkPublic(BaseModel):
    id: int
    name: str
    mode: str
    jurisdiction_code: str | None
    file_sha256: str
    size_bytes: int
    summary: dict[str, Any]
    status: str = Field(description="parsing (see parse_job_id), ready or failed")
    created_by: str
    created_at: datetime
    parse_job_id: str | None = Field(default=None, description="the network_parse job "
                                     "started by this upload (in the upload's answer only)")


class IncidentSetPublic(BaseModel):
    id: int
    name: str
    district_code: str
    file_sha256: str
    size_bytes: int
    summary: dict[str, Any]
    synthetic: bool
    created_by: str
    created_at: datetime


class ZonePublic(BaseModel):
    pair: list[str]
    zone_width_m: float
    visible_sides: list[str]
    border_length_m: float
    geometry: dict[str, Any] | None
