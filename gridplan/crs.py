"""The one way gridplan chooses a metric CRS and projects inputs into it.

Every algorithm computes in metres. Inputs may come in any CRS (WGS-84 from GeoJSON, GCJ-02
already converted by ``geodata``, a local projected CRS); they are projected once, here. A frame
without a CRS is an error — never silently assumed to be WGS-84.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pyproj

from gridplan.errors import InvalidInputError, Problem

#: ``crs=`` choices besides an explicit projected CRS
METRIC_CHOICES = ("utm", "cgcs2000")


def metric_crs(lon: float, lat: float, *, crs: Any = "utm") -> pyproj.CRS:
    """The metric CRS for an area centred at ``lon, lat`` (WGS-84 degrees).

    ``crs``: ``"utm"`` (the local UTM zone), ``"cgcs2000"`` (the CGCS2000 3-degree
    Gauss–Krüger zone, China only) or any projected CRS in metres (EPSG code, WKT, pyproj CRS).
    """
    if isinstance(crs, str) and crs == "utm":
        zone = int((lon + 180) // 6) + 1
        return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
    if isinstance(crs, str) and crs == "cgcs2000":
        central_meridian = 3 * round(lon / 3)
        if not 75 <= central_meridian <= 135:
            raise InvalidInputError("CGCS2000 Gauss–Krüger zones cover China only", [Problem(
                "crs", "", "an area between 73.5°E and 136.5°E", f"centre at {lon:.3f}°E",
                "use crs='utm'")])
        return pyproj.CRS.from_epsg(4534 + (central_meridian - 75) // 3)
    out = pyproj.CRS.from_user_input(crs)
    if not out.is_projected:
        raise InvalidInputError("the working CRS must be metric", [Problem(
            "crs", "", "a projected CRS in metres", str(crs),
            "use 'utm', 'cgcs2000' or a projected EPSG code")])
    return out


def metric_crs_of(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, crs: Any = "utm",
                  name: str = "input") -> pyproj.CRS:
    """``frame``'s own CRS when it is metric, else the metric CRS (``crs``) at its centre."""
    own = _crs_of(frame, name)
    if own.is_projected and not (isinstance(crs, str) and crs == "cgcs2000"):
        return own
    west, south, east, north = frame.to_crs("EPSG:4326").total_bounds
    return metric_crs((west + east) / 2, (south + north) / 2, crs=crs)


def to_metric(frame: gpd.GeoDataFrame, crs: Any, *, name: str = "input") -> gpd.GeoDataFrame:
    """``frame`` in ``crs`` (a metric CRS); a frame without a CRS is an error."""
    own = _crs_of(frame, name)
    target = pyproj.CRS.from_user_input(crs)
    return frame if own == target else frame.to_crs(target)


def _crs_of(frame: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> pyproj.CRS:
    if frame.crs is None:
        raise InvalidInputError(f"{name} has no coordinate reference system", [Problem(
            name, "", "a GeoDataFrame with a CRS", "crs=None",
            "set it, e.g. frame.set_crs('EPSG:4326') for longitude/latitude degrees")])
    return pyproj.CRS.from_user_input(frame.crs)
