"""Key points (重点点位): snapping to streets, time windows, arrival times along a route.

A key point is snapped to its nearest street of the routing area; that street becomes required
and the officer who serves it stops there for the key point's dwell minutes. Arrival is simulated
from the shift start along the route (walking, inspection, dwell, waiting), the key point being
reached ``fraction`` of the way along the street in the direction it is walked. An officer early
for a window waits for it to open (the wait counts in the route's minutes); arriving after it
closes is a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np
import shapely

from gridplan.errors import InvalidInputError, ProblemCollector
from gridplan.model import KeyPoint, Shift
from gridplan.routing.plan_area import RoutingArea


@dataclass(frozen=True, slots=True)
class SnappedKeyPoint:
    key_point: KeyPoint
    street: int  # area street index
    snap_m: float
    fraction_ab: float  # position along the street from a to b (0..1)

    def fraction(self, forward: bool) -> float:
        return self.fraction_ab if forward else 1.0 - self.fraction_ab


def snap_key_points(area: RoutingArea, key_points: Sequence[KeyPoint], *, max_m: float
                    ) -> list[SnappedKeyPoint]:
    """Each key point on its nearest street; all problems (too far, duplicate ids) at once."""
    issues = ProblemCollector("key points")
    seen: set[str] = set()
    geoms = np.array([s.geometry for s in area.streets], dtype=object)
    tree = shapely.STRtree(geoms)
    out = []
    for kp in key_points:
        if kp.id in seen:
            issues.add(f"key point {kp.id}", expected="unique ids", found="repeated",
                       fix="give each key point its own id")
        seen.add(kp.id)
        if kp.dwell_minutes < 0:
            issues.add(f"key point {kp.id}", expected="dwell_minutes >= 0",
                       found=repr(kp.dwell_minutes), fix="use 0 for a pass-by")
        nearest = int(tree.nearest(kp.point))
        street = area.streets[nearest]
        dist = float(street.geometry.distance(kp.point))
        if dist > max_m:
            issues.add(f"key point {kp.id} {kp.name}", expected=f"within {max_m:.0f} m of a "
                       "street connected to the station", found=f"{dist:.0f} m away",
                       fix="check its coordinates (datum? GCJ-02 points are 100-700 m off)")
            continue
        fraction = float(street.geometry.project(kp.point, normalized=True))
        out.append(SnappedKeyPoint(kp, nearest, dist, fraction))
    issues.raise_if_any(error=InvalidInputError)
    return out


def window_in_shift(window: tuple[time, time], shift: Shift) -> tuple[datetime, datetime]:
    """The occurrence of a daily wall-clock window (possibly overnight) that overlaps the shift
    most (the nearest one when none overlaps), in the shift's timezone."""
    opening, closing = window
    best, best_key = None, None
    for offset in (-1, 0, 1):
        day = shift.start.date() + timedelta(days=offset)
        start = datetime.combine(day, opening, tzinfo=shift.start.tzinfo)
        end = datetime.combine(day, closing, tzinfo=shift.start.tzinfo)
        if end <= start:
            end += timedelta(days=1)
        overlap = (min(end, shift.end) - max(start, shift.start)) / timedelta(minutes=1)
        key = (overlap, -abs((start - shift.start) / timedelta(minutes=1)))
        if best_key is None or key > best_key:
            best, best_key = (start, end), key
    assert best is not None
    return best


@dataclass(frozen=True, slots=True)
class Arrival:
    key_point: SnappedKeyPoint
    minute: float  # after the shift start
    wait_min: float
    late_min: float  # > 0: arrived after the window closed
    missed_reason: str  # "" when on time

    @property
    def on_time(self) -> bool:
        return not self.missed_reason


def arrival_at(kp: SnappedKeyPoint, minute: float, shift: Shift, *, slack_min: float
               ) -> Arrival:
    """Arrival at ``minute`` after the shift start; waits for the window if it opens within
    ``slack_min`` (the time the route has to spare in the shift)."""
    window = kp.key_point.window
    if window is None:
        return Arrival(kp, minute, 0.0, 0.0, "")
    when = shift.start + timedelta(minutes=minute)
    start, end = window_in_shift(window, shift)
    if when > end:
        late = (when - end) / timedelta(minutes=1)
        return Arrival(kp, minute, 0.0, late, f"arrives {late:.0f} min after the window closes")
    if when >= start:
        return Arrival(kp, minute, 0.0, 0.0, "")
    wait = (start - when) / timedelta(minutes=1)
    if wait <= slack_min + 1e-9:
        return Arrival(kp, minute, wait, 0.0, "")
    return Arrival(kp, minute, 0.0, 0.0,
                   f"arrives {wait:.0f} min before the window opens; no time in the shift to wait")
