from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class JobCreate(BaseModel):
    kind: str = Field(description="a registered job kind, see GET /jobs/kinds")
    params: dict[str, Any] = Field(default_factory=dict)


class JobPublic(BaseModel):
    id: str
    kind: str
    params: dict[str, Any]
    status: str
    progress: float
    message: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    cancel_requested: bool
    owner: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobKindPublic(BaseModel):
    name: str
    description: str
    params_schema: dict[str, Any]
