"""Incidents to cells (hexagons or squares) or to street segments, in a metric CRS (metres).

Cell lattices are built over the bounding box of an area and kept where they intersect it.
Points are assigned with a k-d tree on the *full* lattice: on a regular hexagonal or square
lattice the nearest centre is the cell that contains the point, so assignment is exact and needs
no polygon tests; points whose cell lies outside the area are reported as unassigned.

``cell_size_m`` is the width across the cell: side length for squares, distance between opposite
sides ("across flats") for hexagons, so a 100 m hexagon has side 100/√3 ≈ 57.7 m and area
≈ 8,660 m². ``orientation="pointy"`` puts a vertex at the top (rows are horizontal),
``"flat"`` puts a side at the top (columns are vertical).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InvalidInputError, Problem
from gridplan.params import Params, param

CellShape = Literal["hexagon", "square"]
Orientation = Literal["pointy", "flat"]


@dataclass(frozen=True, kw_only=True)
class CellParams(Params):
    """How to tile an area into counting cells."""

    _section = "cells"
    cell_shape: CellShape = param("hexagon", choices=("hexagon", "square"),
                            help="counting cell shape")
    cell_size_m: float = param(100.0, unit="m", ge=20, le=5000, help="cell width "
                               "(hexagons: across flats); GPS error makes smaller cells noise")
    cell_orientation: Orientation = param("pointy", choices=("pointy", "flat"),
                                  help="hexagon orientation: a vertex or a side at the top")


def _hex_vertices(side_m: float, orientation: Orientation) -> np.ndarray:
    start = 30.0 if orientation == "pointy" else 0.0
    angles = np.deg2rad(start + 60.0 * np.arange(6))
    return side_m * np.column_stack([np.cos(angles), np.sin(angles)])


def _lattice(bounds: tuple[float, float, float, float], params: CellParams) -> tuple[np.ndarray, np.ndarray]:
    """Centres covering ``bounds`` with one cell of margin, and the cell's vertex offsets."""
    minx, miny, maxx, maxy = bounds
    size = params.cell_size_m
    if params.cell_shape == "square":
        xs = np.arange(minx - size, maxx + size, size) + size / 2
        ys = np.arange(miny - size, maxy + size, size) + size / 2
        gx, gy = np.meshgrid(xs, ys)
        h = size / 2
        offsets = np.array([[-h, -h], [h, -h], [h, h], [-h, h]])
        return np.column_stack([gx.ravel(), gy.ravel()]), offsets
    side = size / np.sqrt(3.0)
    # pointy: rows 1.5 side apart, shifted by half a width on odd rows; flat: the transpose.
    step_along, step_across = size, 1.5 * side
    if params.cell_orientation == "pointy":
        lo_a, hi_a, lo_c, hi_c = minx, maxx, miny, maxy
    else:
        lo_a, hi_a, lo_c, hi_c = miny, maxy, minx, maxx
    along = np.arange(lo_a - step_along, hi_a + 2 * step_along, step_along)
    across = np.arange(lo_c - step_across, hi_c + 2 * step_across, step_across)
    ga, gc = np.meshgrid(along, across)
    ga = ga + (np.arange(len(across)) % 2)[:, None] * step_along / 2
    a, c = ga.ravel(), gc.ravel()
    centres = np.column_stack([a, c] if params.cell_orientation == "pointy" else [c, a])
    return centres, _hex_vertices(side, params.cell_orientation)


def make_cells(area: BaseGeometry | gpd.GeoSeries | gpd.GeoDataFrame, params: CellParams | None = None,
               *, crs: object = None) -> gpd.GeoDataFrame:
    """Cells covering ``area`` (a polygon or polygons in a metric CRS).

    Returns a GeoDataFrame with ``cell_id`` (0…n-1), ``x``, ``y`` (centre, metres) and polygon
    geometry; only cells sharing some area with it are kept. The attribute ``attrs["lattice"]`` keeps
    what :func:`assign_to_cells` needs.
    """
    params = params or CellParams()
    geom, crs = _area_geometry(area, crs)
    centres, offsets = _lattice(geom.bounds, params)
    rings = centres[:, None, :] + offsets[None, :, :]
    polygons = shapely.polygons(rings)
    shapely.prepare(geom)
    # cells that only touch the area along an edge hold no part of it: they would be empty
    # of incidents by construction and bias every neighbour's statistic downwards
    keep = shapely.intersects(geom, polygons) & ~shapely.touches(geom, polygons)
    kept_index = np.nonzero(keep)[0]
    cells = gpd.GeoDataFrame({"cell_id": np.arange(len(kept_index)),
                              "x": centres[keep, 0], "y": centres[keep, 1]},
                             geometry=polygons[keep], crs=crs)
    lattice_to_cell = np.full(len(centres), -1)
    lattice_to_cell[kept_index] = np.arange(len(kept_index))
    cells.attrs["lattice"] = {"centres": centres, "to_cell": lattice_to_cell, "params": params}
    return cells


def _area_geometry(area: object, crs: object) -> tuple[BaseGeometry, object]:
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        crs = crs or area.crs
        geom = area.union_all() if len(area) else shapely.Polygon()
    else:
        geom = area
    problems = []
    if not isinstance(geom, BaseGeometry) or geom.is_empty or geom.area <= 0:
        problems.append(Problem("area", "", "a non-empty polygon or polygons in a metric CRS",
                                type(geom).__name__, "pass jurisdiction or grid polygons"))
    elif crs is not None and getattr(gpd.GeoSeries(crs=crs).crs, "is_geographic", False):
        problems.append(Problem("area", "", "a projected CRS in metres", str(crs),
                                "project first, e.g. to UTM 51N (EPSG:32651) for Shanghai"))
    if problems:
        raise InvalidInputError("cannot tile the area", problems)
    return geom, crs


def assign_to_cells(points: gpd.GeoSeries | np.ndarray, cells: gpd.GeoDataFrame) -> np.ndarray:
    """``cell_id`` of each point, -1 for points outside every cell. Exact, O(m log n)."""
    lattice = cells.attrs.get("lattice")
    if lattice is None:
        raise InvalidInputError("cells were not made by make_cells", [Problem(
            "cells", "", "a GeoDataFrame from make_cells (carrying attrs['lattice'])",
            "no lattice information", "build cells with make_cells, or use assign_to_segments")])
    xy = _xy(points)
    if len(xy) == 0:
        return np.zeros(0, dtype=int)
    _, nearest = cKDTree(lattice["centres"]).query(xy)
    ids = lattice["to_cell"][nearest]
    # Points beyond the lattice's margin snap to an edge cell that does not hold them.
    candidate = np.nonzero(ids >= 0)[0]
    inside = shapely.intersects_xy(cells.geometry.values[ids[candidate]], xy[candidate, 0],
                                   xy[candidate, 1])
    ids[candidate[~inside]] = -1
    return ids


def _xy(points: gpd.GeoSeries | np.ndarray) -> np.ndarray:
    if isinstance(points, gpd.GeoSeries | gpd.GeoDataFrame):
        geoms = points.geometry.values if isinstance(points, gpd.GeoDataFrame) else points.values
        return shapely.get_coordinates(geoms).reshape(-1, 2) if len(geoms) else np.zeros((0, 2))
    return np.asarray(points, dtype=float).reshape(-1, 2)


def recency_weights(times: pd.Series | np.ndarray, *, half_life_days: float,
                    reference_time: datetime | None = None) -> np.ndarray:
    """Weight 0.5 ** (age / half-life) per incident; age in days before ``reference_time``
    (default: the latest incident). Incidents after the reference time weigh 1."""
    if not half_life_days > 0:
        raise InvalidInputError("invalid half-life", [Problem(
            "half_life_days", "", "a positive number of days", repr(half_life_days),
            "use e.g. 28 (four weeks)")])
    t = pd.to_datetime(pd.Series(times))
    ref = pd.Timestamp(reference_time) if reference_time is not None else t.max()
    age_days = ((ref - t) / pd.Timedelta(days=1)).to_numpy(dtype=float).clip(min=0.0)
    return 0.5 ** (age_days / half_life_days)


def count_per_unit(unit_ids: np.ndarray, n_units: int, *, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``weights`` (default 1) per unit id 0…n_units-1; ids < 0 are ignored."""
    ids = np.asarray(unit_ids)
    inside = ids >= 0
    w = None if weights is None else np.asarray(weights, dtype=float)[inside]
    return np.bincount(ids[inside], weights=w, minlength=n_units).astype(float)


def assign_to_segments(points: gpd.GeoSeries | np.ndarray, segments: gpd.GeoDataFrame, *,
                       max_snap_m: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Row position of the nearest segment for each point (-1 beyond ``max_snap_m``) and the
    snap distance in metres (NaN when unassigned). ``segments``: line geometries, metric CRS."""
    if not max_snap_m > 0:
        raise InvalidInputError("invalid snap distance", [Problem(
            "max_snap_m", "", "a positive distance in metres", repr(max_snap_m), "use e.g. 30")])
    xy = _xy(points)
    ids = np.full(len(xy), -1)
    dist = np.full(len(xy), np.nan)
    if len(xy) == 0 or len(segments) == 0:
        return ids, dist
    tree = shapely.STRtree(segments.geometry.values)
    (pt, seg), d = tree.query_nearest(shapely.points(xy), max_distance=max_snap_m,
                                      return_distance=True, all_matches=False)
    ids[pt] = seg
    dist[pt] = d
    return ids, dist


def segment_table(network_graph: object) -> gpd.GeoDataFrame:
    """One row per physical street (``street_id``) of a StreetNetwork graph, metric CRS:
    ``street_id``, ``u``, ``v``, ``name``, ``grade``, ``highway``, ``length``, ``x``, ``y``
    (midpoint), geometry."""
    seen: set[object] = set()
    rows = []
    for u, v, d in network_graph.edges(data=True):
        if d["street_id"] in seen:
            continue
        seen.add(d["street_id"])
        rows.append({"street_id": d["street_id"], "u": u, "v": v, "name": d.get("name", ""),
                     "grade": int(d.get("grade", 4)), "highway": d.get("highway", ""),
                     "length": float(d["length"]), "geometry": d["geometry"]})
    columns = ["street_id", "u", "v", "name", "grade", "highway", "length", "geometry"]
    table = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry",
                             crs=network_graph.graph.get("crs"))
    mid = shapely.line_interpolate_point(table.geometry.values, 0.5, normalized=True)
    table["x"], table["y"] = shapely.get_x(mid), shapely.get_y(mid)
    return table


def street_area(segments: gpd.GeoDataFrame, *, buffer_m: float = 60.0) -> BaseGeometry:
    """Where incidents can be recorded: the streets grown by ``buffer_m`` metres (metric CRS).

    Pass it as ``study_area`` so cells cover the surveyed streets, not empty country."""
    if not buffer_m > 0:
        raise InvalidInputError("invalid street buffer", [Problem(
            "buffer_m", "", "a positive distance in metres", repr(buffer_m), "use e.g. 60")])
    return shapely.union_all(shapely.buffer(segments.geometry.values, buffer_m))
