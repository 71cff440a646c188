"""Small real fixtures for the grid tests (see tests/data/grids/SOURCE.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import networkx as nx

from gridplan.network import StreetNetwork, grade_of

DATA = Path(__file__).resolve().parents[1] / "data" / "grids"


@cache
def _edges() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "shanghai_streets_32651.geojson")


def shanghai_network() -> StreetNetwork:
    """A walk-mode StreetNetwork of a 1.1 km window of central Shanghai (EPSG:32651)."""
    edges = _edges()
    g = nx.MultiDiGraph(crs=edges.crs)
    for row in edges.itertuples():
        for u, v, geom in ((row.u, row.v, row.geometry), (row.v, row.u, row.geometry.reverse())):
            for node, (x, y) in ((u, geom.coords[0]), (v, geom.coords[-1])):
                g.add_node(node, x=x, y=y)
            g.add_edge(u, v, length=float(row.length), grade=grade_of(row.highway),
                       highway=row.highway, name=row.name or "", oneway=bool(row.oneway),
                       lanes=None, osmid=row.osmid, geometry=geom,
                       street_id=f"{min(row.u, row.v)}-{max(row.u, row.v)}-{row.Index}")
    return StreetNetwork(graph=g, mode="walk", source="tests/data/grids")


def jurisdictions() -> gpd.GeoDataFrame:
    """Huangpu (310101) and Jing'an (310106) clipped to the same window (EPSG:32651)."""
    return gpd.read_file(DATA / "huangpu_jingan_window_32651.geojson")
