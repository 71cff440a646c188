"""Inputs for the map tests, built from the bundled central-Shanghai sample (real OSM streets).

Routes are shortest paths on the real walk network (networkx), so the tests exercise real
geometry and street names without depending on the routing package.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pytest
import shapely

from geodata import sample
from maps.common import network_streets
from maps.routes import routes_frame

METRIC = sample.METRIC_CRS


@pytest.fixture(scope="session")
def network():
    return sample.network("walk")


@pytest.fixture(scope="session")
def streets(network):
    return network_streets(network)


@pytest.fixture(scope="session")
def jurisdictions():
    return sample.jurisdictions()


@pytest.fixture(scope="session")
def grids():
    g = sample.grids()
    g["workload_h"] = [20.0 + 4 * i for i in range(len(g))]
    return g


def _walk(graph: nx.MultiGraph, a, b, officer: str, crs) -> gpd.GeoDataFrame:
    nodes = nx.shortest_path(graph, a, b, weight="length")
    steps = []
    for i, (u, v) in enumerate(zip(nodes, nodes[1:], strict=False)):
        key = min(graph[u][v], key=lambda k: graph[u][v][k]["length"])
        steps.append((u, v, key, i % 5 == 4))
    return routes_frame(graph, steps, officer=officer, crs=crs)


@pytest.fixture(scope="session")
def routes(network):
    """Two officers' routes (metric CRS): a long walk each across the sample area."""
    graph = network.undirected()
    largest = max(nx.connected_components(graph), key=len)
    nodes = sorted(largest, key=lambda n: (graph.nodes[n]["x"], graph.nodes[n]["y"]))
    a = _walk(graph, nodes[len(nodes) // 5], nodes[len(nodes) // 2], "A1", network.crs)
    b = _walk(graph, nodes[len(nodes) // 2 + 7], nodes[4 * len(nodes) // 5], "A2", network.crs)
    return gpd.GeoDataFrame(
        gpd.pd.concat([a, b], ignore_index=True), geometry="geometry", crs=network.crs)


@pytest.fixture(scope="session")
def key_points(routes):
    pts = [routes.geometry.iloc[2].interpolate(0.5, normalized=True),
           routes.geometry.iloc[-3].interpolate(0.5, normalized=True)]
    return gpd.GeoDataFrame({"id": ["K1", "K2"], "name": ["学校门口", "菜市场"],
                             "window": ["07:30–08:30", None], "dwell_minutes": [15.0, 10.0]},
                            geometry=pts, crs=routes.crs)


@pytest.fixture(scope="session")
def uncovered(streets):
    return gpd.GeoDataFrame({"name": [streets["name"].iloc[10] or ""], "reason": ["施工封闭"]},
                            geometry=[streets.geometry.iloc[10]], crs=streets.crs)


@pytest.fixture(scope="session")
def zones(jurisdictions):
    """50 m each side of the Huangpu / Jing'an line, split by side (metric CRS)."""
    line = sample.district_boundary(METRIC)
    band = line.buffer(50, cap_style="flat")
    j = jurisdictions.to_crs(METRIC)
    rows = [{"side": r.code, "code": "310101|310106", "geometry": band.intersection(r.geometry)}
            for _, r in j.iterrows()]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)


@pytest.fixture(scope="session")
def hotspots(zones):
    """Square cells along the zone with a made-up but valid Gi* class pattern."""
    minx, miny, maxx, maxy = zones.total_bounds
    cells, bins = [], []
    step = 150.0
    y, i = miny, 0
    while y < maxy:
        x = minx
        while x < maxx:
            cell = shapely.box(x, y, x + step, y + step)
            if cell.intersects(zones.union_all()):
                cells.append(cell)
                bins.append([3, 2, 1, 0, -1, -2, -3][i % 7])
                i += 1
            x += step
        y += step
    z = [b * 1.1 for b in bins]
    return gpd.GeoDataFrame({"gi_z": z, "gi_p": [0.2 / (1 + abs(b)) for b in bins],
                             "gi_bin": bins, "count": [max(0, 5 + b) for b in bins]},
                            geometry=cells, crs=METRIC)


@pytest.fixture(scope="session")
def meeting_points(zones):
    return gpd.GeoDataFrame({"label": ["会合点 1"]},
                            geometry=[zones.geometry.iloc[0].representative_point()], crs=METRIC)
