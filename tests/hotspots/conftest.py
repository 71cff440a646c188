"""Shared fixtures for the hotspot tests (small, deterministic, no network, no ../shared)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from gridplan.network import StreetNetwork

DATA = Path(__file__).resolve().parents[1] / "data" / "hotspots"
UTM51N = 32651


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def two_districts() -> gpd.GeoDataFrame:
    """Two 2 km squares side by side, codes A (west) and B (east), UTM 51N."""
    return gpd.GeoDataFrame({"code": ["A", "B"]},
                            geometry=[shapely.box(0, 0, 2000, 2000), shapely.box(2000, 0, 4000, 2000)],
                            crs=UTM51N)


def planted_incidents(seed: int, *, n_background: int = 600, n_hot: int = 150,
                      centre: tuple[float, float] = (2000.0, 1000.0), weeks: int = 8) -> gpd.GeoDataFrame:
    """Uniform background over both squares (and a strip outside them) plus a night-time cluster."""
    rng = np.random.default_rng(seed)
    background = rng.uniform([-200, 0], [4200, 2000], (n_background, 2))
    hot = rng.normal(centre, 60, (n_hot, 2))
    xy = np.vstack([background, hot])
    days = rng.integers(0, 7 * weeks, len(xy))
    hours = rng.integers(0, 24, len(xy))
    hours[n_background:] = rng.choice([21, 22, 23, 0], n_hot)
    start = pd.Timestamp("2024-03-04", tz="Asia/Shanghai")  # a Monday
    times = start + pd.to_timedelta(days, unit="D") + pd.to_timedelta(hours, unit="h")
    return gpd.GeoDataFrame({"time": times}, geometry=shapely.points(xy), crs=UTM51N)


def small_network() -> StreetNetwork:
    """A 3 x 3 street lattice (200 m blocks) with one unnamed grade-4 dead-end spur, UTM 51N."""
    g = nx.MultiDiGraph(crs=f"EPSG:{UTM51N}")
    coords = {i * 3 + j: (j * 200.0, i * 200.0) for i in range(3) for j in range(3)}
    coords[9] = (400.0, 500.0)  # spur north of node 8 (400, 400)
    for n, (x, y) in coords.items():
        g.add_node(n, x=x, y=y)
    edges = [(a, a + 1) for a in range(9) if a % 3 != 2] + [(a, a + 3) for a in range(6)]
    street = 0
    for u, v in [*edges, (8, 9)]:
        geom = shapely.LineString([coords[u], coords[v]])
        spur = v == 9
        attrs = {"length": geom.length, "grade": 4 if spur else 3, "highway": "service" if spur
                 else "residential", "name": "" if spur else f"路{street}", "oneway": False,
                 "lanes": None, "osmid": street, "street_id": street}
        g.add_edge(u, v, geometry=geom, **attrs)
        g.add_edge(v, u, geometry=shapely.LineString(geom.coords[::-1]), **attrs)
        street += 1
    return StreetNetwork(graph=g, mode="walk", source="test lattice")
