"""The patrol policy: speeds, inspection times, frequencies, both-sides rule, search budget.

Declared once with :func:`gridplan.params.param` (units in the names, bounds, help): the CLI's
options, the API's routes-job schema and the ``[patrol]`` table of a TOML file all come from this
one declaration. The same policy sizes grids (:mod:`gridplan.grids.units` reads its passes,
sides, speed and inspection minutes), so the hours a grid is sized for are the hours its routes
take. All times are minutes, speeds km/h, distances metres; ``gridplan`` never opens files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from gridplan.errors import ProblemCollector
from gridplan.params import Params, param

if TYPE_CHECKING:
    from gridplan.network import Mode

#: Management grades 1 (busiest) … 4; the same as :data:`gridplan.network.GRADES` (kept here so
#: declaring the policy does not load the network stack — a test checks they agree).
GRADES: tuple[int, ...] = (1, 2, 3, 4)

#: Patrol-car speeds by OSM class in the city centre (km/h; traffic lights and parking included).
DEFAULT_DRIVE_SPEEDS_KMH: Mapping[str, float] = MappingProxyType({
    "motorway": 40.0, "trunk": 30.0, "primary": 20.0, "secondary": 18.0, "tertiary": 15.0,
    "residential": 12.0, "unclassified": 12.0, "living_street": 8.0, "service": 8.0,
})
#: Minutes per km of street side spent looking at shops, stalls and pavements (on top of walking):
#: busy roads have a shop every few metres, lanes have few.
DEFAULT_INSPECTION_MIN_PER_KM: Mapping[int, float] = MappingProxyType({1: 10.0, 2: 8.0, 3: 5.0,
                                                                       4: 3.0})
#: Passes per day by grade: 一日双巡 on grade 1, daily on 2–3, once a week on grade 4.
DEFAULT_PASSES_PER_DAY: Mapping[int, float] = MappingProxyType({1: 2.0, 2: 1.0, 3: 1.0,
                                                                4: 1.0 / 7.0})


@dataclass(frozen=True, kw_only=True)
class PatrolParams(Params):
    """How officers patrol a grid (the patrol policy; see each field's help).

    Inspection minutes are added to travel when a street is served, not when it is only walked
    through. The iteration limit is the search budget, so the same seed gives the same plan on
    any machine; the time limit is only a safety cap (a plan stopped by it says so).
    """

    _section = "patrol"

    walk_speed_kmh: float = param(4.5, unit="km/h", gt=0, le=10,
                                  help="walking speed, on patrol and between streets")
    drive_speeds_kmh: Mapping[str, float] = param(
        DEFAULT_DRIVE_SPEEDS_KMH, unit="km/h", gt=0, le=130,
        help="patrol-car speed by OSM highway class (mode drive)")
    default_drive_speed_kmh: float = param(10.0, unit="km/h", gt=0, le=130,
                                           help="patrol-car speed on other classes")
    inspection_min_per_km: Mapping[int, float] = param(
        DEFAULT_INSPECTION_MIN_PER_KM, unit="min/km", ge=0, le=600,
        help="inspection minutes per km of street side, by grade 1-4")
    both_sides_grades: tuple[int, ...] = param(
        (1, 2), help="grades 1-4 patrolled on each side (two passes)")
    both_sides_min_lanes: int = param(
        4, ge=0, le=20, help="streets with at least this many lanes are patrolled on each side "
        "(0: no lane rule)")
    # One street, several ways (gridplan.street_sides): why these defaults. Centre lines of the
    # two carriageways of a dual road are one carriageway's width plus the median apart: 2–4
    # lanes of 3–3.75 m and a median of 0.5–10 m give 8–25 m; a four-panel road (四块板) with
    # a wide central belt reaches ~30 m. A sidewalk's centre line is at most half a six-lane road
    # plus parking and the walk (~15 m) from its road's. 35 m takes them all, and is still less
    # than two street widths plus one row of houses (≥ ~50 m), where an unrelated parallel
    # street begins (and that one would also need the same name and opposite one-way direction).
    side_max_gap_m: float = param(
        35.0, unit="m", ge=0, le=100,
        help="two one-way carriageways of one road (opposite directions, same name or both "
             "unnamed, same class) or a sidewalk (footway=sidewalk) and its road this close "
             "are one street, each way one of its sides (0: every way its own street)")
    # An untagged footway or cycle track beside a road: its centre line is at most half a
    # six-lane road (10.5 m), a parking lane or verge (2.5 m) and half the track (1–2 m) from the
    # road's, ~15 m; a park path or an alley behind the houses is further.
    sidepath_max_gap_m: float = param(
        15.0, unit="m", ge=0, le=100,
        help="an unnamed footway, cycleway or path this close to a road and parallel to it is "
             "that road's side path, one of its sides (0: never)")
    # Carriageways of one road run within a few degrees of each other; 25° leaves room for
    # curves, where the two are compared over 10 m pieces, and stays far from a crossing (90°)
    # or an oblique junction (≥ 30–45°).
    side_max_angle_deg: float = param(
        25.0, unit="°", gt=0, lt=90,
        help="ways of one street run parallel within this angle")
    # Half the shorter way: a carriageway split at a junction of one side only still pairs with
    # the long way opposite it; a way meeting another only at its end does not.
    side_min_alongside: float = param(
        0.5, gt=0, le=1,
        help="ways of one street run alongside each other for at least this share of the "
             "shorter one")
    passes_per_day: Mapping[int, float] = param(
        DEFAULT_PASSES_PER_DAY, unit="passes/day", gt=0, le=24,
        help="passes per day by grade 1-4: a whole number or 1/n (every n days)")
    station_snap_max_m: float = param(300.0, unit="m", gt=0, le=5000,
                                      help="a station further than this from every street is "
                                           "refused")
    connect_buffer_m: float = param(500.0, unit="m", ge=0, le=5000,
                                    help="streets up to this far outside the grid may be used "
                                         "to connect")
    bridge_gaps_m: float = param(150.0, unit="m", ge=0, le=1000,
                                 help="on foot, network pieces closer than this are joined by "
                                      "straight walking links (0: never)")
    incident_radius_m: float = param(50.0, unit="m", ge=0, le=1000,
                                     help="incidents this close raise a street's priority")
    incident_recent_days: float = param(28.0, unit="days", gt=0, le=3650,
                                        help="incidents this recent count")
    seed: int = param(0, ge=0, le=2**31 - 1, help="seed of the route search")
    max_iterations: int = param(20, ge=1, le=100_000,
                                help="children of the genetic search per solve (the repeatable "
                                     "budget)")
    time_limit_s: float = param(120.0, unit="s", gt=0, le=3600,
                                help="safety cap per solve (a plan stopped by it says so)")
    estimate_officers_needed: bool = param(
        True, help="when streets are left out, search how many officers would cover all")

    def _check(self, issues: ProblemCollector) -> None:
        if any(g not in GRADES for g in self.both_sides_grades):
            issues.add("both_sides_grades", expected="grades among 1-4",
                       found=repr(self.both_sides_grades), fix="e.g. [1, 2]")
        for name in ("inspection_min_per_km", "passes_per_day"):
            table = getattr(self, name)
            if sorted(table) != list(GRADES):
                issues.add(name, expected="one value for each grade 1-4",
                           found=f"grades {sorted(table)}", fix="give grades 1, 2, 3 and 4")
        for grade, per_day in self.passes_per_day.items():
            if period_days(per_day) is None and whole_passes(per_day) is None:
                issues.add(f"passes_per_day[{grade!r}]",
                           expected="a whole number >= 1 or a fraction 1/n (every n days)",
                           found=repr(per_day), fix="e.g. 2 (一日双巡), 1, or 1/7 (weekly)")

    # ------------------------------------------------------------------ costs
    def speed_kmh(self, highway: object, *, mode: Mode) -> float:
        """Travel speed on a street of OSM class ``highway`` in ``mode``."""
        if mode == "walk":
            return self.walk_speed_kmh
        cls = highway[0] if isinstance(highway, list | tuple) and highway else highway
        cls = str(cls or "").removesuffix("_link")
        return float(self.drive_speeds_kmh.get(cls, self.default_drive_speed_kmh))

    def travel_minutes(self, length_m: float, highway: object, *, mode: Mode) -> float:
        return length_m / 1000.0 / self.speed_kmh(highway, mode=mode) * 60.0

    def inspection_minutes(self, length_m: float, grade: int) -> float:
        """Inspection of one side of a street of ``grade`` (minutes on top of travel)."""
        return length_m / 1000.0 * self.inspection_min_per_km[int(grade)]

    def sides(self, grade: int, lanes: object, *, one_side: bool = False) -> int:
        """2 when the street is patrolled on each side, else 1. ``one_side``: the way is one
        carriageway of a dual road (:func:`gridplan.street_sides.street_sides`) — one side of
        its street, the other carriageway being the other side — so it is walked once."""
        if one_side:
            return 1
        if int(grade) in self.both_sides_grades:
            return 2
        widest = _lanes(lanes)
        limit = self.both_sides_min_lanes
        return 2 if limit > 0 and widest is not None and widest >= limit else 1

    def passes_per_week(self, grade: int) -> float:
        """Passes of one side per week of a street of ``grade``."""
        return 7.0 * self.passes_per_day[int(grade)]


def _lanes(value: object) -> int | None:
    if isinstance(value, list | tuple):
        found = [n for n in (_lanes(v) for v in value) if n is not None]
        return max(found, default=None)
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def whole_passes(per_day: float) -> int | None:
    """``per_day`` as a whole number of passes (>= 1), else None."""
    rounded = round(per_day)
    return int(rounded) if rounded >= 1 and abs(per_day - rounded) < 1e-6 else None


def period_days(per_day: float) -> int | None:
    """n when ``per_day`` is 1/n for a whole n >= 2 (a street due every n days), else None."""
    if not 0 < per_day < 1:
        return None
    n = round(1.0 / per_day)
    return int(n) if n >= 2 and abs(per_day * n - 1.0) < 1e-3 else None
