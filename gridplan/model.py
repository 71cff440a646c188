"""Typed domain objects.

Geometries are shapely objects in the metric CRS of the plan they belong to (metres), unless a
docstring says otherwise. Collections of many features (jurisdictions, grids, incidents) travel as
GeoDataFrames (their loaders in :mod:`geodata` document the columns); the objects here are the
single-feature view used by algorithms and results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InvalidInputError, Problem


class EventClass(StrEnum):
    """National city-management event classes (城管事件大类)."""

    CITYSCAPE = "市容环境"
    ADVERTISING = "宣传广告"
    CONSTRUCTION = "施工管理"
    STREET_ORDER = "街面秩序"
    EMERGENCY = "突发事件"
    OTHER = "其他"


class JurisdictionLevel(IntEnum):
    """Nesting depth: a district contains towns/streets (街道/镇), which contain communities."""

    PROVINCE = 1
    CITY = 2
    DISTRICT = 3
    TOWN = 4
    COMMUNITY = 5


@dataclass(frozen=True, slots=True)
class Grid:
    """A responsibility grid (责任网格) with its fixed staff."""

    code: str
    geometry: BaseGeometry
    parent_code: str  # the jurisdiction it nests in
    name: str = ""
    station: Point | None = None  # 工作站/驿站, metric CRS
    staff: dict[str, int] = field(default_factory=dict)  # e.g. {"enforcement": 4, "sanitation": 3}
    illustrative: bool = False

    @property
    def officers(self) -> int:
        return self.staff.get("enforcement", 0)


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str
    grid_code: str | None = None
    role: str = "enforcement"


@dataclass(frozen=True, slots=True)
class Shift:
    """A working period; tz-aware datetimes (Asia/Shanghai unless stated)."""

    start: datetime
    end: datetime
    name: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.start.tzinfo is None or self.end.tzinfo is None:
            problems.append(
                Problem(
                    "Shift",
                    self.name,
                    "timezone-aware start and end",
                    f"{self.start!r} .. {self.end!r}",
                    "attach a tzinfo, e.g. ZoneInfo('Asia/Shanghai')",
                )
            )
        elif self.end <= self.start:
            problems.append(
                Problem(
                    "Shift",
                    self.name,
                    "end after start",
                    f"{self.start:%H:%M}-{self.end:%H:%M}",
                    "an overnight shift ends on the next day",
                )
            )
        if problems:
            raise InvalidInputError("invalid shift", problems)

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / timedelta(minutes=1)

    @property
    def is_night(self) -> bool:
        """True when more than half of the shift lies in 20:00–06:00 (白+黑: the 'black' part)."""
        night = 0.0
        t = self.start
        step = timedelta(minutes=5)
        while t < self.end:
            if t.hour >= 20 or t.hour < 6:
                night += 5
            t += step
        return night > self.minutes / 2

    @property
    def is_weekend(self) -> bool:
        return self.start.weekday() >= 5


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """A key point (重点点位) to visit: school gate at dismissal, market at opening, etc."""

    id: str
    point: Point  # metric CRS
    dwell_minutes: float = 0.0
    window: tuple[time, time] | None = None  # local wall-clock window, may wrap midnight
    name: str = ""
    priority: int = 1  # higher is more important
    grid_code: str = ""  # the grid whose officers visit it; "" = the grid that contains it
