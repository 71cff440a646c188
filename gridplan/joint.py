"""Joint patrols (联合巡查) for boundary hotspots, and the zone streets neither side patrols.

Pure: takes flagged boundary hotspots (:func:`gridplan.boundary.flag_boundary_hotspots`), their
zones, the hotspot analysis, optionally a street network and a grid layout, all in one metric CRS
(metres), and returns a :class:`JointPlan`. For each flagged hotspot:

* **Meeting point** — where a street crosses the shared boundary line, nearest the hotspot
  (street geometry ∩ line; a street running along the line offers its point nearest the
  hotspot). Crossings farther than ``max_meeting_distance_m`` from the hotspot are not used; then,
  or without a network, the meeting point is the point of the line nearest the hotspot, flagged
  "no street crossing".
* **Route** — a joint *foot* patrol on the walk network (every street usable both ways). Patrol
  area = hotspot grown by ``street_reach_m`` ∪ (zone ∩ hotspot grown by ``zone_reach_m``): the
  hotspot's own streets plus the zone streets facing it across the line, so both sides are
  walked. Each physical street with at least ``min_street_inside_m`` (or half its length) in the
  area is required; the tour is a rural postman tour (:func:`gridplan.routing.postman_tour`:
  exact when the required streets are connected, otherwise linked with a proven lower bound) from
  the street node nearest the meeting point. Extracts often leave the walk network in pieces
  (a drive-only extract has no footpaths, a clipped file cuts streets): pieces closer than
  ``max_bridge_m`` are joined by straight walking links (a minimum spanning tree over the pieces,
  named "(gap walked across)" and counted as deadhead). No network: no route, said plainly.
* **Time window** — the hotspot's peak window (shortest run of hours with ``peak_share`` of its
  incidents, e.g. 21:00–02:00) and the days that carry most of it.
* **Cadence** — incidents per week, averaged over the last ``cadence_weeks`` complete weeks (the
  whole period when the trend was not computed): ≥ ``nightly_per_week`` → every day ("nightly"
  when the window is at night), ≥ ``thrice_weekly_per_week`` → 3×/week, else weekly; one step up
  when the trend is ``new`` or ``intensifying`` (``escalate_rising``).
* **Lead** — the jurisdiction with more of the hotspot's incidents; ties: the larger share of the
  hotspot inside its side of the zone (:attr:`BoundaryHotspot.lead_code`).
* **Action** — from the dominant national event class of the hotspot's incidents.

**Blind spots across the line** (:func:`boundary_blind_spots`): street length inside each zone
(streets clipped to the zone) not inside any grid polygon of either jurisdiction, pieces shorter
than ``min_blind_spot_m`` ignored, summed by street name and side.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from gridplan.boundary import BoundaryHotspot, BoundaryZone
from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.hotspots.analysis import Hotspot, HotspotResult
from gridplan.hotspots.cells import segment_table
from gridplan.hotspots.temporal import WEEKDAYS, Trend
from gridplan.model import EventClass
from gridplan.network import StreetNetwork, bridge_pieces
from gridplan.params import Params, param
from gridplan.routing import PostmanOptions, PostmanTour, postman_tour

CADENCES = ("nightly", "daily", "3×/week", "weekly")
ACTIONS: Mapping[str, str] = {
    EventClass.CITYSCAPE.value: "joint patrol against dumping (倾倒垃圾): check dead ends, ditches "
    "and vacant plots, trace loads to their source, consider a camera",
    EventClass.STREET_ORDER.value: "joint patrol against street vending and spill-over trading "
    "at the peak hours",
    EventClass.CONSTRUCTION.value: "joint inspection of building sites, night works and illegal "
    "building",
    EventClass.ADVERTISING.value: "joint clean-up of small adverts and tracing of the advertisers",
    EventClass.EMERGENCY.value: "joint check of the recurring hazard with the facility owner",
}
DEFAULT_ACTION = "joint patrol of the hotspot streets on both sides"
UNNAMED = "(unnamed)"


@dataclass(frozen=True, kw_only=True)
class JointParams(Params):
    """Options of :func:`plan_joint_patrols` (rules in the module docstring)."""

    _section = "joint"
    nightly_per_week: float = param(5.0, unit="incidents/week", gt=0, le=10_000,
                                    help="at least this many a week: patrol every day (night)")
    thrice_weekly_per_week: float = param(2.0, unit="incidents/week", gt=0, le=10_000,
                                          help="at least this many a week: three times a week")
    escalate_rising: bool = param(True, help="new or intensifying hotspots get the next "
                                  "cadence up")
    cadence_weeks: int = param(8, unit="weeks", ge=1, le=520, help="cadence from the mean "
                               "weekly incidents of this many last complete weeks (one month "
                               "is noisy: one quiet or busy week swings it)")
    street_reach_m: float = param(25.0, unit="m", gt=0, le=1000,
                                  help="patrol area: the hotspot grown by this")
    zone_reach_m: float = param(150.0, unit="m", gt=0, le=5000,
                                help="patrol area: the zone facing the hotspot up to this far")
    min_street_inside_m: float = param(20.0, unit="m", gt=0, le=1000, help="a street is "
                                       "patrolled with this much (or half) of it in the area")
    max_meeting_distance_m: float = param(1000.0, unit="m", gt=0, le=50_000,
                                          help="farthest street crossing used as meeting point")
    walk_speed_kmh: float = param(4.0, unit="km/h", gt=0, le=10, help="joint patrol walking "
                                  "speed")
    min_blind_spot_m: float = param(10.0, unit="m", gt=0, le=10_000,
                                    help="shorter uncovered street pieces are ignored")
    max_bridge_m: float = param(150.0, unit="m", gt=0, le=5000,
                                help="join pieces of the walk network closer than this")
    night_hours: tuple[int, ...] = param((20, 6), unit="hours", help="a peak window starting in "
                                         "[start, end) o'clock is nightly")
    seed: int = param(0, ge=0, le=2**31 - 1, help="postman re-linking on disconnected streets")

    def _check(self, issues: ProblemCollector) -> None:
        if self.thrice_weekly_per_week > self.nightly_per_week:
            issues.add(
                "thrice_weekly_per_week",
                expected=f"at most nightly_per_week ({self.nightly_per_week})",
                found=repr(self.thrice_weekly_per_week),
                fix="order the thresholds: nightly ≥ 3×/week",
            )
        if len(self.night_hours) != 2 or not all(0 <= h < 24 for h in self.night_hours):
            issues.add("night_hours", expected="(start, end) hours in 0..23",
                       found=repr(self.night_hours), fix="use (20, 6)")


@dataclass(frozen=True, slots=True)
class MeetingPoint:
    """Where both squads meet: on the shared line (metric CRS)."""

    point: Point
    crossing: bool  # a street crosses the line here
    street: str  # the crossing street's name ("" without a crossing)
    nearby: tuple[str, ...]  # other named streets within 80 m, nearest first
    distance_to_hotspot_m: float
    distance_to_line_m: float
    note: str = ""

    def describe(self) -> str:
        if self.crossing:
            near = f", near {', '.join(self.nearby)}" if self.nearby else ""
            return f"{self.street or UNNAMED} at the boundary{near}"
        near = f" (nearest streets: {', '.join(self.nearby)})" if self.nearby else ""
        return f"point on the boundary line{near}: {self.note}"


@dataclass(frozen=True, slots=True)
class JointRoute:
    """A rural postman tour over the patrol area's streets, on the walk network."""

    tour: PostmanTour
    start_node: Hashable
    required_streets: tuple[Hashable, ...]  # street_id
    line: LineString  # the walk in order, metric CRS
    streets_in_order: tuple[str, ...]  # names, consecutive repeats merged
    duration_min: float
    checked: bool  # PostmanTour.is_valid on the graph it was solved on
    graph: nx.MultiGraph = field(repr=False, compare=False)  # that graph, for drawing the steps

    @property
    def length_m(self) -> float:
        return self.tour.length_m

    def as_dict(self) -> dict[str, object]:
        t = self.tour
        return {
            "network": "walk (joint foot patrol)",
            "length_m": round(t.length_m, 1),
            "required_m": round(t.required_length_m, 1),
            "deadhead_m": round(t.deadhead_m, 1),
            "lower_bound_m": round(t.lower_bound_m, 1),
            "gap": round(t.gap, 4),
            "method": t.method,
            "duration_min": round(self.duration_min, 1),
            "required_streets": len(self.required_streets),
            "uncovered": len(t.uncovered),
            "streets_in_order": list(self.streets_in_order),
        }


@dataclass(frozen=True, slots=True)
class JointProposal:
    """One joint patrol for one flagged boundary hotspot."""

    boundary: BoundaryHotspot
    line: BaseGeometry  # the shared boundary line
    meeting: MeetingPoint
    route: JointRoute | None
    route_note: str
    place: str
    window: str
    busiest_days: tuple[str, ...]
    incidents_per_week: float
    cadence: str
    lead: str
    dominant_class: str
    action: str
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def rank(self) -> int:
        return self.boundary.rank

    @property
    def hotspot(self) -> Hotspot:
        return self.boundary.hotspot

    def _label(self, code: str) -> str:
        return f"{code} {self.names[code]}" if self.names.get(code) else code

    def meeting_row(self) -> dict[str, object]:
        """One row of the list for the joint-enforcement meeting (联席会议)."""
        b, h = self.boundary, self.hotspot
        return {
            "rank": self.rank,
            "place": self.place,
            "meeting_point": self.meeting.describe(),
            "jurisdictions": f"{self._label(b.code_a)} / {self._label(b.code_b)}",
            "incidents_by_side": " / ".join(
                f"{h.incidents_by_jurisdiction.get(c, 0)}" for c in (b.code_a, b.code_b)
            ),
            "dominant_class": self.dominant_class,
            "peak_window": self.window,
            "busiest_days": ", ".join(self.busiest_days) or "every day",
            "trend": str(h.trend),
            "risk": round(b.risk, 2),
            "action": self.action,
            "cadence": self.cadence,
            "lead": self._label(self.lead),
            "route_km": round(self.route.length_m / 1000, 2) if self.route else None,
        }

    def as_dict(self) -> dict[str, object]:
        m = self.meeting
        return {
            "rank": self.rank,
            "lead": self.lead,
            "cadence": self.cadence,
            "incidents_per_week": round(self.incidents_per_week, 2),
            "time_window": self.window,
            "busiest_days": list(self.busiest_days),
            "dominant_class": self.dominant_class,
            "action": self.action,
            "place": self.place,
            "meeting_point": {
                "x": round(m.point.x, 1),
                "y": round(m.point.y, 1),
                "street_crossing": m.crossing,
                "street": m.street,
                "nearby": list(m.nearby),
                "description": m.describe(),
                "distance_to_hotspot_m": round(m.distance_to_hotspot_m, 1),
                "note": m.note,
            },
            "route": self.route.as_dict() if self.route else None,
            "route_note": self.route_note,
        }


@dataclass(frozen=True, slots=True)
class BlindSpot:
    """Zone street length that no grid of either side covers, by street name and side."""

    code_a: str
    code_b: str
    side: str  # the jurisdiction the piece lies in ("" if in a gap between the two)
    street: str
    length_m: float
    geometry: BaseGeometry  # the uncovered pieces, metric CRS


@dataclass(frozen=True, slots=True)
class BlindSpotReport:
    spots: tuple[BlindSpot, ...]
    zone_street_m: Mapping[tuple[str, str], float]  # street length inside each zone
    min_piece_m: float

    @property
    def uncovered_m(self) -> float:
        return float(sum(s.length_m for s in self.spots))

    def as_dict(self) -> dict[str, object]:
        zones = [
            {
                "jurisdictions": list(k),
                "zone_street_km": round(v / 1000, 3),
                "uncovered_km": round(
                    sum(s.length_m for s in self.spots if (s.code_a, s.code_b) == k) / 1000, 3
                ),
            }
            for k, v in self.zone_street_m.items()
        ]
        return {
            "uncovered_km": round(self.uncovered_m / 1000, 3),
            "zones": zones,
            "streets": [
                {
                    "street": s.street,
                    "side": s.side,
                    "km": round(s.length_m / 1000, 3),
                    "jurisdictions": [s.code_a, s.code_b],
                }
                for s in self.spots
            ],
        }


@dataclass(frozen=True, slots=True)
class JointPlan:
    """Joint patrol proposals, blind spots and plain notes on what could not be done."""

    proposals: tuple[JointProposal, ...]
    blind_spots: BlindSpotReport | None
    notes: tuple[str, ...]
    params: JointParams

    def meeting_list(self) -> list[dict[str, object]]:
        return [p.meeting_row() for p in self.proposals]

    def problems(self) -> list[Problem]:
        """Internal consistency checks (see :meth:`is_valid`)."""
        out: list[Problem] = []

        def bad(where: str, expected: str, found: object) -> None:
            out.append(
                Problem(
                    "joint plan",
                    where,
                    expected,
                    repr(found),
                    "this is a bug in gridplan.joint; please report it",
                )
            )

        ranks = [p.rank for p in self.proposals]
        if ranks != list(range(1, len(ranks) + 1)):
            bad("ranks", "1, 2, … in order", ranks)
        for p in self.proposals:
            where, b = f"proposal {p.rank}", p.boundary
            if p.lead not in (b.code_a, b.code_b):
                bad(where, f"lead {b.code_a} or {b.code_b}", p.lead)
            if p.cadence not in CADENCES:
                bad(where, f"cadence in {CADENCES}", p.cadence)
            if p.meeting.point.distance(p.line) > 1e-6 * max(1.0, p.line.length):
                bad(where, "a meeting point on the shared line", p.meeting.point.distance(p.line))
            if sum(p.hotspot.incidents_by_jurisdiction.values()) != p.hotspot.incident_count:
                bad(where, "incidents by side adding up", p.hotspot.incidents_by_jurisdiction)
            if p.route is not None and not (
                p.route.checked
                and p.route.tour.start == p.route.start_node
                and p.route.length_m >= p.route.tour.required_length_m
            ):
                bad(where, "a checked closed walk from the start node", p.route.tour.summary())
        if self.blind_spots is not None:
            short = [s for s in self.blind_spots.spots if s.length_m < self.blind_spots.min_piece_m]
            if short:
                bad("blind spots", f"pieces ≥ {self.blind_spots.min_piece_m} m", len(short))
            if self.blind_spots.uncovered_m > sum(self.blind_spots.zone_street_m.values()) + 1e-6:
                bad(
                    "blind spots",
                    "uncovered length ≤ zone street length",
                    self.blind_spots.uncovered_m,
                )
        return out

    def is_valid(self) -> bool:
        """Ranks in order, leads among the two sides, meeting points on the line, known cadences,
        routes checked against their graph, blind spots within the zone street length."""
        return not self.problems()

    def as_dict(self) -> dict[str, object]:
        return {
            "proposals": [p.as_dict() for p in self.proposals],
            "meeting_list": self.meeting_list(),
            "blind_spots": self.blind_spots.as_dict() if self.blind_spots else None,
            "notes": list(self.notes),
        }


# --- building the plan -----------------------------------------------------------------------


def plan_joint_patrols(
    flagged: Sequence[BoundaryHotspot],
    zones: Sequence[BoundaryZone],
    result: HotspotResult,
    *,
    network: StreetNetwork | None = None,
    grids: gpd.GeoDataFrame | None = None,
    params: JointParams | None = None,
    names: Mapping[str, str] | None = None,
    class_column: str = "event_class",
    time_column: str = "time",
) -> JointPlan:
    """A joint patrol for each of ``flagged`` plus blind spots (rules in the module docstring).

    ``grids``: polygons in the same metric CRS with a ``parent_code`` column naming their
    jurisdiction (without it every grid counts for both sides). ``names``: code → display name.
    """
    params = params or JointParams()
    _check_inputs(zones, result, network, grids)
    notes: list[str] = []
    notices = [b for b in flagged if b.kind != "joint"]
    if notices:  # one side's hotspots: the neighbour is told, nobody patrols jointly
        flagged = [b for b in flagged if b.kind == "joint"]
        notes.append(f"{len(notices)} one-sided boundary hotspot(s) left to notices, not planned")
    streets = walk = None
    if network is None:
        notes.append(
            "no street network: meeting points are the nearest points of the shared "
            "line and the proposals have no route"
        )
    else:
        streets = segment_table(network.graph)
        walk, bridges = bridge_pieces(network.undirected(), max_gap_m=params.max_bridge_m)
        if bridges:
            notes.append(
                f"the walk network came in pieces: {bridges} gap(s) of at most "
                f"{params.max_bridge_m:g} m are walked across in straight lines"
            )
        if network.mode != "walk":
            notes.append(
                f"routes on a {network.mode} network read as two-way streets; load the "
                "walk network for joint foot patrols"
            )
    line_of = {(z.code_a, z.code_b): z for z in zones}
    proposals = tuple(
        _proposal(
            b,
            line_of[(b.code_a, b.code_b)],
            result,
            streets,
            walk,
            params,
            dict(names or {}),
            class_column,
            time_column,
        )
        for b in flagged
    )
    blind = None
    if grids is None:
        notes.append("no grid layout: blind spots across the line not computed")
    elif streets is None:
        notes.append("no street network: blind spots across the line not computed")
    else:
        blind = boundary_blind_spots(zones, streets, grids, min_piece_m=params.min_blind_spot_m)
    if not flagged and not notices:
        notes.append("no hotspot touches a boundary zone: no joint patrol to propose")
    return JointPlan(proposals, blind, tuple(notes), params)


def _check_inputs(
    zones: Sequence[BoundaryZone],
    result: HotspotResult,
    network: StreetNetwork | None,
    grids: gpd.GeoDataFrame | None,
) -> None:
    issues = ProblemCollector("joint patrol inputs")
    crs = result.units.crs
    if network is not None and gpd.GeoSeries(crs=network.crs).crs != crs:
        issues.add(
            "network",
            expected=f"the analysis CRS {crs}",
            found=str(network.crs),
            fix="analyse the incidents in the network's CRS",
        )
    if grids is not None and grids.crs != crs:
        issues.add(
            "grids",
            expected=f"the analysis CRS {crs}",
            found=str(grids.crs),
            fix="reproject the grids with .to_crs(...)",
        )
    if any(z.is_empty for z in zones):
        issues.add(
            "zones",
            expected="non-empty boundary zones",
            found="an empty zone",
            fix="pass boundary_zones(...), which leaves out pairs that do not touch",
        )
    issues.raise_if_any("cannot plan joint patrols")


def _proposal(
    b: BoundaryHotspot,
    zone: BoundaryZone,
    result: HotspotResult,
    streets: gpd.GeoDataFrame | None,
    walk: nx.MultiGraph | None,
    params: JointParams,
    names: dict[str, str],
    class_column: str,
    time_column: str,
) -> JointProposal:
    h = b.hotspot
    meeting = meeting_point(
        h.geometry, zone.line, streets, max_distance_m=params.max_meeting_distance_m
    )
    route, note = None, "no street network: no route"
    area = patrol_area(h.geometry, zone.zone, params)
    if streets is not None and walk is not None:
        route, note = _route(area, meeting, streets, walk, params)
    per_week = _incidents_per_week(h, result, params, time_column)
    window = h.peak.label
    dominant = _dominant_class(h, result, class_column)
    return JointProposal(
        boundary=b,
        line=zone.line,
        meeting=meeting,
        route=route,
        route_note=note,
        place=_place(h, streets, params, zone),
        window=window,
        busiest_days=_busiest_days(h),
        incidents_per_week=per_week,
        cadence=_cadence(per_week, h, params),
        lead=b.lead_code,
        dominant_class=dominant,
        action=ACTIONS.get(dominant, DEFAULT_ACTION),
        names=names,
    )


def patrol_area(hotspot: BaseGeometry, zone: BaseGeometry, params: JointParams) -> BaseGeometry:
    """Hotspot grown by ``street_reach_m`` ∪ (zone ∩ hotspot grown by ``zone_reach_m``)."""
    facing = shapely.intersection(zone, shapely.buffer(hotspot, params.zone_reach_m))
    return shapely.union(shapely.buffer(hotspot, params.street_reach_m), facing)


def meeting_point(
    hotspot: BaseGeometry,
    line: BaseGeometry,
    streets: gpd.GeoDataFrame | None,
    *,
    max_distance_m: float,
) -> MeetingPoint:
    """The street crossing of ``line`` nearest ``hotspot`` (module docstring has the rules)."""
    best = None
    if streets is not None and len(streets):
        for i in streets.sindex.query(line, predicate="intersects"):
            geom = streets.geometry.iloc[i]
            for part in shapely.get_parts(shapely.intersection(geom, line)):
                point = part if part.geom_type == "Point" else nearest_points(part, hotspot)[0]
                key = (
                    point.distance(hotspot),
                    point.distance(hotspot.centroid),
                    str(streets["street_id"].iloc[i]),
                )
                if best is None or key < best[0]:
                    best = (key, point, str(streets["name"].iloc[i] or ""))
    if best is not None and best[0][0] <= max_distance_m:
        (distance, *_), point, name = best
        return MeetingPoint(
            point,
            True,
            name,
            _nearby_names(point, streets, exclude=name),
            distance,
            point.distance(line),
        )
    point = nearest_points(line, hotspot)[0]
    if streets is None:
        note = "no street network"
    elif best is None:
        note = "no street crossing: no street of the network crosses the shared line"
    else:
        note = (
            f"no street crossing within {max_distance_m:,.0f} m of the hotspot "
            f"(nearest {best[0][0]:,.0f} m away, on {best[2] or UNNAMED})"
        )
    nearby = _nearby_names(point, streets, exclude="") if streets is not None else ()
    return MeetingPoint(
        point, False, "", nearby, point.distance(hotspot), point.distance(line), note
    )


def _nearby_names(
    point: Point,
    streets: gpd.GeoDataFrame | None,
    *,
    exclude: str,
    radius_m: float = 80.0,
    limit: int = 2,
) -> tuple[str, ...]:
    if streets is None or not len(streets):
        return ()
    idx = streets.sindex.query(point.buffer(radius_m), predicate="intersects")
    near = sorted(
        (streets.geometry.iloc[i].distance(point), str(streets["name"].iloc[i] or "")) for i in idx
    )
    out: list[str] = []
    for _, name in near:
        if name and name != exclude and name not in out:
            out.append(name)
    return tuple(out[:limit])


def required_streets(
    area: BaseGeometry, streets: gpd.GeoDataFrame, *, min_inside_m: float
) -> gpd.GeoDataFrame:
    """Streets with at least ``min_inside_m`` (or half their length) inside ``area``."""
    idx = streets.sindex.query(area, predicate="intersects")
    candidates = streets.iloc[np.sort(idx)]
    inside = shapely.length(shapely.intersection(candidates.geometry.values, area))
    keep = inside >= np.minimum(min_inside_m, 0.5 * candidates["length"].to_numpy())
    return candidates[keep]


def _route(
    area: BaseGeometry,
    meeting: MeetingPoint,
    streets: gpd.GeoDataFrame,
    walk: nx.MultiGraph,
    params: JointParams,
) -> tuple[JointRoute | None, str]:
    chosen = required_streets(area, streets, min_inside_m=params.min_street_inside_m)
    if chosen.empty:
        return None, "no street of the network lies in the hotspot or the zone facing it"
    keys = [
        (u, v, sid) for u, v, sid in zip(chosen["u"], chosen["v"], chosen["street_id"], strict=True)
    ]
    component = _component_with_most(walk, keys)
    keys = [k for k in keys if k[0] in component]
    start = _nearest_node(walk, component, meeting.point)
    graph = walk.subgraph(component)
    tour = postman_tour(
        graph,
        required=keys,
        start=start,
        options=PostmanOptions(on_unreachable="uncovered", seed=params.seed),
    )
    line, order = _walk_line(graph, tour)
    minutes = tour.length_m / (params.walk_speed_kmh * 1000.0 / 60.0)
    note = ""
    if len(keys) < len(chosen):
        note = (
            f"{len(chosen) - len(keys)} hotspot street(s) lie on a piece of the network not "
            "connected to the rest and are left out"
        )
    route = JointRoute(
        tour, start, tuple(k[2] for k in keys), line, order, minutes, tour.is_valid(graph, keys),
        graph,
    )
    return route, note


def _component_with_most(walk: nx.MultiGraph, keys: list[tuple]) -> set:
    best, best_count = set(), -1
    heads = {k[0] for k in keys}
    for comp in nx.connected_components(walk):
        count = len(heads & comp)
        if count > best_count:
            best, best_count = comp, count
    return best


def _nearest_node(graph: nx.MultiGraph, nodes: set, point: Point) -> Hashable:
    ordered = sorted(nodes, key=str)
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in ordered])
    _, i = cKDTree(xy).query([point.x, point.y])
    return ordered[int(i)]


def _walk_line(graph: nx.MultiGraph, tour: PostmanTour) -> tuple[LineString, tuple[str, ...]]:
    coords: list[tuple[float, float]] = []
    names: list[str] = []
    for step in tour.steps:
        data = graph.edges[step.u, step.v, step.key]
        part = list(data["geometry"].coords)
        start = (graph.nodes[step.u]["x"], graph.nodes[step.u]["y"])
        if np.hypot(part[0][0] - start[0], part[0][1] - start[1]) > np.hypot(
            part[-1][0] - start[0], part[-1][1] - start[1]
        ):
            part = part[::-1]
        coords.extend(part if not coords else part[1:])
        name = str(data.get("name") or UNNAMED)
        if not names or names[-1] != name:
            names.append(name)
    return (LineString(coords) if len(coords) >= 2 else LineString()), tuple(names)


def _incidents_per_week(
    h: Hotspot, result: HotspotResult, params: JointParams, time_column: str
) -> float:
    detail = h.trend_detail
    if detail is not None and len(detail.counts):
        return float(np.mean(detail.counts[-params.cadence_weeks :]))
    if time_column not in result.incidents.columns or result.incidents.empty:
        return 0.0
    times = pd.to_datetime(result.incidents[time_column])
    weeks = max((times.max() - times.min()) / pd.Timedelta(days=7), 1.0)
    return h.incident_count / weeks


def _cadence(per_week: float, h: Hotspot, params: JointParams) -> str:
    levels = ["weekly", "3×/week", "every day"]
    level = (
        2
        if per_week >= params.nightly_per_week
        else 1
        if per_week >= params.thrice_weekly_per_week
        else 0
    )
    if params.escalate_rising and h.trend in (Trend.NEW, Trend.INTENSIFYING):
        level = min(level + 1, 2)
    if levels[level] != "every day":
        return levels[level]
    start, end = params.night_hours
    at_night = (h.peak.start_hour - start) % 24 < (end - start) % 24
    return "nightly" if at_night else "daily"


def _busiest_days(h: Hotspot, *, lift: float = 1.25) -> tuple[str, ...]:
    """Weekdays carrying at least ``lift`` × an even share of the peak window's incidents."""
    hours = [(h.peak.start_hour + k) % 24 for k in range(h.peak.hours)]
    per_day = h.profile[:, hours].sum(axis=1)
    total = per_day.sum()
    if total == 0:
        return ()
    return tuple(WEEKDAYS[d] for d in range(7) if per_day[d] >= lift * total / 7)


def _dominant_class(h: Hotspot, result: HotspotResult, class_column: str) -> str:
    if class_column not in result.incidents.columns:
        return "unknown"
    events = result.incidents[result.incidents["unit_id"].isin(h.unit_ids)]
    counts = events[class_column].astype(str).value_counts()
    return str(counts.index[0]) if len(counts) else "unknown"


def _place(
    h: Hotspot, streets: gpd.GeoDataFrame | None, params: JointParams, zone: BoundaryZone
) -> str:
    gap = h.geometry.distance(zone.line)
    where = "on the line" if gap < 1 else f"{gap:,.0f} m from the line"
    if streets is None:
        return f"{len(h.unit_ids)} cells, {h.geometry.area / 1e6:.2f} km², {where}"
    inside = required_streets(
        shapely.buffer(h.geometry, params.street_reach_m),
        streets,
        min_inside_m=params.min_street_inside_m,
    )
    by_name = (
        inside.assign(name=inside["name"].replace("", UNNAMED))
        .groupby("name")["length"]
        .sum()
        .sort_values(ascending=False)
    )
    named = [n for n in by_name.index if n != UNNAMED][:3]
    lanes = " and unnamed lanes" if UNNAMED in by_name.index else ""
    return f"{', '.join(named) or 'unnamed lanes'}{lanes if named else ''} ({where})"


# --- blind spots ---------------------------------------------------------------------------


def boundary_blind_spots(
    zones: Sequence[BoundaryZone],
    streets: gpd.GeoDataFrame,
    grids: gpd.GeoDataFrame,
    *,
    min_piece_m: float = 10.0,
) -> BlindSpotReport:
    """Zone street length outside every grid of either side (module docstring).

    ``streets``: :func:`~gridplan.hotspots.cells.segment_table` rows; ``grids``: polygons with an
    optional ``parent_code``; both in the zones' metric CRS.
    """
    if not min_piece_m > 0:
        raise InvalidInputError(
            "invalid blind-spot length",
            [
                Problem(
                    "min_piece_m", "", "a positive length in metres", repr(min_piece_m), "use 10"
                )
            ],
        )
    spots: list[BlindSpot] = []
    zone_street_m: dict[tuple[str, str], float] = {}
    for zone in zones:
        idx = np.sort(streets.sindex.query(zone.zone, predicate="intersects"))
        clipped = shapely.intersection(streets.geometry.values[idx], zone.zone)
        zone_street_m[(zone.code_a, zone.code_b)] = float(shapely.length(clipped).sum())
        covered = _grid_cover(grids, (zone.code_a, zone.code_b))
        open_parts = shapely.difference(clipped, covered) if covered is not None else clipped
        pieces: dict[tuple[str, str], list[BaseGeometry]] = {}
        for geom, name in zip(open_parts, streets["name"].to_numpy()[idx], strict=True):
            for part in shapely.get_parts(geom):
                if part.length < min_piece_m:
                    continue
                key = (_side_of(part, zone), str(name or UNNAMED))
                pieces.setdefault(key, []).append(part)
        for (side, name), parts in sorted(
            pieces.items(), key=lambda kv: -sum(p.length for p in kv[1])
        ):
            merged = shapely.line_merge(shapely.union_all(parts))
            spots.append(
                BlindSpot(
                    zone.code_a,
                    zone.code_b,
                    side,
                    name,
                    float(sum(p.length for p in parts)),
                    merged,
                )
            )
    return BlindSpotReport(tuple(spots), zone_street_m, min_piece_m)


def _grid_cover(grids: gpd.GeoDataFrame, codes: tuple[str, str]) -> BaseGeometry | None:
    mine = grids
    if "parent_code" in grids.columns:
        mine = grids[grids["parent_code"].astype(str).isin(codes)]
    if mine.empty:
        return None
    return shapely.buffer(shapely.union_all(mine.geometry.values), 1.0)  # 1 m: digitising slack


def _side_of(piece: BaseGeometry, zone: BoundaryZone) -> str:
    shares = {code: shapely.intersection(piece, side).length for code, side in zone.sides().items()}
    code, length = max(shares.items(), key=lambda kv: kv[1])
    return code if length > 0 else ""
