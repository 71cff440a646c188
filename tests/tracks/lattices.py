"""Random street lattices (jittered nodes, streets removed) in UTM 51N metres, for the tracks
tests."""

from __future__ import annotations

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from gridplan.network import StreetNetwork

CRS = "EPSG:32651"
X0, Y0 = 352_000.0, 3_456_000.0  # central Shanghai


def random_lattice(rows: int, cols: int, *, seed: int, spacing_m: float = 90.0,
                   jitter_m: float = 20.0, drop_share: float = 0.25) -> StreetNetwork:
    """A walk network: a rows × cols lattice with nodes moved up to ``jitter_m`` and about
    ``drop_share`` of the streets removed (the largest connected piece kept)."""
    rng = np.random.default_rng(seed)
    xy = {(r, c): (X0 + c * spacing_m + rng.uniform(-jitter_m, jitter_m),
                   Y0 + r * spacing_m + rng.uniform(-jitter_m, jitter_m))
          for r in range(rows) for c in range(cols)}
    pairs = [((r, c), (r + dr, c + dc)) for (r, c) in xy for dr, dc in ((0, 1), (1, 0))
             if (r + dr, c + dc) in xy and rng.random() >= drop_share]
    simple = nx.Graph(pairs)
    keep = max(nx.connected_components(simple), key=len) if pairs else set()
    g = nx.MultiDiGraph(crs=CRS)
    for n in keep:
        g.add_node(n, x=xy[n][0], y=xy[n][1])
    for sid, (u, v) in enumerate(p for p in pairs if p[0] in keep):
        geom = LineString([xy[u], xy[v]])
        data = {"length": float(geom.length), "grade": int(rng.integers(1, 5)),
                "name": f"路{sid}", "highway": "residential", "oneway": False, "lanes": None,
                "street_id": sid}
        g.add_edge(u, v, key=0, geometry=geom, **data)
        g.add_edge(v, u, key=0, geometry=geom.reverse(), **data)
    return StreetNetwork(g, "walk")
