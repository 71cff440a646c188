"""Key points (重点点位) from a file: CSV ``id,name,lon,lat[,dwell_minutes][,window][,grid]`` or
a point layer (GeoJSON/GeoPackage) with the same properties, WGS-84 unless the file says.

Every problem (missing column, bad window, negative dwell) is reported at once; the points come
back as :class:`gridplan.model.KeyPoint` in the network's metric CRS, with ``grid_code`` when the
file names the grid whose officers visit it.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geodata.tables import read_vector
from gridplan.errors import InvalidInputError, ProblemCollector
from gridplan.model import KeyPoint
from gridplan.routing.shifts import parse_span

CSV_COLUMNS = "id,name,lon,lat,dwell_minutes,window[,grid]"


def read_key_points(path: str | os.PathLike[str], *, crs: object) -> list[KeyPoint]:
    """The key points of ``path`` in ``crs`` (metric)."""
    path = Path(path)
    frame = _read_csv(path) if path.suffix.lower() == ".csv" else read_vector(path)
    metric = frame.to_crs(crs).reset_index(drop=True)
    issues = ProblemCollector(str(path))
    points = []
    for i, row in metric.iterrows():
        where = f"row {i + 1}"
        window = None
        raw = row.get("window")
        if isinstance(raw, str) and raw.strip():
            try:
                window = parse_span(raw, source=f"{where} window")
            except InvalidInputError as exc:
                issues.problems += exc.problems
        dwell = pd.to_numeric(row.get("dwell_minutes", 0), errors="coerce")
        if pd.isna(dwell) or dwell < 0:
            issues.add(where, expected="dwell_minutes >= 0", found=repr(row.get("dwell_minutes")),
                       fix="minutes to stay, e.g. 10")
            dwell = 0.0
        points.append(KeyPoint(str(row["id"]), row.geometry, float(dwell), window,
                               _text(row.get("name")), grid_code=_text(row.get("grid"))))
    issues.raise_if_any()
    return points


def _read_csv(path: Path) -> gpd.GeoDataFrame:
    frame = pd.read_csv(path, dtype={"id": str, "grid": str, "name": str})
    issues = ProblemCollector(str(path))
    for col in ("id", "lon", "lat"):
        if col not in frame.columns:
            issues.add("header", expected=f"a {col!r} column", found=", ".join(frame.columns),
                       fix=f"columns: {CSV_COLUMNS}")
    issues.raise_if_any()
    return gpd.GeoDataFrame(frame, geometry=[Point(x, y) for x, y in zip(
        frame["lon"], frame["lat"], strict=True)], crs="EPSG:4326")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
