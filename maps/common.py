"""Helpers shared by the three folium maps: frame preparation, bounds, street background, saving."""

from __future__ import annotations

import os
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.files import write_text
from gridplan.errors import GridPlanError, InvalidInputError, Problem
from maps.assets import external_resources, make_offline
from maps.basemap import TileProvider, to_tile_coords
from maps.fonts import font_face_css
from maps.layers import WGS84

COORD_DECIMALS = 6  # ~0.1 m: keeps the HTML small without visible loss
STREET_MARGIN_M = 150.0  # streets drawn around a grid: enough to see how to walk in and out
STREET_STYLE = {"color": "#8a8a8a", "weight": 1.5, "opacity": 0.8}
OUTLINE_STYLE = {"color": "#1a1a1a", "weight": 3, "opacity": 0.9, "dashArray": "12 4 2 4"}


def rounded(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["geometry"] = shapely.transform(frame.geometry.to_numpy(),
                                        lambda xy: np.round(xy, COORD_DECIMALS))
    return out


def for_drawing(frame: gpd.GeoDataFrame | None, tiles: TileProvider) -> gpd.GeoDataFrame | None:
    """A validated WGS-84 frame shifted to the tiles' datum and rounded, ready for GeoJSON."""
    if frame is None:
        return None
    return rounded(to_tile_coords(frame, tiles))


def streets_frame(streets) -> gpd.GeoDataFrame | None:
    """Street lines for a map's street layer, WGS-84 geometry only.

    ``streets``: a :class:`gridplan.network.StreetNetwork` (its physical streets) or any line
    frame with a CRS (e.g. :func:`network_streets`, :func:`streets_near`)."""
    if streets is not None and hasattr(streets, "graph") and hasattr(streets, "crs"):
        streets = network_streets(streets)
    if streets is None or len(streets) == 0:
        return None
    if not isinstance(streets, gpd.GeoDataFrame) or streets.crs is None:
        raise InvalidInputError("streets: not usable as a background", [Problem(
            "streets", "", expected="a GeoDataFrame of street lines with a CRS",
            found=type(streets).__name__ if not isinstance(streets, gpd.GeoDataFrame)
            else "no CRS", fix="pass network edges, e.g. the edges frame of a StreetNetwork")])
    lines = streets[streets.geom_type.isin(["LineString", "MultiLineString"])]
    return gpd.GeoDataFrame(geometry=lines.geometry.to_crs(WGS84).to_numpy(), crs=WGS84)


def streets_near(streets, *areas: gpd.GeoDataFrame | None,
                 margin_m: float = STREET_MARGIN_M) -> gpd.GeoDataFrame | None:
    """The streets (a StreetNetwork or a line frame) within ``margin_m`` of the ``areas``
    (e.g. a grid), clipped there, in the streets' CRS: a map's street layer stays small."""
    if streets is not None and hasattr(streets, "graph") and hasattr(streets, "crs"):
        streets = network_streets(streets)
    if streets is None or len(streets) == 0:
        return None
    metric = streets.crs if streets.crs.is_projected else streets.estimate_utm_crs()
    shapes = [a.to_crs(metric).geometry.to_numpy() for a in areas if a is not None and len(a)]
    if not shapes:
        return streets
    window = shapely.union_all(np.concatenate(shapes)).buffer(margin_m)
    lines = streets.to_crs(metric)
    lines = lines[lines.intersects(window)].copy()
    lines["geometry"] = lines.geometry.intersection(window)
    lines = lines[~lines.geometry.is_empty]
    return lines.to_crs(streets.crs)


def total_bounds(*frames: gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    if not boxes:
        raise InvalidInputError("nothing to draw", [Problem(
            "map", "", expected="at least one non-empty layer", found="only empty layers",
            fix="pass the grids, routes or jurisdictions to draw")])
    arr = np.array(boxes)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
            float(arr[:, 3].max()))


def add_streets(fmap: folium.Map, streets: gpd.GeoDataFrame | None, tiles: TileProvider,
                name: str) -> bool:
    """Grey street lines, not clickable: where to walk when there are no tiles. True if drawn."""
    drawn = for_drawing(streets, tiles)
    if drawn is None:
        return False
    folium.GeoJson(drawn, name=name, interactive=False,
                   style_function=lambda _: dict(STREET_STYLE)).add_to(fmap)
    return True


def add_outline(fmap: folium.Map, areas: gpd.GeoDataFrame | None, tiles: TileProvider,
                name: str) -> bool:
    """The grid's boundary as a heavy dark line over everything else, not clickable."""
    if areas is None or len(areas) == 0:
        return False
    drawn = for_drawing(gpd.GeoDataFrame(geometry=areas.geometry.to_crs(WGS84).boundary.to_numpy(),
                                         crs=WGS84), tiles)
    folium.GeoJson(drawn, name=name, interactive=False,
                   style_function=lambda _: dict(OUTLINE_STYLE)).add_to(fmap)
    return True


def properties_only(frame: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Only the columns the tooltip needs, as strings: GeoJSON stays small and JSON-safe."""
    data = {c: frame[c].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                            else str(v)) for c in columns}
    return gpd.GeoDataFrame(pd.DataFrame(data, index=frame.index), geometry=frame.geometry,
                            crs=frame.crs)


def save_map(fmap: folium.Map, path: str | os.PathLike[str], *, offline: bool = True) -> Path:
    """Write ``fmap`` as one HTML file, atomically.

    ``offline=True`` (default, and what the CLI and demo use) inlines the vendored Leaflet so the
    file opens with no network (see :mod:`maps.assets`); tiles, if any, still need the network.
    """
    if offline:
        make_offline(fmap)
    page = with_cjk_font(fmap.get_root().render())
    if offline and (links := external_resources(page)):
        raise GridPlanError("offline map still links external resources",
                            [Problem("map", "", expected="no external scripts or stylesheets",
                                     found=", ".join(links), fix="vendor them in maps/static")])
    return write_text(path, page)


def with_cjk_font(page: str) -> str:
    """``page`` with an inlined ``@font-face`` holding its own Chinese characters (see
    :mod:`maps.fonts`), so labels render on a machine without a CJK font."""
    css = font_face_css(page)
    if not css:
        return page
    return page.replace("<head>", f"<head>\n<style>{css}</style>", 1)


def network_streets(network) -> gpd.GeoDataFrame:
    """One line per physical street of a :class:`gridplan.network.StreetNetwork` (its CRS),
    with ``name`` and ``grade``: the grey background of the maps and the meeting sheet."""
    rows = [(d.get("name") or "", d.get("grade"), d["geometry"])
            for _, _, d in network.undirected().edges(data=True) if d.get("geometry") is not None]
    frame = pd.DataFrame(rows, columns=["name", "grade", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=network.crs)
