"""Patrol planning parameters: speeds, inspection times, frequencies, limits.

All times are minutes, speeds km/h, distances metres. Load them from a dict or from TOML text
(a ``[patrol]`` table); the caller reads the file (``gridplan`` never opens files).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from gridplan.errors import ProblemCollector
from gridplan.network import GRADES, Mode

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


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, kw_only=True)
class PatrolParams:
    """How officers patrol a grid.

    * ``walk_speed_kmh``: walking speed (also between streets); ``drive_speeds_kmh`` by OSM
      ``highway`` class for ``mode="drive"``, ``default_drive_speed_kmh`` for other classes.
    * ``inspection_min_per_km``: minutes per km per side inspected, by grade (added to walking
      when a street is served, not when it is only walked through).
    * ``both_sides_grades`` / ``both_sides_min_lanes``: streets walked once on each side (two
      required passes); ``None`` lanes disables the lane rule.
    * ``passes_per_day``: by grade; a whole number (1, 2, ...) or a fraction 1/n (every n days).
    * ``station_snap_max_m``: a station further than this from every street node is refused.
    * ``connect_buffer_m``: streets up to this far outside the grid may be used to connect.
    * ``bridge_gaps_m``: on foot, pieces of the network closer than this are joined by straight
      walking links (drive-only extracts lack the footways and crossings between them); links
      are never required streets and plans say how many they used. 0 turns it off.
    * ``incident_radius_m``, ``incident_recent_days``: incidents that raise a street's priority.
    * ``seed``, ``max_iterations``, ``time_limit_s``: the metaheuristic's budget. The iteration
      limit is the budget, so the same seed gives the same plan on any machine; the time limit is
      only a safety cap (a plan stopped by it says so, and a rerun may differ).
    * ``estimate_officers_needed``: when streets are left out, search how many officers would
      cover everything (extra solves).
    """

    walk_speed_kmh: float = 4.5
    drive_speeds_kmh: Mapping[str, float] = field(default_factory=lambda: DEFAULT_DRIVE_SPEEDS_KMH)
    default_drive_speed_kmh: float = 10.0
    inspection_min_per_km: Mapping[int, float] = field(
        default_factory=lambda: DEFAULT_INSPECTION_MIN_PER_KM)
    both_sides_grades: tuple[int, ...] = (1, 2)
    both_sides_min_lanes: int | None = 4
    passes_per_day: Mapping[int, float] = field(default_factory=lambda: DEFAULT_PASSES_PER_DAY)
    station_snap_max_m: float = 300.0
    connect_buffer_m: float = 500.0
    bridge_gaps_m: float = 150.0  # walk: join network pieces closer than this (0 = never)
    incident_radius_m: float = 50.0
    incident_recent_days: float = 28.0
    seed: int = 0
    time_limit_s: float = 120.0  # safety cap only
    max_iterations: int = 20  # children of the genetic search per solve: the repeatable budget
    estimate_officers_needed: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "drive_speeds_kmh", _frozen(self.drive_speeds_kmh))
        for name in ("inspection_min_per_km", "passes_per_day"):
            table = getattr(self, name)
            object.__setattr__(self, name, _frozen({int(k): float(v) for k, v in table.items()}))
        object.__setattr__(self, "both_sides_grades", tuple(int(g) for g in self.both_sides_grades))
        issues = ProblemCollector("PatrolParams")
        for name in ("walk_speed_kmh", "default_drive_speed_kmh", "station_snap_max_m",
                     "time_limit_s", "incident_recent_days"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                issues.add(name, expected="a positive number", found=repr(value),
                           fix=f"give {name} in its unit (see the name)")
        for name in ("connect_buffer_m", "incident_radius_m"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                issues.add(name, expected="a number >= 0", found=repr(value), fix="use metres")
        for cls, kmh in self.drive_speeds_kmh.items():
            if not (isinstance(kmh, int | float) and kmh > 0):
                issues.add(f"drive_speeds_kmh[{cls!r}]", expected="a positive speed",
                           found=repr(kmh), fix="give km/h, e.g. 15")
        self._check_by_grade(issues)
        if self.both_sides_min_lanes is not None and self.both_sides_min_lanes < 1:
            issues.add("both_sides_min_lanes", expected="None or >= 1",
                       found=repr(self.both_sides_min_lanes), fix="use e.g. 4")
        if not isinstance(self.max_iterations, int) or self.max_iterations < 1:
            issues.add("max_iterations", expected="an integer >= 1",
                       found=repr(self.max_iterations), fix="use e.g. 20")
        issues.raise_if_any("invalid patrol parameters")

    def _check_by_grade(self, issues: ProblemCollector) -> None:
        for name in ("inspection_min_per_km", "passes_per_day"):
            table = getattr(self, name)
            missing = [g for g in GRADES if g not in table]
            extra = [g for g in table if g not in GRADES]
            if missing or extra:
                issues.add(name, expected="one value for each grade 1-4",
                           found=f"grades {sorted(table)}", fix="give grades 1, 2, 3 and 4")
        for grade, minutes in self.inspection_min_per_km.items():
            if not (math.isfinite(minutes) and minutes >= 0):
                issues.add(f"inspection_min_per_km[{grade}]", expected="minutes >= 0",
                           found=repr(minutes), fix="use 0 for walking only")
        for grade, per_day in self.passes_per_day.items():
            if period_days(per_day) is None and whole_passes(per_day) is None:
                issues.add(f"passes_per_day[{grade}]",
                           expected="a whole number >= 1 or a fraction 1/n (every n days)",
                           found=repr(per_day), fix="e.g. 2 (一日双巡), 1, or 1/7 (weekly)")
        if any(g not in GRADES for g in self.both_sides_grades):
            issues.add("both_sides_grades", expected="grades among 1-4",
                       found=repr(self.both_sides_grades), fix="e.g. [1, 2]")

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

    def sides(self, grade: int, lanes: object) -> int:
        """2 when the street is patrolled on each side, else 1."""
        if int(grade) in self.both_sides_grades:
            return 2
        widest = _lanes(lanes)
        limit = self.both_sides_min_lanes
        return 2 if limit is not None and widest is not None and widest >= limit else 1

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> PatrolParams:
        """From a dict (e.g. a TOML table); unknown keys are reported, not ignored.

        Tables keyed by grade accept string keys (TOML keys are strings): ``{"1": 2, "4": 0.1428}``.
        """
        known = {f.name for f in fields(cls)}
        issues = ProblemCollector("PatrolParams")
        for key in sorted(set(values) - known):
            issues.add(key, expected=f"one of {sorted(known)}", found=repr(key),
                       fix="check the spelling")
        issues.raise_if_any("unknown patrol parameters")
        clean = dict(values)
        for key in ("inspection_min_per_km", "passes_per_day"):
            if key in clean and isinstance(clean[key], Mapping):
                clean[key] = _grade_table(key, clean[key])
        if isinstance(clean.get("both_sides_grades"), list):
            clean["both_sides_grades"] = tuple(clean["both_sides_grades"])  # type: ignore[arg-type]
        return cls(**clean)  # type: ignore[arg-type]

    @classmethod
    def from_toml(cls, text: str, *, table: str = "patrol") -> PatrolParams:
        """From TOML text holding a ``[patrol]`` table (the caller reads the file)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            issues = ProblemCollector("patrol parameters")
            issues.add("", expected="valid TOML", found=str(exc), fix="fix the TOML syntax")
            issues.raise_if_any()
            raise  # unreachable: raise_if_any raised
        return cls.from_mapping(data.get(table, {}))


def _grade_table(name: str, table: Mapping[object, object]) -> dict[int, float]:
    issues = ProblemCollector("PatrolParams")
    out: dict[int, float] = {}
    for key, value in table.items():
        try:
            out[int(key)] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            issues.add(f"{name}[{key!r}]", expected="grade 1-4 → number", found=repr(value),
                       fix="e.g. 1 = 2.0")
    issues.raise_if_any("invalid patrol parameters")
    return out


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
