from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.geo import GeoJSONGeometry
from api.schemas.common import Code, Name


class JurisdictionCreate(BaseModel):
    code: Code
    name: Name
    level: int = Field(ge=1, le=5, description="1 province … 3 district, 4 town, 5 community")
    parent_code: Code | None = None
    geometry: GeoJSONGeometry = Field(description="Polygon/MultiPolygon, WGS-84")


class JurisdictionPublic(BaseModel):
    code: str
    name: str
    level: int
    parent_code: str | None
    geometry: dict[str, Any] | None
