"""The street network as the map matcher sees it: one entry per physical street, a spatial index
and shortest distances between street ends.

A *position* on the network is ``(street index, offset)``: metres along the street's geometry
from its end ``a`` to its end ``b``. A street may be walked from ``a`` to ``b`` (``forward``),
from ``b`` to ``a`` (``backward``) or both, as the network's directed edges allow (on foot every
street both ways; by car one-way streets one way).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString

from gridplan.network import StreetNetwork


@dataclass(frozen=True, slots=True)
class Street:
    street_id: Hashable
    a: Hashable
    b: Hashable
    length_m: float
    geometry: LineString  # metric CRS, from a to b
    grade: int
    lanes: object
    name: str
    forward: bool  # a → b allowed
    backward: bool  # b → a allowed


class StreetIndex:
    """Streets, an STRtree over them and cached shortest walking distances between nodes."""

    def __init__(self, network: StreetNetwork) -> None:
        self.network = network
        self.streets: list[Street] = _streets(network.graph)
        self.by_id = {s.street_id: i for i, s in enumerate(self.streets)}
        self.geoms = np.array([s.geometry for s in self.streets], dtype=object)
        self.lengths = np.array([s.length_m for s in self.streets])
        self.tree = shapely.STRtree(self.geoms)
        self.graph = _routing_graph(self.streets)
        self._dist: dict[Hashable, tuple[float, dict[Hashable, float]]] = {}

    def __len__(self) -> int:
        return len(self.streets)

    # ------------------------------------------------------------------ distances
    def node_distances(self, source: Hashable, cutoff: float) -> dict[Hashable, float]:
        """Shortest distances (m) from ``source`` to nodes within ``cutoff`` (cached; a later
        call with a larger cutoff recomputes)."""
        known = self._dist.get(source)
        if known is not None and known[0] >= cutoff:
            return known[1]
        # round the cutoff up to a step of a geometric ladder so later calls reuse the result
        cutoff = 50.0 * 1.5 ** math.ceil(math.log(max(cutoff, 50.0) / 50.0, 1.5))
        found = nx.single_source_dijkstra_path_length(self.graph, source, cutoff=cutoff,
                                                      weight="length")
        self._dist[source] = (cutoff, found)
        return found

    def route_m(self, frm: tuple[int, float], to: tuple[int, float], cutoff: float) -> float:
        """Shortest distance along streets from one position to another (``inf`` past
        ``cutoff`` or when the streets' directions forbid it)."""
        i, t = frm
        j, u = to
        si, sj = self.streets[i], self.streets[j]
        best = math.inf
        if i == j and ((u >= t and si.forward) or (u <= t and si.backward)):
            best = abs(u - t)
        exits = ([(si.b, si.length_m - t)] if si.forward else []) + (
            [(si.a, t)] if si.backward else [])
        entries = ([(sj.a, u)] if sj.forward else []) + (
            [(sj.b, sj.length_m - u)] if sj.backward else [])
        for node, out_m in exits:
            if out_m >= best:
                continue
            dist = self.node_distances(node, cutoff)
            for entry, in_m in entries:
                d = dist.get(entry)
                if d is not None:
                    best = min(best, out_m + d + in_m)
        return best if best <= cutoff else math.inf

    def path(self, frm: tuple[int, float], to: tuple[int, float]) -> list[tuple[int, float, float]]:
        """The walked pieces ``(street, from_m, to_m)`` of a shortest route between positions
        (``[]`` when there is none)."""
        i, t = frm
        j, u = to
        si, sj = self.streets[i], self.streets[j]
        best, pieces = math.inf, []
        if i == j and ((u >= t and si.forward) or (u <= t and si.backward)):
            best, pieces = abs(u - t), [(i, t, u)]
        exits = ([(si.b, si.length_m - t, si.length_m)] if si.forward else []) + (
            [(si.a, t, 0.0)] if si.backward else [])
        entries = ([(sj.a, u, 0.0)] if sj.forward else []) + (
            [(sj.b, sj.length_m - u, sj.length_m)] if sj.backward else [])
        for node, out_m, out_end in exits:
            for entry, in_m, in_end in entries:
                try:
                    d, nodes = nx.bidirectional_dijkstra(self.graph, node, entry, weight="length")
                except nx.NetworkXNoPath:
                    continue
                if out_m + d + in_m < best - 1e-9:
                    best = out_m + d + in_m
                    pieces = [(i, t, out_end), *self._pieces(nodes), (j, in_end, u)]
        return pieces

    def _pieces(self, nodes: list[Hashable]) -> list[tuple[int, float, float]]:
        out = []
        for x, y in zip(nodes, nodes[1:], strict=False):
            k = self.graph.edges[x, y]["street"]
            s = self.streets[k]
            out.append((k, 0.0, s.length_m) if (x, y) == (s.a, s.b) else (k, s.length_m, 0.0))
        return out


def _streets(graph: nx.MultiDiGraph) -> list[Street]:
    first: dict[Hashable, tuple] = {}
    directions: dict[Hashable, set[tuple]] = {}
    for u, v, d in graph.edges(data=True):
        sid = d["street_id"]
        first.setdefault(sid, (u, v, d))
        directions.setdefault(sid, set()).add((u, v))
    out = []
    for sid, (u, v, d) in sorted(first.items(), key=lambda kv: str(kv[0])):
        geom = d.get("geometry")
        if geom is None:
            gu, gv = graph.nodes[u], graph.nodes[v]
            geom = LineString([(gu["x"], gu["y"]), (gv["x"], gv["y"])])
        both = directions[sid]
        out.append(Street(sid, u, v, float(geom.length) or float(d["length"]), geom,
                          int(d.get("grade", 4)), d.get("lanes"), str(d.get("name") or ""),
                          (u, v) in both, (v, u) in both or u == v))
    return out


def _routing_graph(streets: list[Street]) -> nx.DiGraph:
    """Directed graph with the shortest street between each pair of nodes."""
    g = nx.DiGraph()
    for k, s in enumerate(streets):
        for ok, x, y in ((s.forward, s.a, s.b), (s.backward, s.b, s.a)):
            if ok and x != y and (not g.has_edge(x, y) or g.edges[x, y]["length"] > s.length_m):
                g.add_edge(x, y, length=s.length_m, street=k)
    return g
