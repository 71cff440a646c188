"""The street network view every algorithm works on.

Conventions (the contract between ``geodata`` loaders and ``gridplan`` algorithms):

* ``StreetNetwork.graph`` is an osmnx-compatible ``networkx.MultiDiGraph`` already projected to a
  metric CRS (``graph.graph["crs"]``); nodes carry ``x``, ``y`` (metres) and ``lon``, ``lat``
  (WGS-84 degrees).
* Every edge carries ``length`` (metres, > 0), ``grade`` (management grade 1–4, 1 = trunk/primary),
  ``highway`` (OSM class, first value if a list), ``name`` (street name, ``""`` if unnamed; Chinese
  kept as is), ``oneway`` (bool, as tagged), ``lanes`` (int or None), ``osmid``, ``footway``
  (the OSM ``footway`` tag, e.g. ``"sidewalk"``, ``""`` if untagged), ``dual_carriageway`` (bool)
  and ``geometry`` (a shapely LineString in the metric CRS, from u to v).
* ``mode == "walk"``: every street is usable both ways, so each street appears as a pair of opposite
  edges u→v and v→u with the same ``street_id``. ``mode == "drive"``: one-way streets appear once.
* ``street_id`` identifies a physical street segment (the same for both directions), so routing can
  tell "walk this street" from "walk this direction".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree
from shapely.geometry import LineString

Mode = Literal["walk", "drive"]
MODES: tuple[Mode, ...] = ("walk", "drive")

#: Default OSM ``highway`` → management grade (道路等级 1–4). Links take their parent's grade.
DEFAULT_GRADES: Mapping[str, int] = {
    "motorway": 1,
    "motorway_link": 1,
    "trunk": 1,
    "trunk_link": 1,
    "primary": 1,
    "primary_link": 1,
    "secondary": 2,
    "secondary_link": 2,
    "tertiary": 3,
    "tertiary_link": 3,
    "unclassified": 3,
    "residential": 3,
    "road": 3,
    "living_street": 4,
    "service": 4,
    "pedestrian": 4,
    "footway": 4,
    "path": 4,
    "steps": 4,
    "track": 4,
    "alley": 4,
    "cycleway": 4,
    "corridor": 4,
    "busway": 4,
}
GRADES: tuple[int, ...] = (1, 2, 3, 4)


def grade_of(highway: str | list[str] | None, grades: Mapping[str, int] = DEFAULT_GRADES) -> int:
    """Management grade of an OSM ``highway`` value; unknown classes count as grade 4."""
    if isinstance(highway, list):
        return min((grade_of(h, grades) for h in highway), default=4)
    return grades.get(highway or "", 4)


@dataclass(slots=True)
class StreetNetwork:
    graph: nx.MultiDiGraph
    mode: Mode
    source: str = ""
    layers: dict[str, object] = field(default_factory=dict)  # e.g. "waterways": GeoDataFrame

    @property
    def crs(self) -> object:
        return self.graph.graph["crs"]

    @classmethod
    def from_osmnx(cls, graph: nx.MultiDiGraph, *, mode: Mode = "walk", crs: object = "utm",
                   grades: Mapping[str, int] | None = None) -> StreetNetwork:
        """A network from a graph osmnx gave you (``ox.graph_from_place(...)``, projected or
        not); see :func:`gridplan.network_build.network_from_graph`. The graph is not changed."""
        from gridplan.network_build import network_from_graph

        return network_from_graph(graph, mode=mode, crs=crs, grades=grades)

    def street_km_by_grade(self) -> dict[int, float]:
        """Kilometres of physical street per grade (each street counted once in both modes)."""
        seen: set[object] = set()
        km = dict.fromkeys(GRADES, 0.0)
        for _, _, d in self.graph.edges(data=True):
            sid = d["street_id"]
            if sid in seen:
                continue
            seen.add(sid)
            km[int(d["grade"])] += d["length"] / 1000.0
        return km

    def undirected(self) -> nx.MultiGraph:
        """One edge per physical street (keyed by ``street_id``), attributes kept."""
        g = nx.MultiGraph()
        g.graph.update(self.graph.graph)
        g.add_nodes_from(self.graph.nodes(data=True))
        seen: set[object] = set()
        for u, v, d in self.graph.edges(data=True):
            if d["street_id"] in seen:
                continue
            seen.add(d["street_id"])
            g.add_edge(u, v, key=d["street_id"], **d)
        return g


BRIDGE_NAME = "(gap walked across)"


def bridge_pieces(graph: nx.MultiGraph | nx.MultiDiGraph, *, max_gap_m: float
                  ) -> tuple[nx.MultiGraph | nx.MultiDiGraph, int]:
    """A copy of ``graph`` with its (weakly) connected pieces joined by straight links of at
    most ``max_gap_m`` metres (minimum spanning tree over the pieces' nearest node pairs).

    For walking only: street extracts made for driving lack the footways and crossings that
    join their pieces on foot. In a directed graph each link is added both ways.

    Links carry ``length``, ``geometry``, ``name`` = "(gap walked across)", ``bridge=True`` and a
    ``street_id`` of ``("bridge", i)``. Returns the graph and the number of links added.
    """
    out = graph.copy()
    directed = graph.is_directed()
    pieces = list(nx.weakly_connected_components(graph) if directed
                  else nx.connected_components(graph))
    if len(pieces) < 2:
        return out, 0
    nodes = [n for piece in pieces for n in sorted(piece, key=str)]
    label = np.concatenate([np.full(len(p), i) for i, p in enumerate(pieces)])
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes])
    best: dict[tuple[int, int], tuple[float, int, int]] = {}
    for i, j in cKDTree(xy).query_pairs(max_gap_m, output_type="ndarray"):
        a, b = sorted((int(label[i]), int(label[j])))
        if a != b:
            d = float(np.hypot(*(xy[i] - xy[j])))
            if (a, b) not in best or d < best[(a, b)][0]:
                best[(a, b)] = (d, int(i), int(j))
    links = nx.Graph()
    links.add_weighted_edges_from((a, b, d) for (a, b), (d, _, _) in best.items())
    added = 0
    for a, b in sorted(nx.minimum_spanning_tree(links).edges()):
        d, i, j = best[(min(a, b), max(a, b))]
        key = ("bridge", added)
        ends = [(nodes[i], nodes[j], xy[i], xy[j])]
        if directed:
            ends.append((nodes[j], nodes[i], xy[j], xy[i]))
        for u, v, pu, pv in ends:
            out.add_edge(u, v, key=key, **_link(key, d, pu, pv))
        added += 1
    return out, added


def _link(key: tuple, length_m: float, pu, pv) -> dict:
    return dict(length=max(length_m, 1e-3), street_id=key, name=BRIDGE_NAME, bridge=True,
                grade=4, highway="", oneway=False, lanes=None, osmid=None,
                geometry=LineString([pu, pv]))
