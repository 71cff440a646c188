"""The piece of the street network a grid's patrol plan works on.

* **Grid streets**: a street belongs to the grid when at least half its length lies inside the
  grid polygon (so a street along the border belongs to exactly one of two adjacent grids, up to
  exact halves, and a long street crossing the border belongs to the grid holding most of it).
* **Routing area**: every street that comes within ``connect_buffer_m`` of the grid (streets
  outside the grid may be walked to connect), reduced to the connected part (strongly connected
  when driving) that holds the most grid street minutes — grid streets outside it cannot be
  served by a closed walk from the station and are listed, never dropped silently.
* **Station**: snapped to the nearest node of that part; the distance is reported and a station
  further than ``station_snap_max_m`` is refused.

Costs are minutes: travel at the mode's speed on every street (deadheading), travel plus
inspection when a street is served. One physical street (``street_id``) is one edge of the
arc-routing instance, with a cost per direction (``inf`` where driving is not allowed).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InfeasibleError, InvalidInputError, Problem
from gridplan.model import Grid
from gridplan.network import StreetNetwork, bridge_pieces
from gridplan.routing.arcroute_instance import ArcInstance
from gridplan.routing.params import PatrolParams
from gridplan.street_sides import street_sides

INSIDE_SHARE = 0.5  # a street is the grid's when at least this share of its length is inside
#: graph attribute ``(max_gap_m, links_added)``: the walk network's gaps are bridged already
#: (by :func:`gridplan.slicing.prepare_network`, once for a whole city), not per grid again
BRIDGED = "gridplan_bridged"


@dataclass(frozen=True)
class AreaStreet:
    """One physical street of the routing area; ``a``/``b`` are instance vertex indices."""

    street_id: Hashable
    a: int
    b: int
    edge_ab: tuple | None  # (u, v, key) of the network edge walked a→b, None if not allowed
    edge_ba: tuple | None
    name: str
    grade: int
    lanes: object
    length_m: float
    geometry: BaseGeometry  # metric, oriented a → b
    travel_ab_min: float
    travel_ba_min: float
    in_grid: bool
    one_side: bool = False  # one carriageway of a dual road: one side of its street

    def travel_min(self, forward: bool) -> float:
        return self.travel_ab_min if forward else self.travel_ba_min

    def oriented(self, forward: bool) -> BaseGeometry:
        return self.geometry if forward else self.geometry.reverse()


@dataclass(frozen=True)
class RoutingArea:
    network_crs: object
    mode: str
    nodes: tuple[Hashable, ...]  # instance vertex -> network node
    streets: tuple[AreaStreet, ...]  # instance edge -> street
    depot: int
    station: Point  # as given (metric)
    station_snap_m: float
    station_given: bool  # False: the grid's centre stands in for it
    unreachable: tuple[AreaStreet, ...]  # grid streets outside the station's connected part
    base: ArcInstance  # no tasks; holds the deadheading distances
    node_xy: np.ndarray  # metric coordinates of each instance vertex
    bridges: int = 0  # straight walking links added between pieces of the network
    links: frozenset = frozenset()  # those links as (u, v, key), both directions

    @property
    def grid_streets(self) -> list[int]:
        return [i for i, s in enumerate(self.streets) if s.in_grid]


def routing_area(network: StreetNetwork, grid: Grid, *, params: PatrolParams) -> RoutingArea:
    """The grid's streets, the streets that may connect them, the station, as minutes."""
    graph, bridges = network.graph, 0
    done = graph.graph.get(BRIDGED)
    if network.mode == "walk" and params.bridge_gaps_m > 0:
        if done is not None and done[0] == params.bridge_gaps_m:
            bridges = int(done[1])
        else:
            graph, bridges = bridge_pieces(graph, max_gap_m=params.bridge_gaps_m)
    edges = list(graph.edges(keys=True, data=True))
    _require_geometry(graph, edges)
    geoms = np.array([_geometry(graph, u, v, d) for u, v, _, d in edges], dtype=object)
    lengths = np.array([float(d["length"]) for *_, d in edges])
    near = shapely.intersects(geoms, grid.geometry.buffer(params.connect_buffer_m))
    inside_len = shapely.length(shapely.intersection(geoms, grid.geometry))
    in_grid = near & (inside_len >= INSIDE_SHARE * np.maximum(shapely.length(geoms), 1e-9))
    in_grid &= np.array([not d.get("bridge", False) for *_, d in edges])  # links: never required
    if not in_grid.any():
        raise InvalidInputError(f"grid {grid.code} has no streets", [Problem(
            "grid", grid.code, "streets of the network inside the grid polygon",
            "none (is the grid in the network's CRS and area?)",
            "load a network covering the grid, or check the grid's coordinates")])
    chosen = np.flatnonzero(near)
    streets = _streets(network.mode, graph, params, [edges[i] for i in chosen], geoms[chosen],
                       lengths[chosen], in_grid[chosen])
    sides = street_sides(network, params)
    for s in streets:
        s["one_side"] = sides.one_side(s["street_id"])
    part = _main_part(streets, directed=graph.is_directed())
    kept = [s for s in streets if s["a"] in part and s["b"] in part]
    lost = [s for s in streets if s["in_grid"] and not (s["a"] in part and s["b"] in part)]
    nodes = sorted(part, key=repr)
    index = {n: i for i, n in enumerate(nodes)}
    station, given = _station(grid)
    depot, snap_m = _snap(graph, nodes, station, params, grid)
    area_streets = tuple(_area_street(s, index) for s in kept)
    base = ArcInstance.from_edges(
        len(nodes), [(s.a, s.b, s.travel_ab_min, s.travel_ba_min) for s in area_streets], [],
        depot=depot, name=f"grid {grid.code}", vertex_labels=nodes)
    return RoutingArea(
        network_crs=network.crs, mode=network.mode, nodes=tuple(nodes), streets=area_streets,
        depot=depot, station=station, station_snap_m=snap_m, station_given=given,
        unreachable=tuple(_area_street(s, None) for s in lost), base=base,
        node_xy=np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float),
        bridges=bridges,
        links=frozenset((u, v, k) for u, v, k, d in edges if d.get("bridge", False)))


def _require_geometry(graph: nx.MultiDiGraph, edges: list) -> None:
    bad = [(u, v, k) for u, v, k, d in edges if not d.get("length", 0) > 0]
    if bad:
        raise InvalidInputError("street network edges without a length", [Problem(
            "street network", f"edge {e!r}", "length > 0 (metres)", "missing or 0",
            "load the network with geodata.osm.load_network") for e in bad[:20]])


def _geometry(graph: nx.MultiDiGraph, u: Hashable, v: Hashable, data: dict) -> BaseGeometry:
    geom = data.get("geometry")
    if geom is not None:
        return geom
    return LineString([(graph.nodes[u]["x"], graph.nodes[u]["y"]),
                       (graph.nodes[v]["x"], graph.nodes[v]["y"])])


def _streets(mode: str, graph: nx.MultiDiGraph, params: PatrolParams, edges: list, geoms,
             lengths, in_grid) -> list[dict]:
    """One record per street_id with the network edge of each allowed direction."""
    by_id: dict[Hashable, dict] = {}
    for (u, v, k, d), geom, length, inside in zip(edges, geoms, lengths, in_grid, strict=True):
        sid = d.get("street_id", (u, v, k))
        minutes = params.travel_minutes(length, d.get("highway"), mode=mode)
        rec = by_id.get(sid)
        if rec is None:
            by_id[sid] = {"street_id": sid, "a": u, "b": v, "ab": (u, v, k), "ba": None,
                          "name": _name(d.get("name")), "grade": int(d.get("grade", 4)),
                          "lanes": d.get("lanes"), "length_m": length,
                          "geometry": _oriented(geom, graph, u), "ab_min": minutes,
                          "ba_min": math.inf, "in_grid": bool(inside)}
        elif (u, v) == (rec["b"], rec["a"]) and rec["ba"] is None:
            rec["ba"], rec["ba_min"] = (u, v, k), minutes
        elif (u, v) == (rec["a"], rec["b"]) and minutes < rec["ab_min"]:
            rec["ab"], rec["ab_min"] = (u, v, k), minutes
    return list(by_id.values())


def _name(name: object) -> str:
    if isinstance(name, list | tuple):  # osmnx joins names of merged ways into a list
        return " / ".join(str(n) for n in name)
    return name if isinstance(name, str) else ""


def _oriented(geom: BaseGeometry, graph: nx.MultiDiGraph, u: Hashable) -> BaseGeometry:
    ux, uy = graph.nodes[u]["x"], graph.nodes[u]["y"]
    first, last = geom.coords[0], geom.coords[-1]
    return geom.reverse() if math.dist((ux, uy), last) < math.dist((ux, uy), first) else geom


def _main_part(streets: list[dict], *, directed: bool) -> set:
    """The (strongly) connected part holding the most grid-street minutes."""
    g = nx.DiGraph() if directed else nx.Graph()
    for s in streets:
        g.add_edge(s["a"], s["b"])
        if directed and s["ba"] is not None:
            g.add_edge(s["b"], s["a"])
    parts = nx.strongly_connected_components(g) if directed else nx.connected_components(g)
    weight: dict[int, float] = {}
    members = []
    for i, part in enumerate(parts):
        members.append(part)
        weight[i] = sum(s["ab_min"] if math.isfinite(s["ab_min"]) else s["ba_min"]
                        for s in streets if s["in_grid"] and s["a"] in part and s["b"] in part)
    best = max(weight, key=lambda i: (weight[i], len(members[i])))
    return members[best]


def _area_street(rec: dict, index: dict | None) -> AreaStreet:
    a = index[rec["a"]] if index is not None else -1
    b = index[rec["b"]] if index is not None else -1
    return AreaStreet(rec["street_id"], a, b, rec["ab"], rec["ba"], rec["name"], rec["grade"],
                      rec["lanes"], rec["length_m"], rec["geometry"], rec["ab_min"],
                      rec["ba_min"], rec["in_grid"], rec.get("one_side", False))


def _station(grid: Grid) -> tuple[Point, bool]:
    """The grid's station, or a point inside the grid (its centre) when it has none."""
    if grid.station is not None:
        return grid.station, True
    return grid.geometry.representative_point(), False


def _snap(graph: nx.MultiDiGraph, nodes: Sequence[Hashable], station: Point,
          params: PatrolParams, grid: Grid) -> tuple[int, float]:
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float)
    dist = np.hypot(xy[:, 0] - station.x, xy[:, 1] - station.y)
    best = int(np.argmin(dist))
    if dist[best] > params.station_snap_max_m:
        raise InfeasibleError(f"grid {grid.code}: station is off the street network", [Problem(
            "station", grid.code,
            f"within {params.station_snap_max_m:.0f} m of a street node connected to the grid",
            f"nearest such node {dist[best]:.0f} m away",
            "move the station onto a street, or raise station_snap_max_m")])
    return best, float(dist[best])


def with_tasks(base: ArcInstance, task_edges: Sequence[int], service: Sequence[float]
               ) -> ArcInstance:
    """``base`` with tasks: ``task_edges`` are street indices (a street served twice appears
    twice; the second and later copies become parallel edges, as the instance wants one edge per
    task). ``service`` is the minutes of each task (same both ways). Distances are reused."""
    seen: set[int] = set()
    edge_u, edge_v = list(base.edge_u), list(base.edge_v)
    cost_uv, cost_vu = list(base.cost_uv), list(base.cost_vu)
    tasks = []
    for e in task_edges:
        if e in seen:
            edge_u.append(base.edge_u[e])
            edge_v.append(base.edge_v[e])
            cost_uv.append(base.cost_uv[e])
            cost_vu.append(base.cost_vu[e])
            tasks.append(len(edge_u) - 1)
        else:
            seen.add(e)
            tasks.append(e)
    task_arr = np.asarray(tasks, dtype=np.int64)
    cuv, cvu = np.asarray(cost_uv, dtype=float), np.asarray(cost_vu, dtype=float)
    svc = np.asarray(service, dtype=float)
    return dataclasses.replace(
        base, edge_u=np.asarray(edge_u, dtype=np.int64), edge_v=np.asarray(edge_v, dtype=np.int64),
        cost_uv=cuv, cost_vu=cvu, task_edge=task_arr,
        service_uv=np.where(np.isfinite(cuv[task_arr]), svc, math.inf),
        service_vu=np.where(np.isfinite(cvu[task_arr]), svc, math.inf),
        demand=np.ones(len(tasks)), _arc_cache={})
