"""A city's street network cut into per-grid pieces, so each grid's plan travels alone.

:func:`gridplan.routing.plan_grid` only ever looks at the streets that come within
``connect_buffer_m`` of the grid (see :mod:`gridplan.routing.plan_area`). A city has hundreds
to thousands of grids; a worker planning one of them needs that piece, not the whole city, and
must not copy the whole city's graph to find it.

:class:`NetworkSlicer` prepares the network once — on foot, the gaps between pieces of the
network are bridged for the whole city (:func:`prepare_network`), exactly as a whole-network
plan would bridge them — and indexes every street in an STR-tree. :meth:`NetworkSlicer.cut` then
returns, for one grid, a small :class:`~gridplan.network.StreetNetwork` holding exactly the
streets the routing area would select, in the whole graph's order: planning on the slice gives
the same plan as planning on the whole network (same streets, same instance numbering, same
seed → same routes). Incidents are cut to the slice's reach the same way (:meth:`incidents_near`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from gridplan.model import Grid
from gridplan.network import StreetNetwork, bridge_pieces
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan_area import BRIDGED


def prepare_network(network: StreetNetwork, params: PatrolParams) -> StreetNetwork:
    """``network`` with its walking gaps bridged once for the whole city (a copy), or the
    network itself when nothing is to be bridged (driving, ``bridge_gaps_m`` = 0, done already).

    :func:`gridplan.routing.plan_area.routing_area` sees the mark and does not bridge again.
    """
    graph = network.graph
    done = graph.graph.get(BRIDGED)
    if network.mode != "walk" or params.bridge_gaps_m <= 0 or (
            done is not None and done[0] == params.bridge_gaps_m):
        return network
    bridged, added = bridge_pieces(graph, max_gap_m=params.bridge_gaps_m)
    bridged.graph[BRIDGED] = (float(params.bridge_gaps_m), added)
    return StreetNetwork(bridged, network.mode, source=network.source, layers=network.layers)


@dataclass(frozen=True)
class NetworkSlicer:
    """Cuts per-grid slices out of one prepared network (see the module docstring)."""

    network: StreetNetwork
    params: PatrolParams
    _edges: tuple[tuple, ...]
    _tree: shapely.STRtree
    _position: dict  # node -> its rank in the whole graph's node order

    @classmethod
    def of(cls, network: StreetNetwork, params: PatrolParams | None = None) -> NetworkSlicer:
        """A slicer for routing grids: the network prepared as routing prepares it."""
        params = params or PatrolParams()
        return cls.plain(prepare_network(network, params), params)

    @classmethod
    def plain(cls, network: StreetNetwork, params: PatrolParams | None = None) -> NetworkSlicer:
        """A slicer of ``network`` as it is (nothing bridged), e.g. for districts' areas."""
        graph = network.graph
        edges = tuple(graph.edges(keys=True))
        geoms = np.array([_geometry(graph, u, v, graph.edges[u, v, k]) for u, v, k in edges],
                         dtype=object)
        return cls(network, params or PatrolParams(), edges, shapely.STRtree(geoms),
                   {n: i for i, n in enumerate(graph.nodes)})

    def cut(self, grid: Grid) -> StreetNetwork:
        """The streets within ``connect_buffer_m`` of ``grid`` as a network of their own (the
        graph's attributes — CRS, bridging mark — kept; edge order as in the whole graph)."""
        return self.within(grid.geometry.buffer(self.params.connect_buffer_m))

    def within(self, area: BaseGeometry) -> StreetNetwork:
        """The streets meeting ``area`` (metric CRS) as a network of their own, in the whole
        graph's order; map layers (waterways…) cut to the area too."""
        hits = np.sort(self._tree.query(area, predicate="intersects"))
        whole = self.network.graph
        edges = [self._edges[i] for i in hits]
        # Nodes first, in the whole graph's order, then edges in its order: the piece iterates
        # its edges exactly as the whole graph does (what keeps plans identical), and building
        # it costs the size of the piece, never of the city.
        nodes = sorted({n for u, v, _ in edges for n in (u, v)}, key=self._position.__getitem__)
        piece = whole.__class__()
        piece.graph.update(whole.graph)
        piece.add_nodes_from((n, whole.nodes[n]) for n in nodes)
        piece.add_edges_from((u, v, k, whole.edges[u, v, k]) for u, v, k in edges)
        layers = {name: layer[layer.intersects(area)] if isinstance(layer, gpd.GeoDataFrame)
                  else layer for name, layer in self.network.layers.items()}
        return StreetNetwork(piece, self.network.mode, source=self.network.source, layers=layers)

    def incidents_near(self, piece: StreetNetwork, incidents: gpd.GeoDataFrame | None
                       ) -> gpd.GeoDataFrame | None:
        """The incidents that can count for ``piece``'s streets: within ``incident_radius_m`` of
        the piece's bounding box (a superset of those near any of its streets)."""
        if incidents is None or len(incidents) == 0 or piece.graph.number_of_edges() == 0:
            return incidents
        xy = np.array([[d["x"], d["y"]] for _, d in piece.graph.nodes(data=True)])
        geoms = [d["geometry"] for *_, d in piece.graph.edges(data=True) if "geometry" in d]
        bounds = shapely.total_bounds(np.array(geoms, dtype=object)) if geoms else None
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        if bounds is not None:
            lo, hi = np.minimum(lo, bounds[:2]), np.maximum(hi, bounds[2:])
        area = box(*lo, *hi).buffer(self.params.incident_radius_m)
        return incidents[incidents.intersects(area)]


def _geometry(graph, u, v, data: dict) -> LineString:
    geom = data.get("geometry")
    if geom is not None:
        return geom
    return LineString([(graph.nodes[u]["x"], graph.nodes[u]["y"]),
                       (graph.nodes[v]["x"], graph.nodes[v]["y"])])
