"""Station (工作站/驿站) suggestions per grid: the p-median over its street nodes.

A station is where patrols start and end, so the best place minimises the walking to reach the
streets to patrol (deadhead). Clients are the grid's street nodes weighted by the street metres
around them (see :meth:`gridplan.facility.PMedianProblem.from_street_graph`); candidates are the
nodes inside the grid; cost is the shortest walk in metres from station to node. One station is
solved exactly by inspection; several (a squad with more than one station) by the MILP, or by
the heuristic with its gap for big grids.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx
import shapely
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InvalidInputError, Problem
from gridplan.facility import (
    PMedianParams,
    PMedianProblem,
    PMedianResult,
    solve_pmedian,
    street_length_weights,
)
from gridplan.network import StreetNetwork


@dataclass(frozen=True, eq=False)
class StationSuggestion:
    """Suggested station nodes with positions (metric CRS of the graph) and the solve record."""

    nodes: tuple[Hashable, ...]
    points_xy_m: tuple[tuple[float, float], ...]
    result: PMedianResult
    unserved_street_m: float = 0.0  # weighted street metres in pieces no station can reach

    @property
    def mean_walk_m(self) -> float:
        """Street-metre-weighted mean walk from a node to its nearest station."""
        return self.result.mean_cost

    def summary(self) -> str:
        where = ", ".join(f"node {n} ({x:.0f}, {y:.0f})"
                          for n, (x, y) in zip(self.nodes, self.points_xy_m, strict=True))
        return (f"{len(self.nodes)} station(s) at {where}: mean walk {self.mean_walk_m:.0f} m, "
                f"{self.result.status}, gap {self.result.gap:.2%}"
                + (f"; {self.unserved_street_m:.0f} street m unreachable from the stations"
                   if self.unserved_street_m > 0 else ""))


def suggest_station(
    grid_graph: nx.MultiDiGraph | StreetNetwork,
    *,
    stations: int = 1,
    candidate_nodes: list[Hashable] | None = None,
    grade_weights: Mapping[int, float] | None = None,
    params: PMedianParams | None = None,
) -> StationSuggestion:
    """Best ``stations`` station nodes for one grid's street graph (metric CRS, metres)."""
    graph = grid_graph.graph if isinstance(grid_graph, StreetNetwork) else grid_graph
    kept, dropped_m = _served_components(graph, stations, grade_weights)
    candidates = [n for n in (candidate_nodes or graph.nodes) if n in kept]
    weights = street_length_weights(graph, list(graph.nodes), grade_weights=grade_weights)
    client_weights = {n: w for n, w in zip(graph.nodes, weights, strict=True) if n in kept}
    problem = PMedianProblem.from_street_graph(
        graph, min(stations, max(1, len(candidates))), candidate_nodes=candidates or None,
        client_weights=client_weights)
    result = solve_pmedian(problem, params=params)
    nodes = result.site_labels
    points = tuple((float(graph.nodes[n]["x"]), float(graph.nodes[n]["y"])) for n in nodes)
    return StationSuggestion(nodes, points, result, unserved_street_m=dropped_m)


def _served_components(
    graph: nx.MultiDiGraph, stations: int, grade_weights: Mapping[int, float] | None
) -> tuple[set[Hashable], float]:
    """Nodes of the ``stations`` heaviest strongly connected pieces, and the weighted street
    metres left out. A grid cut from the city network can fall apart into pieces (a street
    leaving and re-entering the grid, one-way dead ends); one station cannot serve two."""
    nodes = list(graph.nodes)
    weights = dict(zip(nodes, street_length_weights(graph, nodes, grade_weights=grade_weights),
                       strict=True))
    pieces = sorted(nx.strongly_connected_components(graph),
                    key=lambda c: (-sum(weights[n] for n in c), min(map(str, c))))
    kept = set().union(*pieces[:stations]) if pieces else set()
    dropped = sum(weights[n] for piece in pieces[stations:] for n in piece)
    return kept, float(dropped)


def grid_subgraph(
    graph: nx.MultiDiGraph, polygon: BaseGeometry, *, margin_m: float = 0.0
) -> nx.MultiDiGraph:
    """The streets of one grid: nodes within ``margin_m`` of the polygon and the edges among them
    (both in the graph's metric CRS). A margin lets boundary streets count for the grid."""
    area = polygon.buffer(margin_m) if margin_m > 0 else polygon
    nodes = list(graph.nodes)
    points = shapely.points([graph.nodes[n]["x"] for n in nodes],
                            [graph.nodes[n]["y"] for n in nodes])
    inside = shapely.covers(area, points)
    return graph.subgraph([n for n, keep in zip(nodes, inside, strict=True) if keep]).copy()


def suggest_stations(
    network: StreetNetwork,
    grids: Mapping[Hashable, BaseGeometry],
    *,
    stations_per_grid: Mapping[Hashable, int] | None = None,
    margin_m: float = 0.0,
    grade_weights: Mapping[int, float] | None = None,
    params: PMedianParams | None = None,
) -> dict[Hashable, StationSuggestion]:
    """A station suggestion per grid polygon (metric CRS of ``network``); candidates must lie
    inside the grid itself. Grids without streets are reported together."""
    empty: list[Problem] = []
    out: dict[Hashable, StationSuggestion] = {}
    for code, polygon in grids.items():
        sub = grid_subgraph(network.graph, polygon, margin_m=margin_m)
        inside = list(grid_subgraph(sub, polygon).nodes)
        if sub.number_of_edges() == 0 or not inside:
            empty.append(Problem("grids", f"grid {code}", "streets inside the grid",
                                 f"{sub.number_of_nodes()} nodes, {sub.number_of_edges()} edges",
                                 "check the grid lies on the street network (same CRS?)"))
            continue
        p = 1 if stations_per_grid is None else int(stations_per_grid.get(code, 1))
        out[code] = suggest_station(sub, stations=p, candidate_nodes=inside,
                                    grade_weights=grade_weights, params=params)
    if empty:
        raise InvalidInputError(f"{len(empty)} grid(s) have no streets to place a station on",
                                empty)
    return out
