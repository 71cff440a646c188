from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.geo import GeoJSONGeometry
from api.schemas.common import Code, Name, RowId

Staff = dict[Literal["enforcement", "sanitation", "municipal", "greening", "other"],
             Annotated[int, Field(ge=0, le=1000)]]


class GridPlanCreate(BaseModel):
    name: Name
    district_code: Code
    status: Literal["current", "proposal"] = "proposal"
    notes: str = Field(default="", max_length=2000)


class GridPlanPublic(BaseModel):
    id: int
    name: str
    district_code: str
    status: str
    notes: str
    created_by: str
    created_at: datetime


class GridCreate(BaseModel):
    plan_id: RowId
    code: Code
    name: str = Field(default="", max_length=200)
    jurisdiction_code: Code
    geometry: GeoJSONGeometry = Field(description="Polygon/MultiPolygon, WGS-84")
    station: GeoJSONGeometry | None = Field(default=None, description="Point, WGS-84")
    staff: Staff = Field(default_factory=dict)


class GridReplace(BaseModel):
    """The whole grid for PUT (it stays in its plan); omitted optional fields are cleared."""

    code: Code
    name: str = Field(default="", max_length=200)
    jurisdiction_code: Code
    geometry: GeoJSONGeometry = Field(description="Polygon/MultiPolygon, WGS-84")
    station: GeoJSONGeometry | None = Field(default=None, description="Point, WGS-84")
    staff: Staff = Field(default_factory=dict)


class GridUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    geometry: GeoJSONGeometry | None = None
    station: GeoJSONGeometry | None = None
    staff: Staff | None = None


class GridPublic(BaseModel):
    id: int
    plan_id: int
    code: str
    name: str
    jurisdiction_code: str
    district_code: str
    geometry: dict[str, Any]
    station: dict[str, Any] | None
    staff: dict[str, int]
    version: int
    updated_by: str
    updated_at: datetime



__all__ = ["GridCreate", "GridPlanCreate", "GridPlanPublic", "GridPublic", "GridReplace",
           "GridUpdate", "Name"]
