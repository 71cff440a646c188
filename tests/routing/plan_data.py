"""Small street networks for the patrol-plan tests: a lattice of streets in UTM 51N metres."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import networkx as nx
import numpy as np
from shapely.geometry import LineString, Point, box

from gridplan.model import Grid, Shift
from gridplan.network import StreetNetwork

CRS = "EPSG:32651"
TZ = ZoneInfo("Asia/Shanghai")
X0, Y0 = 350_000.0, 3_450_000.0


def lattice(rows: int, cols: int, *, spacing_m: float = 100.0, seed: int = 0,
            grades: tuple[int, ...] = (1, 2, 3, 4), mode: str = "walk",
            one_way: set[tuple] | None = None) -> StreetNetwork:
    """A rows × cols lattice; streets get random grades from ``grades`` (seeded). In drive mode
    the streets in ``one_way`` (node pairs) exist only in their given direction."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs=CRS)
    for r in range(rows):
        for c in range(cols):
            g.add_node((r, c), x=X0 + c * spacing_m, y=Y0 + r * spacing_m)
    sid = 0
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr >= rows or c + dc >= cols:
                    continue
                u, v = (r, c), (r + dr, c + dc)
                grade = int(rng.choice(grades))
                geom = LineString([(g.nodes[u]["x"], g.nodes[u]["y"]),
                                   (g.nodes[v]["x"], g.nodes[v]["y"])])
                data = {"length": float(geom.length), "grade": grade, "name": f"路{sid}",
                        "highway": "residential", "oneway": False, "lanes": None,
                        "street_id": sid}
                g.add_edge(u, v, key=0, geometry=geom, **data)
                if mode == "walk" or not (one_way and (u, v) in one_way):
                    g.add_edge(v, u, key=0, geometry=geom.reverse(), **data)
                sid += 1
    return StreetNetwork(g, mode)  # type: ignore[arg-type]


def whole_grid(net: StreetNetwork, *, station: Point | None = None, code: str = "G1",
               margin_m: float = 10.0) -> Grid:
    xs = [d["x"] for _, d in net.graph.nodes(data=True)]
    ys = [d["y"] for _, d in net.graph.nodes(data=True)]
    polygon = box(min(xs) - margin_m, min(ys) - margin_m, max(xs) + margin_m, max(ys) + margin_m)
    return Grid(code, polygon, "310101", station=station or Point(X0 + 3, Y0 + 4),
                staff={"enforcement": 3})


def shift(start_h: int = 8, end_h: int = 12, day: int = 25) -> Shift:
    return Shift(datetime(2026, 11, day, start_h, 0, tzinfo=TZ),
                 datetime(2026, 11, day, end_h, 0, tzinfo=TZ), "test")
