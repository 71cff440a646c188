"""A geometry column that works on plain SQLite and on PostGIS with the same migration history.

* PostgreSQL: a real ``geometry(Geometry, 4326)`` column (GiST-indexed by the migration). Values
  travel as hex EWKB with SRID 4326, which PostGIS parses on input and emits on output, so no
  SQL function wrapping (and no GeoAlchemy2 / SpatiaLite) is needed.
* SQLite (and anything else): a BLOB of ISO WKB — no system packages needed.

Python values are shapely geometries in WGS-84 lon/lat (EPSG:4326).
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

SRID = 4326


class PostGISGeometry(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return f"geometry(Geometry, {SRID})"


class Geometry(TypeDecorator):
    """Shapely geometry (EPSG:4326) ⇄ PostGIS geometry or SQLite WKB blob."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return shapely.to_wkb(shapely.set_srid(value, SRID), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        if isinstance(value, memoryview):
            value = bytes(value)
        return shapely.from_wkb(value)
