"""The street network view every algorithm works on.

Conventions (the contract between ``geodata`` loaders and ``gridplan`` algorithms):

* ``StreetNetwork.graph`` is an osmnx-compatible ``networkx.MultiDiGraph`` already projected to a
  metric CRS (``graph.graph["crs"]``); nodes carry ``x``, ``y`` (metres) and ``lon``, ``lat``
  (WGS-84 degrees).
* Every edge carries ``length`` (metres, > 0), ``grade`` (management grade 1–4, 1 = trunk/primary),
  ``highway`` (OSM class, first value if a list), ``name`` (street name, ``""`` if unnamed; Chinese
  kept as is), ``oneway`` (bool, as tagged), ``lanes`` (int or None), ``osmid`` and ``geometry``
  (a shapely LineString in the metric CRS, from u to v).
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
