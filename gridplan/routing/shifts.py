"""Shifts and the day's shift pattern: which part of the day a planned shift is.

A street due twice a day (一日双巡) must get one pass in each of the day's two shifts, not two in
the morning. So a planned shift needs its place in the day. A :class:`ShiftPattern` is the day's
list of named parts ("白=06:00-18:00,黑=18:00-06:00"); a shift belongs to the part it overlaps
most, and the part's rank (day before night, then by minutes, then the earlier part) decides
which passes it gets (:func:`gridplan.routing.frequency.shift_passes`). ``single`` — the shift
is the whole day — is the default; ``day+night`` (白+黑) and ``am+pm+night`` are presets.

Times are wall-clock in a named time zone (default Asia/Shanghai); an end before the start runs
past midnight; an end equal to the start is refused (it is no shift at all, not 24 hours).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.model import Shift
from gridplan.timezones import DEFAULT_TZ, time_zone

SPAN_FORMAT = "HH:MM-HH:MM, e.g. 08:00-12:00"
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")
_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{2})\s*$", re.IGNORECASE)
_DAY_MIN = 24 * 60

#: Named day patterns: name → the day's parts.
PRESETS: dict[str, str] = {
    "day+night": "白=06:00-18:00,黑=18:00-06:00",
    "am+pm+night": "上午=06:00-12:00,下午=12:00-18:00,黑=18:00-06:00",
}
SINGLE = "single"


def parse_span(text: str, *, source: str = "shift") -> tuple[time, time]:
    """``"08:00-12:00"`` → (08:00, 12:00); ``24:00`` is midnight; start == end is refused."""
    match = _SPAN.match(str(text))
    if match is None or int(match[1]) > 23 or int(match[3]) > 24 or int(match[2]) > 59 or int(
            match[4]) > 59 or (int(match[3]) == 24 and int(match[4]) > 0):
        raise InvalidInputError(f"{source}: not a time span", [Problem(
            source, "", SPAN_FORMAT, repr(text), "write the start and end as 24-hour times")])
    h1, m1, h2, m2 = (int(match[i]) for i in range(1, 5))
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if start == end:
        raise InvalidInputError(f"{source}: a shift of no length", [Problem(
            source, "", "an end different from the start", repr(text),
            "give the real end, e.g. 08:00-20:00; a shift cannot last 0 or 24 hours")])
    return start, end


def week_days(week: str, *, source: str = "week") -> list[date]:
    """The seven days, Monday first, of an ISO week ``"2026-W48"`` (ISO 8601: week 1 holds the
    year's first Thursday, so a week may start in December of the year before)."""
    match = _WEEK.match(str(week))
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1) if match else None
    except ValueError:
        monday = None
    if monday is None:
        raise InvalidInputError(f"{source}: not an ISO week", [Problem(
            source, "", "an ISO week YYYY-Www, e.g. 2026-W48", repr(week),
            "write the year, a W and the week number 01-53 (52 in most years)")])
    return [monday + timedelta(days=d) for d in range(7)]


def shift_on(day: date, span: str | tuple[time, time], *, tz: str = DEFAULT_TZ, name: str = "",
             source: str = "shift") -> Shift:
    """The shift ``span`` starting on ``day`` in ``tz`` (an end before the start: next day)."""
    start, end = parse_span(span, source=source) if isinstance(span, str) else span
    zone = time_zone(tz)
    begins = datetime.combine(day, start, tzinfo=zone)
    ends = datetime.combine(day, end, tzinfo=zone)
    if ends <= begins:
        ends += timedelta(days=1)
    label = name or (span if isinstance(span, str) else f"{start:%H:%M}-{end:%H:%M}")
    return Shift(begins, ends, label)


@dataclass(frozen=True, slots=True)
class ShiftPart:
    """One named part of the day, e.g. 白 06:00–18:00."""

    name: str
    start: time
    end: time

    @property
    def minutes(self) -> float:
        return _length(_minute(self.start), _minute(self.end))

    def overlap_min(self, shift: Shift) -> float:
        """Minutes of ``shift`` (wall clock) inside this part (either may run past midnight)."""
        return _overlap(_minute(shift.start.timetz()), min(shift.minutes, _DAY_MIN),
                        _minute(self.start), self.minutes)

    @property
    def is_night(self) -> bool:
        """More than half of the part lies in 20:00–06:00."""
        night = _overlap(_minute(self.start), self.minutes, 20 * 60, 10 * 60)
        return night > self.minutes / 2

    def text(self) -> str:
        return f"{self.name}={self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class ShiftPattern:
    """The day's shifts, in the order of the day. ``parts`` empty: the single-shift day."""

    parts: tuple[ShiftPart, ...] = ()
    name: str = SINGLE

    @classmethod
    def parse(cls, text: str | None, *, source: str = "pattern") -> ShiftPattern:
        """``single``, a preset (``day+night``, ``am+pm+night``) or ``name=HH:MM-HH:MM,...``
        (names optional)."""
        raw = (text or SINGLE).strip()
        if raw == SINGLE:
            return cls()
        spec = PRESETS.get(raw, raw)
        issues = ProblemCollector(source)
        parts = []
        for i, item in enumerate(p for p in spec.split(",") if p.strip()):
            label, _, span = item.rpartition("=")
            try:
                start, end = parse_span(span, source=f"{source} part {i + 1}")
            except InvalidInputError as exc:
                issues.problems += exc.problems
                continue
            parts.append(ShiftPart(label.strip() or span.strip(), start, end))
        if not parts and not issues.problems:
            issues.add("", expected=f"{SINGLE}, one of {sorted(PRESETS)} or "
                       "name=HH:MM-HH:MM,...", found=repr(text), fix="e.g. 白=08:00-17:00,"
                       "黑=18:00-23:00")
        _check_overlaps(parts, issues)
        issues.raise_if_any(f"{source}: not a day's shift pattern")
        return cls(tuple(parts), raw)

    @property
    def is_single(self) -> bool:
        return not self.parts

    def place_of(self, shift: Shift) -> tuple[int, int]:
        """(rank, shifts in the day) of ``shift``: its part's rank by minutes (0 = longest).

        A shift belongs to the part it overlaps most; outside every part is an error."""
        if self.is_single:
            return 0, 1
        overlaps = [p.overlap_min(shift) for p in self.parts]
        best = max(range(len(self.parts)), key=lambda i: (overlaps[i], -i))
        if overlaps[best] <= 0:
            raise InvalidInputError("shift outside the day's pattern", [Problem(
                "shift", shift.name, f"a shift within one of {self.describe()}",
                f"{shift.start:%H:%M}-{shift.end:%H:%M}",
                "pick a shift inside the pattern, or give the pattern that includes it")])
        return self.ranks()[best], len(self.parts)

    def ranks(self) -> list[int]:
        """Rank of each part: day parts before night parts (黑: mostly 20:00–06:00, smaller
        crews), then longest first, then the earlier part."""
        order = sorted(range(len(self.parts)), key=lambda i: (
            self.parts[i].is_night, -self.parts[i].minutes, i))
        rank = [0] * len(self.parts)
        for r, i in enumerate(order):
            rank[i] = r
        return rank

    def part_of(self, shift: Shift) -> str:
        """The name of the part ``shift`` falls in ("" for the single-shift day)."""
        if self.is_single:
            return ""
        overlaps = [p.overlap_min(shift) for p in self.parts]
        return self.parts[max(range(len(self.parts)), key=lambda i: (overlaps[i], -i))].name

    def shifts_on(self, day: date, *, tz: str = DEFAULT_TZ) -> list[Shift]:
        """Each part as a shift on ``day``."""
        return [shift_on(day, (p.start, p.end), tz=tz, name=p.name) for p in self.parts]

    def describe(self) -> str:
        return SINGLE if self.is_single else ",".join(p.text() for p in self.parts)


def _minute(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def _length(a: float, b: float) -> float:
    return (b - a) % _DAY_MIN or _DAY_MIN


def _overlap(a0: float, alen: float, b0: float, blen: float) -> float:
    """Minutes two clock intervals (start, length; either may wrap midnight) share."""
    total = 0.0
    for shift_day in (-_DAY_MIN, 0, _DAY_MIN):
        total += max(0.0, min(a0 + shift_day + alen, b0 + blen) - max(a0 + shift_day, b0))
    return total


def _check_overlaps(parts: Sequence[ShiftPart], issues: ProblemCollector) -> None:
    for i, a in enumerate(parts):
        for b in parts[i + 1:]:
            if _overlap(_minute(a.start), a.minutes, _minute(b.start), b.minutes) > 0:
                issues.add(f"{a.name} / {b.name}", expected="parts of the day that do not "
                           "overlap", found=f"{a.text()} and {b.text()}",
                           fix="make each part end before the next begins")
