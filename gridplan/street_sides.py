"""One street, several ways: dual carriageways and sidewalks as the sides of one street.

OSM maps a dual road as two one-way ways (one per carriageway, 10–30 m apart) and, in some
cities, each sidewalk as a way of its own (``footway=sidewalk``). For a city-management squad a
street (道路) is one street with two sides, whichever way its sides are drawn, and officers'
GPS (5–30 m of error) cannot tell the carriageways apart either. :func:`street_sides` finds
which ways of a network belong to one street:

* **carriageways**: two one-way ways running in opposite directions, parallel within
  ``side_max_angle_deg``, at most ``side_max_gap_m`` apart over at least ``side_min_alongside``
  of the shorter one, of the same class (grade; no ``*_link`` ramps) and with no two names
  differing — the same name, or one or both unnamed (OSM often leaves one carriageway without
  the name; a ``dual_carriageway=yes`` tag on both stands in for it);
* **side roads**: two roads with the same name running alongside each other the same way
  (parallel, near, alongside), in either direction — a main road and its side road (主路 and
  辅路 of a four-panel road, 四块板, one name for all); the lower class (or shorter) is the side
  road;
* **slip roads**: a ``*_link`` way (a ramp or slip road: OSM's class for the ways that lead
  onto or off a road, mostly unnamed) running alongside a road, either way, over at least
  ``side_min_alongside`` of its length is that road's side road — where a ramp leaves a road it
  runs beside the road's carriageway, a few metres from it, for tens of metres: part of the
  road's corridor to a squad on foot and to a phone (ramps that turn off at a junction are not
  alongside anything and stay streets of their own; a ramp named otherwise, e.g. a tunnel's,
  is not the road's);
* **sidewalks and side paths**: a way tagged ``footway=sidewalk`` and the nearest road (a way
  cars use) parallel to it within the same distances; an unnamed footway, cycleway or path (not a
  crossing) parallel to a road within ``sidepath_max_gap_m`` over the same share is that road's
  side path (a cycle track or walk mapped beside the road without the tag).

Ways paired with each other, directly or through others, are one *street*. Its *sides* are its
ways; one side per line of the street is its *axis* (what its length in street-km counts: one
of the two carriageways, the road rather than its sidewalks), so a dual road is counted once.
Every other way is a street of its own, its own axis. All parameters come from
:class:`~gridplan.routing.params.PatrolParams` (``side_*``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString

from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams

#: OSM classes cars do not use: never a carriageway, never the road of a sidewalk
NOT_ROADS = frozenset({"footway", "path", "pedestrian", "steps", "cycleway", "bridleway",
                       "corridor", "track", "elevator", "via_ferrata"})
CARRIAGEWAY, SIDE_ROAD, SIDEWALK, ROAD = "carriageway", "side road", "sidewalk", "road"
#: unnamed ways of these classes beside a road are its side paths
SIDEPATH_CLASSES = frozenset({"footway", "cycleway", "path", "pedestrian", "bridleway"})
#: ways are compared at points this far apart along them (m)
STEP_M = 10.0
#: a point is beside a way when its foot on the way is at least this far from the way's ends
END_M = 0.5
#: graph attribute caching the last result: ``(parameters, StreetSides)``
CACHE_KEY = "gridplan_street_sides"


@dataclass(frozen=True)
class StreetSides:
    """Which ways (``street_id``) are sides of one street (see the module docstring)."""

    partners: Mapping[Hashable, frozenset]  # way → the ways paired with it (absent: alone)
    kind: Mapping[Hashable, str]  # way → carriageway / sidewalk / road (paired ways only)
    street: Mapping[Hashable, Hashable]  # way → its street's key (paired ways only)
    axis: frozenset  # paired ways whose length counts the street's street-km
    members: Mapping[Hashable, frozenset]  # street key → its ways (streets of several ways)

    def street_of(self, way: Hashable) -> Hashable:
        """The street ``way`` is a side of (its own id when it is a street alone)."""
        return self.street.get(way, way)

    def is_axis(self, way: Hashable) -> bool:
        return way not in self.street or way in self.axis

    def one_side(self, way: Hashable) -> bool:
        """True for a carriageway of a dual road: it is one side of its street, so the
        both-sides rule asks for it once (its partner is the other side)."""
        return self.kind.get(way) == CARRIAGEWAY

    def side_of(self, way: Hashable) -> str:
        return self.kind.get(way, "")

    def mates(self, way: Hashable) -> frozenset:
        """The other ways of ``way``'s street."""
        key = self.street.get(way)
        return self.members[key] - {way} if key is not None else frozenset()


NO_SIDES = StreetSides({}, {}, {}, frozenset(), {})


@dataclass(frozen=True)
class _Way:
    sid: Hashable
    geometry: LineString  # metric, drawn in the direction of travel for one-way ways
    grade: int
    highway: str
    names: frozenset[str]
    oneway: bool
    footway: str  # the OSM footway tag ("sidewalk", "crossing", "")
    dual: bool

    @property
    def road(self) -> bool:
        return self.highway not in NOT_ROADS and self.footway != "sidewalk"

    @property
    def carriageway(self) -> bool:
        return self.road and self.oneway and not self.highway.endswith("_link")

    @property
    def link(self) -> bool:
        return self.road and self.highway.endswith("_link")

    @property
    def sidepath(self) -> bool:
        """An unnamed walk or cycle track (not a crossing, not tagged a sidewalk)."""
        return (self.highway in SIDEPATH_CLASSES and not self.names
                and self.footway not in ("sidewalk", "crossing"))


def street_sides(network: StreetNetwork, params: PatrolParams | None = None) -> StreetSides:
    """The streets of ``network`` made of several ways (cached on the graph per parameters)."""
    params = params or PatrolParams()
    key = (params.side_max_gap_m, params.side_max_angle_deg, params.side_min_alongside,
           params.sidepath_max_gap_m)
    cached = network.graph.graph.get(CACHE_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    found = (_find(_ways(network), params) if params.side_max_gap_m > 0 else NO_SIDES)
    network.graph.graph[CACHE_KEY] = (key, found)
    return found


def _ways(network: StreetNetwork) -> list[_Way]:
    """One record per street: the edge drawn as the way was (``reversed`` False) when there is
    one (on foot both directions exist), else the only edge (driving: the way of travel)."""
    first: dict[Hashable, dict] = {}
    for _, _, d in network.graph.edges(data=True):
        if d.get("bridge", False):  # straight walking links across gaps: not streets
            continue
        sid = d["street_id"]
        if sid not in first or (first[sid].get("reversed") and not d.get("reversed")):
            first[sid] = d
    out = []
    for sid, d in first.items():
        geom = d.get("geometry")
        if geom is None or geom.length <= 0:
            continue
        names = frozenset(n.strip() for n in str(d.get("name") or "").split("/") if n.strip())
        out.append(_Way(sid, geom, int(d.get("grade", 4)), str(d.get("highway") or ""), names,
                        bool(d.get("oneway", False)), str(d.get("footway") or ""),
                        bool(d.get("dual_carriageway", False))))
    return out


def _find(ways: list[_Way], params: PatrolParams) -> StreetSides:
    cos_max = math.cos(math.radians(params.side_max_angle_deg))
    roads = [w for w in ways if w.road]
    lines = np.array([w.geometry for w in roads], dtype=object)
    near = _Near(roads, lines, shapely.STRtree(lines), cos_max)
    gap = params.side_max_gap_m
    edges = [(roads[i].sid, roads[j].sid, CARRIAGEWAY) for i, j in _pairs(
        [i for i, w in enumerate(roads) if w.carriageway], near, params,
        lambda w, o: _same_road(w, o), opposite=True)]
    paired = {frozenset(e[:2]) for e in edges}
    for i, j in _pairs([i for i, w in enumerate(roads) if w.names], near, params,
                       lambda w, o: bool(w.names & o.names) and o.sid != w.sid,
                       opposite=False):
        if frozenset((roads[i].sid, roads[j].sid)) not in paired:
            side, main = sorted((roads[i], roads[j]), key=_main_first)[::-1]
            edges.append((side.sid, main.sid, SIDE_ROAD))
    for way in roads:
        if way.link:
            road = _nearest_road(way, near, gap, params, _slip_road_of)
            if road is not None and frozenset((way.sid, road.sid)) not in paired:
                edges.append((way.sid, road.sid, SIDE_ROAD))
    for way in ways:
        if way.footway == "sidewalk" or way.sidepath:
            reach = gap if way.footway == "sidewalk" else min(gap, params.sidepath_max_gap_m)
            road = _nearest_road(way, near, reach, params)
            if road is not None:
                edges.append((way.sid, road.sid, SIDEWALK))
    return _streets(edges)


def _main_first(way: _Way) -> tuple:
    """Of two same-named roads, the main one first: the higher class, then the longer."""
    return (way.grade, -way.geometry.length, str(way.sid))


@dataclass(frozen=True)
class _Near:
    """The roads, their lines and a spatial index over them."""

    roads: list[_Way]
    lines: np.ndarray
    tree: shapely.STRtree
    cos_max: float


def _pairs(candidates: list[int], near: _Near, params: PatrolParams, fits, *, opposite: bool
           ) -> list[tuple[int, int]]:
    """Pairs (i < j) of roads alongside each other for at least ``side_min_alongside`` of the
    shorter one (see :func:`_alongside`), looking from either."""
    alongside: dict[tuple[int, int], float] = defaultdict(float)
    for i in candidates:
        for j, metres in _alongside(near.roads[i], near, params.side_max_gap_m, fits,
                                    opposite=opposite).items():
            key = (min(i, j), max(i, j))
            alongside[key] = max(alongside[key], metres)
    out = []
    for (i, j), metres in alongside.items():
        shorter = min(near.roads[i].geometry.length, near.roads[j].geometry.length)
        if metres >= params.side_min_alongside * shorter - 1e-6:
            out.append((i, j))
    return out


def _same_road(way: _Way, other: _Way) -> bool:
    if not other.carriageway or other.grade != way.grade or other.sid == way.sid:
        return False
    return (way.dual and other.dual) or _names_agree(way, other)


def _slip_road_of(link: _Way, road: _Way) -> bool:
    return not road.link and road.sid != link.sid and _names_agree(link, road)


def _names_agree(way: _Way, other: _Way) -> bool:
    """No two names differ: a shared name, or one of them (or both) unnamed — OSM often
    leaves one carriageway of a road, or its ramps, without the name, and a missing name is no
    evidence of another street."""
    return bool(way.names & other.names) or not (way.names and other.names)


def _samples(way: _Way) -> tuple[list, np.ndarray]:
    """Points every ~:data:`STEP_M` along ``way`` (centres of equal pieces) and the unit
    direction there."""
    geom = way.geometry
    n = max(1, round(geom.length / STEP_M))
    marks = (np.arange(n) + 0.5) * geom.length / n
    points = [geom.interpolate(m) for m in marks]
    return points, tangents(geom, marks)


def tangents(line: LineString, marks: np.ndarray, half_m: float = 2.0) -> np.ndarray:
    """Unit directions (rows) of ``line`` at ``marks`` metres along it; a zero row where the
    line does not move over ``half_m`` either side."""
    marks = np.asarray(marks, dtype=float)
    p = shapely.get_coordinates(shapely.line_interpolate_point(line, np.maximum(marks - half_m,
                                                                                0.0)))
    q = shapely.get_coordinates(shapely.line_interpolate_point(line, np.minimum(
        marks + half_m, line.length)))
    d = q - p
    norm = np.hypot(d[:, 0], d[:, 1])
    return d / np.where(norm > 0, norm, 1.0)[:, None]


def _alongside(way: _Way, near: _Near, reach_m: float, fits, *, opposite: bool
               ) -> dict[int, float]:
    """Metres of ``way`` running alongside each fitting road: at each sample the nearest road
    that fits, is parallel (opposite in direction when ``opposite``) and within ``reach_m``."""
    points, directions = _samples(way)
    step = way.geometry.length / len(points)
    out: dict[int, float] = defaultdict(float)
    for p, d in zip(points, directions, strict=True):
        best, best_d = None, math.inf
        for j in near.tree.query(p, predicate="dwithin", distance=reach_m):
            line = near.lines[j]
            if not fits(way, near.roads[int(j)]):
                continue
            dist = float(line.distance(p))
            at = line.project(p)
            if dist >= best_d or not END_M < at < line.length - END_M:
                continue  # beside it, not beyond its end (the way that continues this one)
            cos = float(np.dot(d, tangents(line, [at])[0]))
            if (cos <= -near.cos_max) if opposite else (abs(cos) >= near.cos_max):
                best, best_d = int(j), dist
        if best is not None:
            out[best] += step
    return out


def _nearest_road(way: _Way, near: _Near, reach_m: float, params: PatrolParams,
                  fits=lambda w, o: o.sid != w.sid) -> _Way | None:
    """The road (that ``fits``) a sidewalk, side path or slip road runs beside: the one it is
    alongside for most of its length, if that is at least ``side_min_alongside`` of the
    shorter of the two."""
    metres = _alongside(way, near, reach_m, fits, opposite=False)
    if not metres:
        return None
    j, most = max(metres.items(), key=lambda kv: (kv[1], -kv[0]))
    shorter = min(way.geometry.length, near.roads[j].geometry.length)
    return near.roads[j] if most >= params.side_min_alongside * shorter - 1e-6 else None


def _streets(edges: list[tuple[Hashable, Hashable, str]]) -> StreetSides:
    """Streets as connected groups of paired ways, with their axes (see the module docstring):
    a way that is the side road, sidewalk or side path of another is never the axis; the other
    carriageways of a street are split into its two sides by two-colouring their pairs, and the
    side holding the smallest way id (as text) is the axis; every other way is."""
    partners: dict[Hashable, set] = defaultdict(set)
    kind: dict[Hashable, str] = {}
    across: set[frozenset] = set()  # carriageway pairs: the two sides of a road
    beside: set = set()  # ways that are the side of another way
    for a, b, how in edges:
        partners[a].add(b)
        partners[b].add(a)
        if how == CARRIAGEWAY:
            kind[a] = kind[b] = CARRIAGEWAY
            across.add(frozenset((a, b)))
        else:  # a is the side (side road, sidewalk, side path) of b
            beside.add(a)
            if kind.get(a) in (None, ROAD):
                kind[a] = how
            kind.setdefault(b, ROAD)
    street: dict[Hashable, Hashable] = {}
    members: dict[Hashable, frozenset] = {}
    axis: set = set()
    for start in sorted(partners, key=str):
        if start in street:
            continue
        colour = _colours(start, partners, across)
        key = min(colour, key=str)
        street.update(dict.fromkeys(colour, key))
        members[key] = frozenset(colour)
        main = [w for w in colour if w not in beside]
        carriageways = [w for w in main if kind[w] == CARRIAGEWAY]
        first = colour[min(carriageways, key=str)] if carriageways else None
        axis |= {w for w in main if kind[w] != CARRIAGEWAY or colour[w] == first}
    return StreetSides({k: frozenset(v) for k, v in partners.items()}, kind, street,
                       frozenset(axis), members)


def _colours(start: Hashable, partners: Mapping[Hashable, set], across: set[frozenset]
             ) -> dict[Hashable, int]:
    """The ways connected to ``start``, two-coloured: the colour changes across a carriageway
    pair (the other side of the road) and not across a side way."""
    colour = {start: 0}
    todo = [start]
    while todo:
        way = todo.pop()
        for other in sorted(partners[way], key=str):
            if other not in colour:
                colour[other] = colour[way] ^ (frozenset((way, other)) in across)
                todo.append(other)
    return colour
