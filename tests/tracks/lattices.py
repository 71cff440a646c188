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
                   jitter_m: float = 20.0, drop_share: float = 0.25,
                   dual_rows: frozenset[int] = frozenset(), dual_gap_m: float = 14.0
                   ) -> StreetNetwork:
    """A walk network: a rows × cols lattice with nodes moved up to ``jitter_m`` and about
    ``drop_share`` of the streets removed (the largest connected piece kept). The streets of each
    row in ``dual_rows`` are dual roads: an eastbound one-way carriageway through the row's nodes
    and a westbound one ``dual_gap_m`` north of it, joined at each node by a short crossing."""
    rng = np.random.default_rng(seed)
    xy = {(r, c): (X0 + c * spacing_m + rng.uniform(-jitter_m, jitter_m),
                   Y0 + r * spacing_m + rng.uniform(-jitter_m, jitter_m))
          for r in range(rows) for c in range(cols)}
    pairs = [((r, c), (r + dr, c + dc)) for (r, c) in xy for dr, dc in ((0, 1), (1, 0))
             if (r + dr, c + dc) in xy and rng.random() >= drop_share]
    simple = nx.Graph(pairs)
    keep = max(nx.connected_components(simple), key=len) if pairs else set()
    grades = {p: int(rng.integers(1, 5)) for p in pairs}
    north = {n: (n, "n") for n in keep if n[0] in dual_rows}  # the westbound carriageway's nodes
    g = nx.MultiDiGraph(crs=CRS)
    for n in keep:
        g.add_node(n, x=xy[n][0], y=xy[n][1])
        if n in north:
            g.add_node(north[n], x=xy[n][0], y=xy[n][1] + dual_gap_m)
    streets = []
    for u, v in (p for p in pairs if p[0] in keep):
        data = {"grade": grades[(u, v)], "name": f"路{len(streets)}", "oneway": False}
        if u[0] == v[0] and u[0] in dual_rows:  # a dual road: two carriageways, one name
            data |= {"grade": 1, "name": f"大道{u[0]}", "oneway": True}
            streets += [(u, v, data), (north[v], north[u], data)]
        elif u in north:  # the street north of a dual row starts at its north carriageway
            streets.append((north[u], v, data))
        else:
            streets.append((u, v, data))
    streets += [(n, north[n], {"grade": 4, "name": "", "oneway": False}) for n in sorted(north)]
    for sid, (u, v, data) in enumerate(streets):
        geom = LineString([(g.nodes[n]["x"], g.nodes[n]["y"]) for n in (u, v)])
        attrs = {"length": float(geom.length), "highway": "residential", "lanes": None,
                 "street_id": sid, **data}
        g.add_edge(u, v, key=0, geometry=geom, reversed=False, **attrs)
        g.add_edge(v, u, key=0, geometry=geom.reverse(), reversed=True, **attrs)
    return StreetNetwork(g, "walk")
