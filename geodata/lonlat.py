"""Checks that polygon files really are in longitude/latitude where they say so.

A file written with latitude first (a common slip when building GeoJSON by hand or from a
spreadsheet) gives coordinates such as (31.2, 121.5): a latitude beyond ±90° that would
otherwise surface as an opaque GEOS error much later. Every such feature is reported with the
fix, together with features whose coordinates are not finite numbers.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gridplan.errors import Problem

WGS84 = "EPSG:4326"


def lonlat_problems(frame: gpd.GeoDataFrame, *, source: str,
                    label: str = "feature") -> list[Problem]:
    """Features of a WGS-84 ``frame`` whose coordinates cannot be longitude/latitude."""
    problems = []
    for i, geom in enumerate(frame.geometry):
        if geom is None or geom.is_empty:
            continue
        xy = shapely.get_coordinates(geom)
        where = f"{label} {i + 1}" + (f" (code {frame['code'].iloc[i]})" if "code" in frame
                                      else "")
        if not np.isfinite(xy).all():
            problems.append(Problem(source, where, "finite coordinates", "NaN or infinite values",
                                    "re-export the geometry"))
            continue
        lon_ok = bool((np.abs(xy[:, 0]) <= 180).all())
        lat_ok = bool((np.abs(xy[:, 1]) <= 90).all())
        if lon_ok and lat_ok:
            continue
        swapped = bool((np.abs(xy[:, 1]) <= 180).all() and (np.abs(xy[:, 0]) <= 90).all())
        found = (f"x {xy[:, 0].min():.4f}…{xy[:, 0].max():.4f}, "
                 f"y {xy[:, 1].min():.4f}…{xy[:, 1].max():.4f}")
        problems.append(Problem(
            source, where, "longitude (x, ±180°) then latitude (y, ±90°)", found,
            "the coordinates look swapped: write longitude first (GeoJSON is [lon, lat])"
            if swapped else "check the file's coordinate system (set its CRS if projected)"))
    return problems


def swap_xy(geom):
    return shapely.transform(geom, lambda xy: xy[:, ::-1])
