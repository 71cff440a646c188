"""Grid layouts (责任网格) from GeoJSON / GeoPackage, validated against their jurisdictions.

File properties: ``code``, ``name``, ``parent_code``, optional ``station_lon``/``station_lat``
(WGS-84), staff counts ``enforcement``, ``sanitation``, ``municipal``, ``greening`` and
``illustrative`` (true for made-up layouts such as the bundled sample's).
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from geodata.tables import VECTOR_SUFFIXES, Loaded, read_vector, require_file
from gridplan.crs import metric_crs_of
from gridplan.errors import Problem, ProblemCollector
from gridplan.model import Grid

STAFF_ROLES = ("enforcement", "sanitation", "municipal", "greening")


def load_grids(
    path: str | os.PathLike[str],
    *,
    jurisdictions: gpd.GeoDataFrame | None = None,
    metric_crs: str | None = None,
    tolerance_m: float = 5.0,
) -> Loaded:
    """Read a grid layout (WGS-84 out); check codes, staff and nesting in ``jurisdictions``.

    Nesting is measured in ``metric_crs``, by default the grids' own UTM zone
    (:func:`gridplan.crs.metric_crs_of`), wherever the city is."""
    path = require_file(path, kinds=VECTOR_SUFFIXES, what="grid polygon file")
    frame = read_vector(path)
    issues = ProblemCollector(str(path))
    for col in ("code", "parent_code"):
        if col not in frame.columns:
            issues.add(
                "header",
                expected=f"a '{col}' property",
                found=", ".join(frame.columns),
                fix=f"add '{col}' to every grid feature",
            )
    issues.raise_if_any()
    frame = frame.to_crs("EPSG:4326")
    frame["code"] = frame["code"].astype(str)
    frame["parent_code"] = frame["parent_code"].astype(str)
    for role in STAFF_ROLES:  # optional: a missing column means nobody of that role on file
        given = frame[role] if role in frame.columns else pd.Series(0, index=frame.index)
        frame[role] = pd.to_numeric(given, errors="coerce").fillna(0).astype(int)
    if "illustrative" not in frame.columns:
        frame["illustrative"] = False
    if "name" not in frame.columns:
        frame["name"] = frame["code"]
    for i, row in frame.iterrows():
        where = f"feature {i + 1} (code {row['code']})"
        if row.geometry is None or row.geometry.geom_type not in ("Polygon", "MultiPolygon"):
            issues.add(
                where,
                expected="a polygon",
                found=str(getattr(row.geometry, "geom_type", None)),
                fix="draw the grid as a polygon",
            )
    dup = frame["code"][frame["code"].duplicated()]
    for code in dup:
        issues.add(
            f"code {code}",
            expected="unique grid codes",
            found="repeated",
            fix="renumber one of the grids",
        )
    issues.raise_if_any(f"{path}: {len(issues)} problem(s) in the grid layout")
    warnings = (
        nesting_problems(frame, jurisdictions, tolerance_m=tolerance_m,
                         metric_crs=metric_crs or metric_crs_of(frame, name=str(path)))
        if jurisdictions is not None
        else []
    )
    return Loaded(frame, warnings, str(path))


def nesting_problems(
    grids: gpd.GeoDataFrame, jurisdictions: gpd.GeoDataFrame, *, metric_crs: object, tolerance_m: float
) -> list[Problem]:
    """Grids whose parent is unknown or that stick out of their parent jurisdiction."""
    g = grids.to_crs(metric_crs)
    j = jurisdictions.to_crs(metric_crs).set_index("code")
    problems = []
    for _, row in g.iterrows():
        if row["parent_code"] not in j.index:
            problems.append(
                Problem(
                    "grids",
                    f"grid {row['code']}",
                    "a parent_code among the jurisdictions",
                    row["parent_code"],
                    "fix the parent code",
                )
            )
            continue
        parent = shapely.buffer(j.loc[row["parent_code"], "geometry"], tolerance_m)
        outside = shapely.difference(row.geometry, parent).area
        if outside > 0.01 * row.geometry.area:
            problems.append(
                Problem(
                    "grids",
                    f"grid {row['code']}",
                    f"inside jurisdiction {row['parent_code']}",
                    f"{outside:,.0f} m² outside it",
                    "clip the grid to its jurisdiction or change its parent",
                )
            )
    return problems


def grids_to_model(frame: gpd.GeoDataFrame, *, metric_crs: str) -> list[Grid]:
    """Domain objects in ``metric_crs`` (stations projected too)."""
    metric = frame.to_crs(metric_crs)
    out = []
    for (_, row), (_, wgs) in zip(metric.iterrows(), frame.iterrows(), strict=True):
        station = None
        if pd.notna(wgs.get("station_lon")) and pd.notna(wgs.get("station_lat")):
            pt = (
                gpd.GeoSeries([Point(wgs["station_lon"], wgs["station_lat"])], crs="EPSG:4326")
                .to_crs(metric_crs)
                .iloc[0]
            )
            station = pt
        out.append(
            Grid(
                code=row["code"],
                geometry=row.geometry,
                parent_code=row["parent_code"],
                name=str(row.get("name", "")),
                station=station,
                staff={r: int(row[r]) for r in STAFF_ROLES},
                illustrative=bool(row.get("illustrative", False)),
            )
        )
    return out
