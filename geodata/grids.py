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

from geodata.jurisdictions import repaired_polygons
from geodata.lonlat import WGS84, lonlat_problems, swap_xy
from geodata.tables import VECTOR_SUFFIXES, Loaded, read_vector, require_file
from gridplan.crs import metric_crs_of
from gridplan.errors import Problem, ProblemCollector
from gridplan.grid_frames import STAFF_ROLES, grids_from_frame
from gridplan.model import Grid


def load_grids(
    path: str | os.PathLike[str],
    *,
    jurisdictions: gpd.GeoDataFrame | None = None,
    metric_crs: str | None = None,
    tolerance_m: float = 5.0,
) -> Loaded:
    """Read a grid layout (WGS-84 out); check codes, staff and nesting in ``jurisdictions``
    (measured in ``metric_crs``, default the local UTM zone of the grids)."""
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
    for i, row in frame.reset_index(drop=True).iterrows():
        where = f"feature {i + 1} (code {row['code']})"
        if row.geometry is None or row.geometry.geom_type not in ("Polygon", "MultiPolygon"):
            issues.add(
                where,
                expected="a polygon",
                found=str(getattr(row.geometry, "geom_type", None)),
                fix="draw the grid as a polygon",
            )
    not_lonlat = lonlat_problems(frame, source=str(path))
    issues.problems.extend(not_lonlat)
    geoms, repairs = repaired_polygons(frame, source=str(path))
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    dup = frame["code"][frame["code"].duplicated()]
    for code in dup:
        issues.add(
            f"code {code}",
            expected="unique grid codes",
            found="repeated",
            fix="renumber one of the grids",
        )
    if jurisdictions is not None and not not_lonlat:
        issues.problems.extend(swapped_against(frame, jurisdictions, source=str(path)))
    issues.raise_if_any(f"{path}: {len(issues)} problem(s) in the grid layout")
    warnings = repairs + (
        nesting_problems(frame, jurisdictions, metric_crs=metric_crs or metric_crs_of(frame),
                         tolerance_m=tolerance_m)
        if jurisdictions is not None
        else []
    )
    return Loaded(frame, warnings, str(path))


def swapped_against(
    grids: gpd.GeoDataFrame, jurisdictions: gpd.GeoDataFrame, *, source: str
) -> list[Problem]:
    """Grids (WGS-84) that miss every jurisdiction but would fall inside one with x and y
    swapped: latitude written first, with both values still in range (e.g. Helsinki)."""
    area = shapely.union_all(jurisdictions.to_crs(WGS84).geometry.to_numpy())
    problems = []
    for i, (code, geom) in enumerate(zip(grids["code"], grids.geometry, strict=True)):
        if geom is None or geom.intersects(area) or not swap_xy(geom).intersects(area):
            continue
        problems.append(Problem(
            source, f"feature {i + 1} (code {code})", "a grid inside the jurisdictions",
            "it lies outside all of them, but inside with longitude and latitude swapped",
            "write longitude first (GeoJSON is [lon, lat])"))
    return problems


def nesting_problems(
    grids: gpd.GeoDataFrame, jurisdictions: gpd.GeoDataFrame, *, metric_crs: str, tolerance_m: float
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
    """Domain objects in ``metric_crs`` (stations projected too); see
    :func:`gridplan.grid_frames.grids_from_frame`."""
    return grids_from_frame(frame, crs=metric_crs)

