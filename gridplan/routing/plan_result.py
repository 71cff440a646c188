"""The squad leader's plan for one grid and shift: routes per officer, coverage, what is left out.

:class:`PatrolPlan` checks itself (:meth:`PatrolPlan.problems`), summarises itself, and turns into
the frames the maps and file writers take (:meth:`PatrolPlan.to_frames`, schemas in
``maps/layers.py``: *routes*, *officers*, *key_points*, *uncovered*). Minutes count from the
shift start; lengths are metres; geometries are in the network's metric CRS (``crs``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from gridplan.errors import Problem
from gridplan.model import Shift
from gridplan.routing.turns import Segment, stop_line, turn_lines

_TOL_MIN = 1e-6


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One street walked from ``u`` to ``v`` (network nodes) along network edge ``key``."""

    u: Hashable
    v: Hashable
    key: Hashable
    street_id: Hashable
    name: str
    grade: int
    geometry: BaseGeometry  # metric CRS, in travel direction
    length_m: float
    minutes: float  # travel, plus inspection when serving
    deadhead: bool  # walked through without patrolling
    arrival_min: float  # minutes after the shift start when the step begins


@dataclass(frozen=True, slots=True)
class KeyPointStop:
    """A key point an officer visits: after step ``step`` (index), at ``arrival``."""

    step: int
    id: str
    name: str
    arrival: datetime
    dwell_min: float


@dataclass(frozen=True)
class OfficerRoute:
    officer: str
    steps: tuple[RouteStep, ...]
    dwell_min: float = 0.0  # at key points
    wait_min: float = 0.0  # for key-point windows to open
    stops: tuple[KeyPointStop, ...] = ()  # key points visited, in route order

    @property
    def length_m(self) -> float:
        return sum(s.length_m for s in self.steps)

    @property
    def deadhead_m(self) -> float:
        return sum(s.length_m for s in self.steps if s.deadhead)

    @property
    def minutes(self) -> float:
        return sum(s.minutes for s in self.steps) + self.dwell_min + self.wait_min

    @property
    def deadhead_share(self) -> float:
        return self.deadhead_m / self.length_m if self.length_m else 0.0

    def turns(self, *, lang: str = "zh") -> list[str]:
        """Directions, e.g. "沿延安中路向东 320 m" then "右转进入成都北路，向北 150 m", with a
        line at each key point ("到达重点点位 学校（K1）09:05，停留 10 min")."""
        said: dict[int, list[str]] = {}
        for stop in self.stops:
            said.setdefault(stop.step, []).append(stop_line(
                stop.id, stop.name, f"{stop.arrival:%H:%M}", stop.dwell_min, lang=lang))
        return turn_lines((Segment(s.name, s.deadhead, s.length_m, list(s.geometry.coords),
                                   "\n".join(said.get(i, ())))
                           for i, s in enumerate(self.steps)), lang=lang)


#: Why a street is left out of a plan: a stable code (what results carry, so each door words it
#: in its own language) → the English words.
UNCOVERED_REASONS = {
    "unreachable": "not connected to the station's streets (closed walk impossible)",
    "unreachable_drive": "no closed drive from the station (one-way access or disconnected)",
    "over_shift": "does not fit in the shift (lowest priority left out)",
}


@dataclass(frozen=True, slots=True)
class UncoveredStreet:
    street_id: Hashable
    name: str
    grade: int
    length_m: float
    passes_missing: int
    reason_code: str  # a key of UNCOVERED_REASONS
    geometry: BaseGeometry

    @property
    def reason(self) -> str:
        return UNCOVERED_REASONS[self.reason_code]


@dataclass(frozen=True, slots=True)
class KeyPointVisit:
    """A key point, where it snapped to, and whether its officer gets there in its window."""

    id: str
    name: str
    point: Point
    street_id: Hashable
    snap_m: float
    dwell_minutes: float
    window: tuple[time, time] | None
    officer: str | None  # None when its street is uncovered
    arrival: datetime | None
    late_min: float = 0.0  # after the window closed (0 = on time)
    wait_min: float = 0.0  # early, waited for the window to open
    missed: str = ""  # why the window is missed ("" = on time)
    repair: str = ""  # what was changed to meet the window, if anything

    @property
    def on_time(self) -> bool:
        return self.arrival is not None and not self.missed

    @property
    def window_text(self) -> str | None:
        if self.window is None:
            return None
        return f"{self.window[0]:%H:%M}–{self.window[1]:%H:%M}"


@dataclass(frozen=True)
class PatrolPlan:
    """Routes for the officers of one grid in one shift (see the module docstring).

    ``required`` maps street id to the passes needed this shift (both sides count twice);
    ``lower_bound_min`` bounds the longest route of any plan serving the streets this plan kept
    (travel + inspection + dwell), so :attr:`gap` — measured on the same work, never on minutes
    spent waiting for a key point's window to open — is a guarantee.
    """

    grid_code: str
    mode: str
    shift: Shift
    station_node: Hashable
    station_snap_m: float  # from the station, or from the grid's centre when none was given
    routes: tuple[OfficerRoute, ...]
    required: Mapping[Hashable, int]
    uncovered: tuple[UncoveredStreet, ...]
    key_points: tuple[KeyPointVisit, ...]
    lower_bound_min: float
    method: str
    runtime_s: float
    crs: object
    officers_needed: int | None = None  # to cover everything in the shift, when estimated
    notes: tuple[str, ...] = ()
    station_given: bool = True  # False: no station, the start is nearest the grid's centre
    links: frozenset = frozenset()  # walking links across gaps of the network (see notes)
    day_part: str = ""  # the part of the day's pattern this shift is (e.g. 白), "" = whole day
    shifts_today: int = 1  # shifts in the day's pattern: passes are shared among them

    # ------------------------------------------------------------------ figures
    @property
    def longest_min(self) -> float:
        return max((r.minutes for r in self.routes), default=0.0)

    @property
    def longest_work_min(self) -> float:
        """The longest route's travel, inspection and dwell (waiting for windows left out)."""
        return max((r.minutes - r.wait_min for r in self.routes), default=0.0)

    @property
    def gap(self) -> float:
        if self.lower_bound_min <= 0:
            return 0.0
        return max(0.0, self.longest_work_min / self.lower_bound_min - 1.0)

    @property
    def served(self) -> Counter:
        """Passes served per street id."""
        return Counter(s.street_id for r in self.routes for s in r.steps if not s.deadhead)

    @property
    def coverage(self) -> float:
        """Required passes served / required passes (1.0 when nothing is required)."""
        total = sum(self.required.values())
        if not total:
            return 1.0
        served = self.served
        return sum(min(served[s], n) for s, n in self.required.items()) / total

    @property
    def deadhead_share(self) -> float:
        length = sum(r.length_m for r in self.routes)
        return sum(r.deadhead_m for r in self.routes) / length if length else 0.0

    # ------------------------------------------------------------------ checks
    def is_valid(self, graph: nx.MultiDiGraph | None = None) -> bool:
        return not self.problems(graph)

    def problems(self, graph: nx.MultiDiGraph | None = None) -> list[Problem]:
        """Every route a connected closed walk from the station (on ``graph`` when given), each
        required street served as often as needed unless listed uncovered, times adding up and
        within the shift, the lower bound below the longest route."""
        found: list[Problem] = []
        for route in self.routes:
            found += _walk_problems(route, self.station_node, graph, self.links)
            found += _time_problems(route, self.shift)
        served = self.served
        missing = Counter({u.street_id: u.passes_missing for u in self.uncovered})
        for sid, need in self.required.items():
            if served[sid] + missing[sid] < need:
                found.append(_problem(f"street {sid!r}", f"served {need} time(s) or listed "
                                      "uncovered", f"served {served[sid]}, uncovered "
                                      f"{missing[sid]}"))
        work = self.longest_work_min
        if self.routes and self.lower_bound_min > work + 1e-6 * max(1.0, work):
            found.append(_problem("lower_bound_min", f"<= longest work {work:.3f}",
                                  f"{self.lower_bound_min:.3f}"))
        return found

    # ------------------------------------------------------------------ reports
    def summary(self, *, lang: str = "zh", turns: int = 3) -> str:
        lines = [f"grid {self.grid_code} · {self.shift.start:%Y-%m-%d %H:%M}–"
                 f"{self.shift.end:%H:%M}{self._place_text()} · {self.mode} · "
                 f"{len(self.routes)} officer(s) · {self._start_text()}"]
        for r in self.routes:
            lines.append(f"  {r.officer}: {r.length_m / 1000:.2f} km, {r.minutes:.0f} min, "
                         f"deadhead {r.deadhead_share:.0%}")
            lines += [f"      {t}" for t in r.turns(lang=lang)[:turns]]
        waiting = self.longest_min - self.longest_work_min
        wait_text = f" + {waiting:.0f} min waiting" if waiting >= 0.5 else ""
        lines.append(f"  longest {self.longest_work_min:.0f} min{wait_text} vs lower bound "
                     f"{self.lower_bound_min:.0f} min (gap {self.gap:.1%}); coverage "
                     f"{self.coverage:.0%}; deadhead {self.deadhead_share:.0%}; "
                     f"{self.runtime_s:.1f} s ({self.method})")
        for kp in self.key_points:
            state = "on time" if kp.on_time else f"MISSED: {kp.missed}"
            if kp.repair:
                state += f" ({kp.repair})"
            lines.append(f"  key point {kp.id} {kp.name}: {kp.officer or '-'} "
                         f"{kp.arrival:%H:%M} " if kp.arrival else f"  key point {kp.id}: ")
            lines[-1] += f"window {kp.window_text or 'any'} → {state}"
        if self.uncovered:
            km = sum(u.length_m * u.passes_missing for u in self.uncovered) / 1000
            reasons = Counter(u.reason for u in self.uncovered)
            lines.append(f"  uncovered: {len(self.uncovered)} street(s), {km:.2f} km of passes: "
                         + "; ".join(f"{n} × {why}" for why, n in reasons.most_common()))
            if self.officers_needed:
                lines.append(f"  officers needed to cover everything in this shift: "
                             f"{self.officers_needed}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _start_text(self) -> str:
        if self.station_given:
            return f"station snapped {self.station_snap_m:.0f} m"
        return (f"no station given: routes start at the street node nearest the grid's centre "
                f"({self.station_snap_m:.0f} m from it)")

    def _place_text(self) -> str:
        if self.shifts_today <= 1:
            return ""
        return f" ({self.day_part}, 1 of {self.shifts_today} shifts of the day)"

    def to_dict(self, *, lang: str = "zh") -> dict:
        """Plain JSON-ready figures (no geometry)."""
        return {
            "grid": self.grid_code, "mode": self.mode, "shift_start": self.shift.start.isoformat(),
            "shift_end": self.shift.end.isoformat(), "day_part": self.day_part,
            "shifts_today": self.shifts_today,
            "station_given": self.station_given,
            "station_snap_m": round(self.station_snap_m, 1),
            "longest_min": round(self.longest_min, 2),
            "longest_work_min": round(self.longest_work_min, 2), "lower_bound_min":
            round(self.lower_bound_min, 2), "gap": round(self.gap, 4), "coverage":
            round(self.coverage, 4), "deadhead_share": round(self.deadhead_share, 4),
            "method": self.method, "runtime_s": round(self.runtime_s, 3),
            "officers_needed": self.officers_needed, "notes": list(self.notes),
            "officers": [{"officer": r.officer, "length_m": round(r.length_m, 1),
                          "minutes": round(r.minutes, 2), "deadhead_share":
                          round(r.deadhead_share, 4), "dwell_min": round(r.dwell_min, 2),
                          "wait_min": round(r.wait_min, 2), "steps": len(r.steps),
                          "turns": r.turns(lang=lang)} for r in self.routes],
            "uncovered": [{"street_id": str(u.street_id), "name": u.name, "grade": u.grade,
                           "length_m": round(u.length_m, 1), "passes_missing": u.passes_missing,
                           "reason": u.reason, "reason_code": u.reason_code}
                          for u in self.uncovered],
            "key_points": [{"id": k.id, "name": k.name, "officer": k.officer, "window":
                            k.window_text, "arrival": k.arrival.isoformat() if k.arrival else
                            None, "on_time": k.on_time, "late_min": round(k.late_min, 1),
                            "wait_min": round(k.wait_min, 1), "snap_m": round(k.snap_m, 1),
                            "missed": k.missed, "repair": k.repair} for k in self.key_points],
        }

    def to_frames(self, *, lang: str = "zh") -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
        """``routes``, ``officers``, ``key_points``, ``uncovered`` in the maps layer schemas
        (metric CRS; the maps reproject)."""
        rows = [{"officer": r.officer, "seq": i, "name": s.name, "deadhead": s.deadhead,
                 "length_m": s.length_m, "minutes": s.minutes, "street_id": str(s.street_id),
                 "arrival_min": s.arrival_min, "geometry": s.geometry}
                for r in self.routes for i, s in enumerate(r.steps)]
        routes = gpd.GeoDataFrame(pd.DataFrame(rows, columns=[
            "officer", "seq", "name", "deadhead", "length_m", "minutes", "street_id",
            "arrival_min", "geometry"]), geometry="geometry", crs=self.crs)
        officers = pd.DataFrame([{"officer": r.officer, "turns": r.turns(lang=lang),
                                  "length_m": r.length_m, "minutes": r.minutes}
                                 for r in self.routes if r.steps],
                                columns=["officer", "turns", "length_m", "minutes"])
        key_points = gpd.GeoDataFrame(pd.DataFrame(
            [{"id": k.id, "name": k.name, "window": k.window_text, "dwell_minutes":
              float(k.dwell_minutes), "officer": k.officer or "",
              "arrival": f"{k.arrival:%H:%M}" if k.arrival else "", "on_time": k.on_time,
              "missed": k.missed, "geometry": k.point} for k in self.key_points],
            columns=["id", "name", "window", "dwell_minutes", "officer", "arrival", "on_time",
                     "missed", "geometry"]),
            geometry="geometry", crs=self.crs)
        uncovered = gpd.GeoDataFrame(pd.DataFrame(
            [{"name": u.name, "reason": u.reason, "reason_code": u.reason_code, "grade": u.grade,
              "passes_missing": u.passes_missing, "geometry": u.geometry}
             for u in self.uncovered],
            columns=["name", "reason", "reason_code", "grade", "passes_missing", "geometry"]),
            geometry="geometry", crs=self.crs)
        return {"routes": routes, "officers": officers, "key_points": key_points,
                "uncovered": uncovered}


def _walk_problems(route: OfficerRoute, station: Hashable, graph: nx.MultiDiGraph | None,
                   links: frozenset = frozenset()) -> list[Problem]:
    steps = route.steps
    if not steps:
        return []
    out = []
    if steps[0].u != station or steps[-1].v != station:
        out.append(_problem(f"route {route.officer}", f"to start and end at {station!r}",
                            f"{steps[0].u!r} .. {steps[-1].v!r}"))
    for i, (a, b) in enumerate(zip(steps, steps[1:], strict=False)):
        if a.v != b.u:
            out.append(_problem(f"route {route.officer} step {i + 1}", f"to start at {a.v!r}",
                                repr(b.u)))
    if graph is not None:
        for i, s in enumerate(steps):
            if not graph.has_edge(s.u, s.v, s.key) and not (s.deadhead and (s.u, s.v, s.key)
                                                            in links):
                out.append(_problem(f"route {route.officer} step {i}", "an edge of the network",
                                    f"({s.u!r}, {s.v!r}, {s.key!r})"))
    return out


def _time_problems(route: OfficerRoute, shift: Shift) -> list[Problem]:
    out = []
    clock = 0.0
    for i, s in enumerate(route.steps):
        if s.arrival_min + 1e-6 < clock:
            out.append(_problem(f"route {route.officer} step {i}", f"arrival >= {clock:.2f}",
                                f"{s.arrival_min:.2f}"))
        clock = max(clock, s.arrival_min) + s.minutes
    if route.minutes > shift.minutes + 1e-6:
        out.append(_problem(f"route {route.officer}", f"<= {shift.minutes:.0f} min (the shift)",
                            f"{route.minutes:.1f} min"))
    return out


def _problem(where: str, expected: str, found: str) -> Problem:
    return Problem("patrol plan", where, expected, found, "this is a planner bug; report it")


def shift_clock(shift: Shift, minutes: float) -> datetime:
    return shift.start + timedelta(minutes=minutes)


def line_of(geometry: BaseGeometry) -> LineString:
    return geometry if isinstance(geometry, LineString) else LineString(geometry.coords)
