"""GeoJSON (WGS-84 lon/lat, RFC 7946) ⇄ shapely, with every problem reported at once."""

from __future__ import annotations

from typing import Any, Literal

import shapely
from pydantic import BaseModel, Field
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gridplan.errors import ProblemCollector

GeometryType = Literal["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                       "MultiPolygon"]
AREAL = ("Polygon", "MultiPolygon")


class GeoJSONGeometry(BaseModel):
    """A GeoJSON geometry in WGS-84 longitude/latitude degrees (RFC 7946)."""

    type: GeometryType
    coordinates: list[Any] = Field(description="nested positions [lon, lat]")


def to_geojson(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """The GeoJSON geometry of ``geometry``. Positions come out of GEOS as one array per ring or
    line (``get_coordinates``), not one coordinate-sequence access per vertex as ``mapping``
    reads them: every read of a grid or plan runs this, ~3x faster on real grid outlines
    (``benchmarks/geojson.py``)."""
    if geometry is None:
        return None
    if geometry.geom_type == "GeometryCollection":
        return dict(mapping(geometry))
    return {"type": geometry.geom_type, "coordinates": _positions(geometry)}


def _positions(geometry: BaseGeometry) -> list[Any]:
    kind = geometry.geom_type
    if kind == "Point":
        return list(geometry.coords[0]) if not geometry.is_empty else []
    if kind in ("LineString", "LinearRing"):
        # One flat list of floats out of numpy, paired up by zip: tuples of floats are soon
        # untracked by the garbage collector, where a list per vertex (``.tolist()`` of the
        # 2-D array) keeps it scanning — 2-3x slower on outlines of a thousand vertices.
        dims = 3 if geometry.has_z else 2
        flat = iter(shapely.get_coordinates(geometry, include_z=dims == 3).ravel().tolist())
        return list(zip(*[flat] * dims, strict=True))
    if kind == "Polygon":
        if geometry.is_empty:
            return []
        return [_positions(ring) for ring in (geometry.exterior, *geometry.interiors)]
    return [_positions(part) for part in geometry.geoms]  # Multi*


def parse_geometry(value: GeoJSONGeometry | dict[str, Any], *, source: str,
                   allowed: tuple[str, ...] = AREAL) -> BaseGeometry:
    """A valid shapely geometry of one of ``allowed`` types, or InvalidInputError listing why not."""
    data = value.model_dump() if isinstance(value, GeoJSONGeometry) else value
    issues = ProblemCollector(source)
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in allowed:
        issues.add("type", expected=" or ".join(allowed), found=repr(kind),
                   fix="send a GeoJSON geometry of the right type")
        issues.raise_if_any(f"{source}: not a usable geometry")
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError,
            shapely.errors.GEOSException) as exc:
        issues.add("coordinates", expected=f"GeoJSON {kind} coordinates", found=str(exc)[:200],
                   fix="follow RFC 7946: positions are [lon, lat], rings closed with ≥ 4 positions")
        issues.raise_if_any(f"{source}: malformed GeoJSON")
    _check_geometry(geometry, issues)
    issues.raise_if_any(f"{source}: invalid geometry")
    return geometry


def _check_geometry(geometry: BaseGeometry, issues: ProblemCollector) -> None:
    if geometry.is_empty:
        issues.add("coordinates", expected="a non-empty geometry", found="empty",
                   fix="send at least one position")
        return
    coords = shapely.get_coordinates(geometry)
    if not shapely.is_valid_input(geometry) or not (coords == coords).all():
        issues.add("coordinates", expected="finite numbers", found="NaN", fix="remove NaN values")
        return
    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        issues.add("coordinates", expected="WGS-84 lon in [-180, 180], lat in [-90, 90]",
                   found=f"bounds {geometry.bounds}",
                   fix="send EPSG:4326 degrees as [lon, lat] (not projected metres, not lat/lon)")
    if not geometry.is_valid:
        issues.add("geometry", expected="a valid (OGC simple features) geometry",
                   found=explain_validity(geometry),
                   fix="remove self-intersections; outer rings must not cross holes")
    elif geometry.geom_type in AREAL and geometry.area == 0:
        issues.add("geometry", expected="a polygon with positive area", found="zero area",
                   fix="send a real outline")
