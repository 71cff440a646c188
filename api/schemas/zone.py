from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ZoneWidthUpdate(BaseModel):
    zone_width_m: float = Field(gt=0, le=5000, description="metres each side of the shared line")


class ZoneWidthPublic(BaseModel):
    pair: list[str]
    zone_width_m: float = Field(description="what the pair's joint viewers see")
    updated_by: str | None = Field(description="None: never set, the default applies")
    updated_at: datetime | None
