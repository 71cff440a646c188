"""Euler circuits over a multiset of edge traversals, preferring to carry straight on.

Hierholzer's algorithm with one change: when several unused edges leave the current corner, take
the one that turns least relative to the heading we arrived with (a U-turn is the last resort).
Officers then walk along a street rather than zig-zagging across every junction. Any choice rule
gives a valid circuit; this one only changes which of the many optimal circuits is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gridplan.errors import InfeasibleError, Problem


def euler_circuit(
    tails: Sequence[int] | np.ndarray,
    heads: Sequence[int] | np.ndarray,
    *,
    start: int,
    directed: bool,
    xy: np.ndarray | None = None,
) -> list[tuple[int, bool]]:
    """Closed walk from ``start`` using every edge copy exactly once.

    ``tails[i] -> heads[i]`` is copy ``i`` (node indices). Returns ``(copy, reversed)`` pairs in
    walking order, where ``reversed`` means the copy is walked ``heads[i] -> tails[i]`` (never for
    ``directed``). ``xy`` (nodes x 2, metres) enables the straight-ahead preference; without it
    ties go to the lowest copy index. The caller guarantees even degrees (or balance); an
    unreachable copy raises :class:`InfeasibleError`.
    """
    tails = np.asarray(tails, dtype=np.int64)
    heads = np.asarray(heads, dtype=np.int64)
    incident = _incidence(tails, heads, directed=directed)
    used = np.zeros(tails.size, dtype=bool)
    stack: list[tuple[int, int, bool]] = [(start, -1, False)]  # (node, copy arrived by, reversed)
    walk: list[tuple[int, bool]] = []
    while stack:
        node, arrived_by, arrived_reversed = stack[-1]
        heading = _heading(arrived_by, arrived_reversed, tails, heads, xy)
        nxt = _next_copy(node, heading, incident, used, tails, heads, xy)
        if nxt is None:
            stack.pop()
            if arrived_by >= 0:
                walk.append((arrived_by, arrived_reversed))
            continue
        used[nxt] = True
        is_reversed = bool(tails[nxt] != node)
        stack.append((int(tails[nxt] if is_reversed else heads[nxt]), nxt, is_reversed))
    walk.reverse()
    if not used.all():
        missing = np.flatnonzero(~used)[:10]
        raise InfeasibleError(
            f"{int((~used).sum())} edge traversal(s) are not reachable from the start",
            [
                Problem(
                    "euler circuit",
                    f"copy {int(c)} ({int(tails[c])}->{int(heads[c])})",
                    "a connected multigraph",
                    "an unreachable edge",
                    "connect the parts or plan them separately",
                )
                for c in missing
            ],
        )
    return walk


def _incidence(tails: np.ndarray, heads: np.ndarray, *, directed: bool) -> dict[int, list[int]]:
    incident: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(zip(tails.tolist(), heads.tolist(), strict=True)):
        incident.setdefault(a, []).append(i)
        if not directed and a != b:
            incident.setdefault(b, []).append(i)
    return incident


def _heading(
    copy: int, is_reversed: bool, tails: np.ndarray, heads: np.ndarray, xy: np.ndarray | None
) -> float | None:
    if copy < 0 or xy is None:
        return None
    a, b = (heads[copy], tails[copy]) if is_reversed else (tails[copy], heads[copy])
    return _bearing(xy, int(a), int(b))


def _bearing(xy: np.ndarray, a: int, b: int) -> float | None:
    dx, dy = xy[b, 0] - xy[a, 0], xy[b, 1] - xy[a, 1]
    if dx == 0 and dy == 0:
        return None
    return math.atan2(dy, dx)


def _next_copy(
    node: int,
    heading: float | None,
    incident: dict[int, list[int]],
    used: np.ndarray,
    tails: np.ndarray,
    heads: np.ndarray,
    xy: np.ndarray | None,
) -> int | None:
    options = incident.get(node, [])
    options[:] = [c for c in options if not used[c]]  # drop used copies for good
    if not options:
        return None
    if heading is None:
        return options[0]

    def turn(c: int) -> float:
        other = int(heads[c] if tails[c] == node else tails[c])
        bearing = _bearing(xy, node, other)  # type: ignore[arg-type]
        if bearing is None:
            return 0.0  # loops and zero-length links cost no turn
        return abs((bearing - heading + math.pi) % (2 * math.pi) - math.pi)

    return min(options, key=lambda c: (turn(c), c))
