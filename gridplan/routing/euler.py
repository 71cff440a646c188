"""Euler circuits over a multiset of edge traversals, preferring to carry straight on.

Hierholzer's algorithm (compiled) with one change: when several unused edges leave the current corner, take
the one that turns least relative to the heading we arrived with (a U-turn is the last resort).
Officers then walk along a street rather than zig-zagging across every junction. Any choice rule
gives a valid circuit; this one only changes which of the many optimal circuits is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gridplan.errors import InfeasibleError, Problem
from gridplan.routing.arcroute_jit import jit


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
    has_xy = xy is not None
    coords = np.asarray(xy, dtype=float) if has_xy else np.zeros((1, 2))
    order, flipped, used = _circuit(tails, heads, int(start), bool(directed), coords, has_xy)
    walk = list(zip(order.tolist(), flipped.tolist(), strict=True))
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


@jit
def _circuit(tails, heads, start, directed, xy, has_xy):
    """Hierholzer with the least-turn choice; returns (copies, reversed flags, used)."""
    m = len(tails)
    n = start + 1
    for i in range(m):
        n = max(n, tails[i] + 1, heads[i] + 1)
    degree = np.zeros(n + 1, dtype=np.int64)
    for i in range(m):
        degree[tails[i] + 1] += 1
        if not directed and tails[i] != heads[i]:
            degree[heads[i] + 1] += 1
    first = np.cumsum(degree)
    fill = first[:-1].copy()
    incident = np.empty(first[n], dtype=np.int64)
    for i in range(m):  # in copy order, so ties go to the lowest copy index
        incident[fill[tails[i]]] = i
        fill[tails[i]] += 1
        if not directed and tails[i] != heads[i]:
            incident[fill[heads[i]]] = i
            fill[heads[i]] += 1
    pointer = first[:-1].copy()  # incident copies before it are used
    used = np.zeros(m, dtype=np.bool_)
    stack_node = np.empty(m + 1, dtype=np.int64)
    stack_copy = np.empty(m + 1, dtype=np.int64)
    stack_rev = np.zeros(m + 1, dtype=np.bool_)
    order = np.empty(m, dtype=np.int64)
    flipped = np.zeros(m, dtype=np.bool_)
    top = 0
    stack_node[0] = start
    stack_copy[0] = -1
    count = 0
    while top >= 0:
        node = stack_node[top]
        arrived = stack_copy[top]
        while pointer[node] < first[node + 1] and used[incident[pointer[node]]]:
            pointer[node] += 1
        if pointer[node] == first[node + 1]:
            if arrived >= 0:
                order[count] = arrived
                flipped[count] = stack_rev[top]
                count += 1
            top -= 1
            continue
        best = incident[pointer[node]]
        if has_xy and arrived >= 0:
            a = heads[arrived] if stack_rev[top] else tails[arrived]
            b = tails[arrived] if stack_rev[top] else heads[arrived]
            dx = xy[b, 0] - xy[a, 0]
            dy = xy[b, 1] - xy[a, 1]
            if dx != 0.0 or dy != 0.0:
                heading = math.atan2(dy, dx)
                best_turn = np.inf
                for k in range(pointer[node], first[node + 1]):
                    c = incident[k]
                    if used[c]:
                        continue
                    other = heads[c] if tails[c] == node else tails[c]
                    ex = xy[other, 0] - xy[node, 0]
                    ey = xy[other, 1] - xy[node, 1]
                    turn = 0.0
                    if ex != 0.0 or ey != 0.0:
                        turn = abs((math.atan2(ey, ex) - heading + math.pi) % (2 * math.pi)
                                   - math.pi)
                    if turn < best_turn:
                        best_turn = turn
                        best = c
        used[best] = True
        is_reversed = tails[best] != node
        top += 1
        stack_node[top] = tails[best] if is_reversed else heads[best]
        stack_copy[top] = best
        stack_rev[top] = is_reversed
    return order[:count][::-1].copy(), flipped[:count][::-1].copy(), used
