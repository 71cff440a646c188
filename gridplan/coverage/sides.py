"""Coverage of a street, whichever of its sides was walked.

A dual road's two carriageways, or a road and its sidewalks, are the sides of one street
(:mod:`gridplan.street_sides`). A street is walked where any of its sides is: the stretch an
officer walked on one carriageway is carried across to the other ways of its street by projecting
points of it onto them (points every :data:`STEP_M`, each to its nearest point on the other way
within ``reach_m`` where the two run parallel — within ``max_angle_deg``, the pairing angle
``PatrolParams.side_max_angle_deg`` —; the stretch between two such points that land on the way
counts).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import shapely

from gridplan.coverage.intervals import Intervals, union
from gridplan.coverage.streets import StreetIndex
from gridplan.street_sides import StreetSides, tangents

STEP_M = 5.0


def street_walked(index: StreetIndex, sides: StreetSides, walked: Mapping[int, Intervals], *,
                  reach_m: float, max_angle_deg: float) -> dict[int, Intervals]:
    """Per street (index position): the stretches of it walked on any side of its street —
    its own walked stretches and those of the other ways of its street carried across."""
    out = {k: list(v) for k, v in walked.items()}
    cos_max = math.cos(math.radians(max_angle_deg))
    for k, spans in walked.items():
        for mate in sides.mates(index.streets[k].street_id):
            j = index.by_id.get(mate)
            if j is not None:
                out.setdefault(j, []).extend(carried(index, k, spans, j, reach_m=reach_m,
                                                            cos_max=cos_max))
    return {k: merged for k, v in out.items() if (merged := union(v))}


def carried(index: StreetIndex, k: int, spans: Intervals, j: int, *, reach_m: float,
            cos_max: float) -> Intervals:
    """``spans`` of street ``k`` carried across to street ``j`` (see the module docstring)."""
    source, target = index.streets[k].geometry, index.streets[j].geometry
    out = []
    for a, b in spans:
        n = max(1, int(np.ceil((b - a) / STEP_M)))
        marks = a + (b - a) * np.arange(n + 1) / n
        points = shapely.line_interpolate_point(source, marks)
        at = shapely.line_locate_point(target, points)
        near = (shapely.distance(points, target) <= reach_m) & (
            np.abs(np.sum(tangents(source, marks) * tangents(target, at), axis=1)) >= cos_max)
        out += [(float(at[i]), float(at[i + 1])) for i in range(n) if near[i] and near[i + 1]]
    return union(out)

