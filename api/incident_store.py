"""Incident sets on disk: every set is stored as one normalised WGS-84 CSV the loader reads back.

Whatever the upload looked like (GCJ-02 or BD-09 points, epoch times, GB18030 text, odd column
names), the stored file has the columns ``id, time, category, lon, lat`` with ISO 8601 times and
WGS-84 degrees, so jobs read every set the same way through :func:`geodata.incidents.load_incidents`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geodata.files import atomic_path
from geodata.incidents import incidents_summary, load_incidents

COLUMNS = ["id", "time", "category", "lon", "lat"]


def write_normalised(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write loaded incidents (WGS-84) as the normalised CSV, atomically."""
    table = frame.assign(lon=frame.geometry.x.round(7), lat=frame.geometry.y.round(7),
                         time=frame["time"].map(lambda t: t.isoformat()))
    with atomic_path(path) as tmp:
        table[COLUMNS].to_csv(tmp, index=False)
    return path


def read_normalised(path: str | Path) -> gpd.GeoDataFrame:
    """The incidents of a stored set (WGS-84 points, tz-aware times, national event classes)."""
    return load_incidents(path, lon_col="lon", lat_col="lat", time_col="time",
                          category_col="category", id_col="id").frame


def summary_of(frame: gpd.GeoDataFrame, *, synthetic: bool) -> dict:
    out = incidents_summary(frame)
    if synthetic:
        out["note"] = "synthetic incidents (seeded generator, not real reports)"
    return out
