"""Turning a street graph (osmnx conventions) into gridplan's :class:`StreetNetwork` contract.

Pure graph work shared by every way a network comes in — gridplan's own OSM reader
(``geodata.osm``), an osmnx download, or a graph a notebook user already has
(:meth:`StreetNetwork.from_osmnx`): project to metres, scalar attributes, management grades,
metric lengths and geometries, and one ``street_id`` per physical street.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString

from gridplan.crs import metric_crs
from gridplan.errors import InvalidInputError, Problem
from gridplan.network import DEFAULT_GRADES, Mode, StreetNetwork, grade_of


def network_from_graph(graph: nx.MultiDiGraph, *, mode: Mode = "walk", crs: Any = "utm",
                       grades: Mapping[str, int] | None = None,
                       source: str = "osmnx graph") -> StreetNetwork:
    """A :class:`StreetNetwork` from an osmnx-style graph (not changed; a copy is made).

    The graph may be unprojected (``crs`` WGS-84, as osmnx returns it) or projected; it is
    projected to ``crs`` (``"utm"``, ``"cgcs2000"`` or a metric CRS) when not metric already.
    ``mode="walk"`` makes every street usable both ways (an edge without its reverse gets one).
    """
    _check_graph(graph)
    g = graph.copy()
    if not pyproj.CRS.from_user_input(g.graph["crs"]).is_projected:
        project_graph(g, crs)
    else:
        _keep_lonlat(g)
    if mode == "walk":
        _add_reverse_edges(g)
    normalise_edges(g, dict(grades or DEFAULT_GRADES))
    assign_street_ids(g)
    g.graph["mode"] = mode
    return StreetNetwork(g, mode, source)


def _check_graph(graph: Any) -> None:
    problems = []
    if not isinstance(graph, nx.MultiDiGraph):
        problems.append(Problem("graph", "", "a networkx MultiDiGraph (as osmnx returns)",
                                type(graph).__name__, "pass the graph osmnx gave you"))
    elif "crs" not in graph.graph:
        problems.append(Problem("graph", "graph['crs']", "the graph's CRS",
                                "no crs attribute", "set G.graph['crs'] = 'EPSG:4326'"))
    elif graph.number_of_edges() == 0:
        problems.append(Problem("graph", "", "at least one street", "no edges",
                                "download or load an area with streets"))
    else:
        missing = [n for n, d in graph.nodes(data=True) if "x" not in d or "y" not in d]
        if missing:
            problems.append(Problem("graph", f"node {missing[0]}", "x and y on every node",
                                    f"{len(missing)} node(s) without them",
                                    "use a graph made by osmnx"))
    if problems:
        raise InvalidInputError("not a street graph gridplan can use", problems)


def project_graph(g: nx.MultiDiGraph, crs: Any = "utm") -> None:
    """Project a WGS-84 graph in place (nodes and edge geometries); keep lon/lat on nodes."""
    ids = list(g.nodes)
    lon = np.fromiter((g.nodes[n]["x"] for n in ids), float, len(ids))
    lat = np.fromiter((g.nodes[n]["y"] for n in ids), float, len(ids))
    to = metric_crs(float(np.median(lon)), float(np.median(lat)), crs=crs)
    transformer = pyproj.Transformer.from_crs("EPSG:4326", to, always_xy=True)
    x, y = transformer.transform(lon, lat)
    for n, lo, la, xx, yy in zip(ids, lon, lat, x, y, strict=True):
        g.nodes[n].update(x=float(xx), y=float(yy), lon=float(lo), lat=float(la))
    for _, _, d in g.edges(data=True):
        if d.get("geometry") is not None:
            d["geometry"] = shapely.transform(
                d["geometry"], lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                                 xy[:, 1])))
    g.graph["crs"] = to


def _keep_lonlat(g: nx.MultiDiGraph) -> None:
    """Nodes of an already projected graph get lon/lat (WGS-84) when they lack them."""
    if all("lon" in d and "lat" in d for _, d in g.nodes(data=True)):
        return
    ids = list(g.nodes)
    x = np.fromiter((g.nodes[n]["x"] for n in ids), float, len(ids))
    y = np.fromiter((g.nodes[n]["y"] for n in ids), float, len(ids))
    lon, lat = pyproj.Transformer.from_crs(g.graph["crs"], "EPSG:4326",
                                           always_xy=True).transform(x, y)
    for n, lo, la in zip(ids, lon, lat, strict=True):
        g.nodes[n].update(lon=float(lo), lat=float(la))


def _add_reverse_edges(g: nx.MultiDiGraph) -> None:
    """On foot every street goes both ways: add v→u for each u→v that has no reverse (the
    same OSM way back; parallel streets between two crossings each get their own)."""
    for u, v, d in list(g.edges(data=True)):
        back_ways = [e.get("osmid") for e in g.get_edge_data(v, u, default={}).values()]
        if u != v and d.get("osmid") not in back_ways:
            back = dict(d)
            if back.get("geometry") is not None:
                back["geometry"] = back["geometry"].reverse()
            back["reversed"] = not bool(_first(d.get("reversed", False)))
            g.add_edge(v, u, **back)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def normalise_edges(g: nx.MultiDiGraph, grades: Mapping[str, int]) -> None:
    """Scalar attributes after simplification, grade, geometry and metric length on every edge."""
    for u, v, d in g.edges(data=True):
        hw = d.get("highway")
        d["grade"] = grade_of(hw, grades)
        if isinstance(hw, list):  # keep the class that gives the grade
            d["highway"] = min(hw, key=lambda h: grade_of(h, grades))
        names = d.get("name") or ""
        if isinstance(names, list):
            names = "/".join(dict.fromkeys(n for n in names if n))
        d["name"] = names
        lanes = d.get("lanes")
        d["lanes"] = (max((_int(x) for x in lanes if _int(x)), default=None)
                      if isinstance(lanes, list) else _int(lanes))
        oneway = d.get("oneway", False)
        d["oneway"] = any(oneway) if isinstance(oneway, list) else bool(oneway)
        d["reversed"] = bool(_first(d.get("reversed", False)))
        footway = d.get("footway") or ""
        d["footway"] = _first(footway) if isinstance(footway, list) else str(footway)
        dual = d.get("dual_carriageway", False)
        d["dual_carriageway"] = (any(x in (True, "yes") for x in dual)
                                 if isinstance(dual, list) else dual in (True, "yes"))
        if d.get("geometry") is None:
            d["geometry"] = LineString([(g.nodes[u]["x"], g.nodes[u]["y"]),
                                        (g.nodes[v]["x"], g.nodes[v]["y"])])
        d["length"] = float(d["geometry"].length)
        d.pop("street_count", None)


def _int(value: Any) -> int | None:
    """Lanes as osmnx leaves them (int, "2", "2;3") → the widest count, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if np.isfinite(value) else None
    try:
        return max(int(float(p)) for p in str(value).replace(",", ";").split(";") if p.strip())
    except ValueError:
        return None


def assign_street_ids(g: nx.MultiDiGraph) -> None:
    """Give both directions of one physical street the same ``street_id``."""
    waiting: dict[tuple, list[tuple]] = defaultdict(list)
    next_id = 0
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        osm = tuple(sorted(d["osmid"])) if isinstance(d.get("osmid"), list) else (d.get("osmid"),)
        signature = (min(u, v), max(u, v), osm, round(d["length"], 1))
        mirror = waiting.get(signature)
        partner = next((e for e in mirror if (e[0], e[1]) == (v, u)), None) if mirror else None
        if partner is not None and u != v:
            mirror.remove(partner)
            d["street_id"] = g.edges[partner]["street_id"]
        else:
            d["street_id"] = next_id
            next_id += 1
            waiting[signature].append((u, v, k))
