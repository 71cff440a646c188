"""Walked stretches of streets as unions of intervals (metres along each street)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np

Intervals = list[tuple[float, float]]


def union(spans: Iterable[tuple[float, float]], *, min_m: float = 1e-6) -> Intervals:
    """Sorted, disjoint union of spans (either end first); spans shorter than ``min_m`` dropped."""
    ordered = sorted((min(a, b), max(a, b)) for a, b in spans if abs(b - a) >= min_m)
    out: Intervals = []
    for a, b in ordered:
        if out and a <= out[-1][1] + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def by_street(pieces: np.ndarray) -> dict[int, Intervals]:
    """Union of walked spans per street from matcher pieces (street, from_m, to_m, ...)."""
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    arr = np.asarray(pieces, float)
    for row in arr.reshape(len(arr), -1) if arr.size else ():
        spans[int(row[0])].append((float(row[1]), float(row[2])))
    out = {k: union(v) for k, v in spans.items()}
    return {k: v for k, v in out.items() if v}


def length(spans: Intervals) -> float:
    return sum(b - a for a, b in spans)


def overlap(x: Intervals, y: Intervals) -> float:
    """Length of the intersection of two disjoint sorted interval lists."""
    i = j = 0
    total = 0.0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if hi > lo:
            total += hi - lo
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def precision_recall(found: Mapping[int, Intervals], truth: Mapping[int, Intervals]
                     ) -> tuple[float, float, float, float]:
    """Precision and recall of walked length, with matched and true metres."""
    found_m = sum(length(v) for v in found.values())
    truth_m = sum(length(v) for v in truth.values())
    both = sum(overlap(v, truth[k]) for k, v in found.items() if k in truth)
    precision = both / found_m if found_m else 1.0
    recall = both / truth_m if truth_m else 1.0
    return precision, recall, found_m, truth_m
