"""Turn-by-turn directions from route geometry: the one place turns are computed.

A route is a sequence of segments (street name, patrolled or only walked through, length, the
line's coordinates in travel order). Consecutive segments on the same street with the same status
merge into one *leg* unless the walker turns back between them: every reversal starts a leg of
its own ("掉头"), so a leg never doubles back on itself and its length is the length of its own
line. The turn between two legs comes from the change of bearing (last piece of the previous leg
→ first piece of the next), and each leg's compass heading from the bearing from its start to its
end. Coordinates are metric (x east, y north) or, with ``lonlat=True``, WGS-84
degrees (longitude scaled by cos(latitude) so bearings are true).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gridplan.network import BRIDGE_NAME

STRAIGHT_DEG = 30.0  # a bearing change below this reads as "continue"
U_TURN_DEG = 150.0  # above this reads as "turn back"
TURN_KINDS = ("follow", "continue", "turn_left", "turn_right", "u_turn")

_COMPASS = {
    "zh": ("东", "东北", "北", "西北", "西", "西南", "南", "东南"),
    "en": ("east", "northeast", "north", "northwest", "west", "southwest", "south", "southeast"),
}
_PHRASES = {
    "zh": {"follow": "沿{name}向{compass} {length} m", "continue": "直行进入{name}",
           "turn_left": "左转进入{name}", "turn_right": "右转进入{name}",
           "u_turn": "掉头进入{name}", "u_turn_same": "掉头沿{name}",
           "leg": "{verb}，向{compass} {length} m",
           "unnamed": "无名道路", "gap": "断口（直线步行穿过）", "through": "（途经）",
           "join": "，",
           "stop": "到达重点点位 {name}（{id}）{arrival}，停留 {dwell} min"},
    "en": {"follow": "Follow {name} {compass} {length} m", "continue": "Continue onto {name}",
           "turn_left": "Turn left onto {name}", "turn_right": "Turn right onto {name}",
           "u_turn": "Turn back onto {name}", "u_turn_same": "Turn back along {name}",
           "leg": "{verb}, {compass} {length} m",
           "unnamed": "unnamed street", "gap": BRIDGE_NAME, "through": " (pass through)",
           "join": "; ",
           "stop": "Key point {name} ({id}) at {arrival}, stay {dwell} min"},
}


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    deadhead: bool
    length_m: float
    coords: Sequence[tuple[float, float]]  # in travel order, at least two points
    stop: str = ""  # a line said after this segment (a key point visited on it)


@dataclass(frozen=True, slots=True)
class Leg:
    """Consecutive segments on one street with one status, and its bearings (degrees,
    counter-clockwise from east)."""

    name: str
    deadhead: bool
    length_m: float
    first_bearing_deg: float  # of its first piece
    last_bearing_deg: float  # of its last piece
    heading_deg: float  # start → end
    coords: tuple[tuple[float, float], ...] = ()  # its line in travel order
    stop: str = ""  # said after the leg (it ends where a key point is visited)


@dataclass(frozen=True, slots=True)
class Turn:
    kind: str  # one of TURN_KINDS ("follow" for the first leg)
    leg: Leg
    same_street: bool = False  # the previous leg was on the same street (a turn back on it)


def bearing_deg(a: Sequence[float], b: Sequence[float], *, lonlat: bool = False) -> float:
    """Direction of a→b, degrees counter-clockwise from east."""
    dx = b[0] - a[0]
    if lonlat:
        dx *= math.cos(math.radians((a[1] + b[1]) / 2))
    return math.degrees(math.atan2(b[1] - a[1], dx))


def turn_kind(incoming_deg: float, outgoing_deg: float) -> str:
    """'continue', 'turn_left', 'turn_right' or 'u_turn' for the change of direction."""
    change = (outgoing_deg - incoming_deg + 180.0) % 360.0 - 180.0
    if abs(change) < STRAIGHT_DEG:
        return "continue"
    if abs(change) > U_TURN_DEG:
        return "u_turn"
    return "turn_left" if change > 0 else "turn_right"


def compass_index(bearing: float) -> int:
    """0 = east, 1 = northeast, ... 7 = southeast (eight 45° sectors)."""
    return int(((bearing % 360.0) + 22.5) // 45.0) % 8


def merge_legs(segments: Iterable[Segment], *, lonlat: bool = False) -> list[Leg]:
    """Consecutive segments on the same street with the same status, merged — except across a
    reversal (a bearing change above ``U_TURN_DEG``), where a new leg starts."""
    legs: list[Leg] = []
    for seg in segments:
        xy = [(float(p[0]), float(p[1])) for p in seg.coords]
        if len(xy) < 2:
            continue
        first = bearing_deg(xy[0], xy[1], lonlat=lonlat)
        last = bearing_deg(xy[-2], xy[-1], lonlat=lonlat)
        prev = legs[-1] if legs else None
        if (prev is not None and prev.name == seg.name and prev.deadhead == seg.deadhead
                and not prev.stop and turn_kind(prev.last_bearing_deg, first) != "u_turn"):
            coords = prev.coords + tuple(xy[1:])
            legs[-1] = Leg(prev.name, prev.deadhead, prev.length_m + seg.length_m,
                           prev.first_bearing_deg, last,
                           _heading(coords[0], coords[-1], prev.first_bearing_deg, lonlat),
                           coords, seg.stop)
            continue
        legs.append(Leg(seg.name, seg.deadhead, seg.length_m, first, last,
                        _heading(xy[0], xy[-1], first, lonlat), tuple(xy), seg.stop))
    return legs


def _heading(start, end, fallback: float, lonlat: bool) -> float:
    if math.dist(start, end) < 1e-9:  # a loop back to where it began
        return fallback
    return bearing_deg(start, end, lonlat=lonlat)


def directions(legs: Sequence[Leg]) -> list[Turn]:
    """The turn onto each leg ('follow' for the first)."""
    turns = []
    for i, leg in enumerate(legs):
        kind = "follow" if i == 0 else turn_kind(legs[i - 1].last_bearing_deg,
                                                 leg.first_bearing_deg)
        turns.append(Turn(kind, leg, same_street=i > 0 and legs[i - 1].name == leg.name))
    return turns


def describe(turn: Turn, *, lang: str = "zh") -> str:
    """One line, e.g. "右转进入成都北路，向北 150 m" (compass from the leg's heading)."""
    words = _PHRASES[lang]
    leg = turn.leg
    name = (words["gap"] if leg.name == BRIDGE_NAME else leg.name or words["unnamed"]) + (
        words["through"] if leg.deadhead else "")
    compass = _COMPASS[lang][compass_index(leg.heading_deg)]
    length = f"{leg.length_m:.0f}"
    if turn.kind == "follow":
        return words["follow"].format(name=name, compass=compass, length=length)
    kind = "u_turn_same" if turn.kind == "u_turn" and turn.same_street else turn.kind
    verb = words[kind].format(name=name)
    return words["leg"].format(verb=verb, compass=compass, length=length)


def stop_line(key_point_id: str, name: str, arrival: str, dwell_min: float, *,
              lang: str = "zh") -> str:
    """The line said at a key point, e.g. "到达重点点位 学校（K1）09:05，停留 10 min"."""
    return _PHRASES[lang]["stop"].format(id=key_point_id, name=name or key_point_id,
                                         arrival=arrival, dwell=f"{dwell_min:.0f}")


def turn_lines(segments: Iterable[Segment], *, lonlat: bool = False, lang: str = "zh"
               ) -> list[str]:
    """Directions for one route, one line per leg, plus a line at each key point."""
    lines = []
    for turn in directions(merge_legs(segments, lonlat=lonlat)):
        lines.append(describe(turn, lang=lang))
        if turn.leg.stop:
            lines.extend(turn.leg.stop.split("\n"))
    return lines
