"""Jurisdiction hierarchy checks and shared boundaries (pure geometry in a metric CRS).

Input: a GeoDataFrame with columns ``code``, ``name``, ``level`` (:class:`JurisdictionLevel`
value), ``parent_code`` (may be None) and polygon ``geometry`` in metres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from gridplan.errors import Problem
from gridplan.model import JurisdictionLevel

#: GB/T 2260 district codes have 6 digits; towns (乡镇/街道) 9 and communities (社区/村) 12.
LEVEL_BY_CODE_LENGTH = {
    6: JurisdictionLevel.DISTRICT,
    9: JurisdictionLevel.TOWN,
    12: JurisdictionLevel.COMMUNITY,
}


def level_from_code(code: str) -> JurisdictionLevel | None:
    """Level implied by a code: 310000 province, 310100 city, 310101 district, 9/12 digits below."""
    if len(code) == 6 and code.isdigit():
        if code.endswith("0000"):
            return JurisdictionLevel.PROVINCE
        if code.endswith("00"):
            return JurisdictionLevel.CITY
    return LEVEL_BY_CODE_LENGTH.get(len(code))


def infer_parents(frame: gpd.GeoDataFrame) -> list[str | None]:
    """Parent of each feature: the smallest feature of a higher level that contains most of it."""
    parents: list[str | None] = []
    tree = shapely.STRtree(frame.geometry.values)
    levels = frame["level"].to_numpy()
    areas = frame.geometry.area.to_numpy()
    for i, geom in enumerate(frame.geometry.values):
        best, best_area = None, np.inf
        for j in tree.query(geom, predicate="intersects"):
            if levels[j] >= levels[i] or areas[j] >= best_area:
                continue
            if shapely.intersection(geom, frame.geometry.values[j]).area >= 0.9 * areas[i]:
                best, best_area = frame["code"].iloc[j], areas[j]
        parents.append(best)
    return parents


def sibling_overlaps(frame: gpd.GeoDataFrame, *, min_area_m2: float = 100.0) -> list[Problem]:
    """Pairs of features with the same parent and level whose interiors overlap."""
    problems = []
    geoms = frame.geometry.values
    tree = shapely.STRtree(geoms)
    for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
        if i >= j or not _siblings(frame, i, j):
            continue
        area = shapely.intersection(geoms[i], geoms[j]).area
        if area > min_area_m2:
            a, b = frame["code"].iloc[i], frame["code"].iloc[j]
            problems.append(
                Problem(
                    "jurisdictions",
                    f"features {a} and {b}",
                    "siblings that do not overlap",
                    f"{area:,.0f} m² of overlap",
                    f"trim the shared edge so the area belongs to {a} or {b} only",
                )
            )
    return problems


def sibling_gaps(frame: gpd.GeoDataFrame, *, min_area_m2: float = 10_000.0) -> list[Problem]:
    """Holes inside the union of siblings (area belonging to no sibling) above ``min_area_m2``."""
    problems = []
    keys = frame["parent_code"].fillna("").astype(str) + "|" + frame["level"].astype(str)
    for _, group in frame.groupby(keys):
        if len(group) < 2:
            continue
        union = shapely.union_all(group.geometry.values)
        for poly in getattr(union, "geoms", [union]):
            for ring in poly.interiors:
                hole = shapely.Polygon(ring)
                if hole.area > min_area_m2:
                    p = hole.representative_point()
                    problems.append(
                        Problem(
                            "jurisdictions",
                            f"siblings {', '.join(group['code'])}",
                            "siblings that tile their area without gaps",
                            f"a {hole.area:,.0f} m² gap around ({p.x:.0f}, {p.y:.0f})",
                            "extend a neighbouring polygon over the gap",
                        )
                    )
    return problems


def _siblings(frame: gpd.GeoDataFrame, i: int, j: int) -> bool:
    return (
        frame["level"].iloc[i] == frame["level"].iloc[j]
        and frame["parent_code"].iloc[i] == frame["parent_code"].iloc[j]
    )


def shared_boundary(
    a: BaseGeometry, b: BaseGeometry, *, tolerance_m: float = 5.0, min_length_m: float = 20.0
) -> BaseGeometry:
    """The line two neighbouring polygons share (metric CRS, metres); empty when they do not touch.

    Boundaries from different sources (or simplified separately) rarely share vertices: the
    common border shows up as two lines a few metres apart, with slivers of overlap and gap. So
    the shared line is the part of ``a``'s boundary within ``tolerance_m`` of ``b``'s boundary,
    merged into as few lines as possible. Each piece is trimmed by ``tolerance_m`` at both ends
    (otherwise the first metres of every border that merely runs up to the common one would
    count), and pieces shorter than ``min_length_m`` (corner touches, stray crossings) are dropped.
    """
    near = shapely.intersection(
        shapely.boundary(a), shapely.buffer(shapely.boundary(b), tolerance_m)
    )
    pieces = shapely.get_parts(shapely.line_merge(_lines_only(near)))
    trimmed = [
        substring(p, tolerance_m, p.length - tolerance_m)
        for p in pieces
        if p.length > 2 * tolerance_m
    ]
    kept = [p for p in trimmed if p.length >= min_length_m]
    return shapely.line_merge(shapely.MultiLineString(kept)) if kept else shapely.LineString()


def _lines_only(geometry: BaseGeometry) -> BaseGeometry:
    """The linear parts of an intersection result (points and empty pieces dropped)."""
    parts = shapely.get_parts(geometry)
    lines = [p for p in parts if p.geom_type in ("LineString", "MultiLineString") and p.length > 0]
    return shapely.MultiLineString([q for p in lines for q in shapely.get_parts(p)])


def shared_boundaries(
    frame: gpd.GeoDataFrame,
    *,
    tolerance_m: float = 5.0,
    min_length_m: float = 20.0,
    same_level: bool = True,
) -> gpd.GeoDataFrame:
    """Shared boundary line of every pair of neighbouring features (codes a < b).

    Columns: ``code_a``, ``code_b``, ``name_a``, ``name_b``, ``length_m``, ``geometry``.
    """
    geoms = frame.geometry.values
    tree = shapely.STRtree(geoms)
    rows = []
    for i, j in zip(*tree.query(geoms, predicate="dwithin", distance=tolerance_m), strict=True):
        if i >= j or (same_level and frame["level"].iloc[i] != frame["level"].iloc[j]):
            continue
        line = shared_boundary(
            geoms[i], geoms[j], tolerance_m=tolerance_m, min_length_m=min_length_m
        )
        if not line.is_empty:
            a, b = sorted([i, j], key=lambda k: frame["code"].iloc[k])
            rows.append(
                {
                    "code_a": frame["code"].iloc[a],
                    "code_b": frame["code"].iloc[b],
                    "name_a": frame["name"].iloc[a],
                    "name_b": frame["name"].iloc[b],
                    "length_m": float(line.length),
                    "geometry": line,
                }
            )
    cols = ["code_a", "code_b", "name_a", "name_b", "length_m", "geometry"]
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=frame.crs)
