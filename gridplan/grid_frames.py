"""Grids as a GeoDataFrame (any CRS) → the domain's :class:`~gridplan.model.Grid` objects."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from gridplan.crs import to_metric
from gridplan.model import Grid

#: staff columns a grids table may carry (missing: nobody of that role on file)
STAFF_ROLES = ("enforcement", "sanitation", "municipal", "greening")


def grids_from_frame(frame: gpd.GeoDataFrame, *, crs: Any) -> list[Grid]:
    """One :class:`Grid` per row of ``frame`` (``code``, ``parent_code``, polygons; optional
    ``name``, staff counts, ``station_lon``/``station_lat`` in WGS-84 degrees, ``illustrative``)
    in the metric ``crs`` (stations projected too). A frame without a CRS is an error."""
    metric = to_metric(frame, crs, name="grids")
    stations = _stations(frame, crs)
    out = []
    for i, (_, row) in enumerate(metric.iterrows()):
        out.append(Grid(
            code=str(row["code"]), geometry=row.geometry,
            parent_code=str(row.get("parent_code", "") or ""),
            name=str(row.get("name", "") or ""), station=stations[i],
            staff={r: _count(row.get(r)) for r in STAFF_ROLES},
            illustrative=bool(row.get("illustrative", False))))
    return out


def _stations(frame: gpd.GeoDataFrame, crs: Any) -> list[Any]:
    if not {"station_lon", "station_lat"} <= set(frame.columns):
        return [None] * len(frame)
    lon = pd.to_numeric(frame["station_lon"], errors="coerce")
    lat = pd.to_numeric(frame["station_lat"], errors="coerce")
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(crs)
    return [p if pd.notna(x) and pd.notna(y) else None
            for p, x, y in zip(points, lon, lat, strict=True)]


def _count(value: Any) -> int:
    number = pd.to_numeric(value, errors="coerce")
    return 0 if pd.isna(number) else int(number)
