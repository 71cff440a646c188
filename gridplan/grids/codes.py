"""Hierarchical grid codes: admin (6) + town (3) + community (3) + sequence (3) digits.

The parent code is the grid's jurisdiction code, right-padded with zeros to admin + town +
community digits (a district 310101 becomes 310101000000). Inside a parent, grids are numbered in
reading order, **west→east then north→south**: the parent's grids are cut into horizontal bands of
``band_height_m`` (default: the square root of the median grid area) counted down from the
northernmost grid centroid; bands go north to south, and inside a band grids go by centroid x,
west to east. Sequence numbers start at 1.

Redrawing keeps codes: a new grid inherits the code of the old grid of the same parent it overlaps
most when their Jaccard overlap (area of intersection ÷ area of union) is at least
``keep_overlap`` (default 0.9; an identical unit set gives 1.0). Each old code goes to at most one
new grid (best overlaps first). New grids take the next free sequence numbers after the highest
ever used in the parent, in reading order — retired codes are not reused, so old event records
never point at a different grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import shapely

from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.grids.partition import GridPlan


@dataclass(frozen=True, slots=True)
class CodeLayout:
    """Digits per level (Beijing DB11/T 2157 layout by default)."""

    admin_digits: int = 6
    town_digits: int = 3
    community_digits: int = 3
    sequence_digits: int = 3

    def __post_init__(self) -> None:
        issues = ProblemCollector("CodeLayout")
        for name in ("admin_digits", "town_digits", "community_digits", "sequence_digits"):
            if getattr(self, name) < (1 if name in ("admin_digits", "sequence_digits") else 0):
                issues.add(name, expected="a positive digit count", found=str(getattr(self, name)),
                           fix="e.g. 6 admin, 3 town, 3 community, 3 sequence")
        issues.raise_if_any("invalid code layout")

    @property
    def parent_digits(self) -> int:
        return self.admin_digits + self.town_digits + self.community_digits

    def parent(self, jurisdiction_code: str) -> str:
        code = str(jurisdiction_code)
        if not code.isdigit() or len(code) > self.parent_digits:
            raise InvalidInputError("jurisdiction code does not fit the code layout",
                                    [_problem(code, self.parent_digits)])
        return code.ljust(self.parent_digits, "0")

    def code(self, parent: str, sequence: int) -> str:
        if sequence >= 10 ** self.sequence_digits:
            raise InvalidInputError("too many grids for the sequence digits", [
                _problem(f"{parent}: sequence {sequence}", self.sequence_digits)])
        return f"{parent}{sequence:0{self.sequence_digits}d}"

    def sequence(self, code: str) -> int:
        return int(code[self.parent_digits:])


def _problem(found: str, digits: int) -> Problem:
    return Problem("codes", "", f"at most {digits} digits", found,
                   "use a longer CodeLayout or numeric jurisdiction codes")


def reading_order(centroids: np.ndarray, *, band_height_m: float) -> np.ndarray:
    """Indices in west→east, north→south reading order (see module docstring)."""
    xy = np.asarray(centroids, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    band = np.floor((xy[:, 1].max() - xy[:, 1]) / band_height_m + 1e-9)
    return np.lexsort((xy[:, 0], band))


def assign_codes(
    plan: GridPlan,
    *,
    previous: GridPlan | None = None,
    keep_overlap: float = 0.9,
    layout: CodeLayout | None = None,
    band_height_m: float | None = None,
) -> GridPlan:
    """The plan with a code for every grid (see module docstring for order and reuse rules)."""
    layout = layout or CodeLayout()
    if not 0 < keep_overlap <= 1:
        raise InvalidInputError("invalid keep_overlap", [_overlap_problem(keep_overlap)])
    grids = plan.grids
    cent = shapely.centroid(grids.geometry.values)
    xy = np.column_stack([shapely.get_x(cent), shapely.get_y(cent)])
    height = band_height_m or math.sqrt(float(np.median(grids["area_m2"])) or 1.0)
    kept = _kept_codes(plan, previous, keep_overlap) if previous is not None else {}
    codes: dict[int, str] = {}
    for jur, idx in grids.groupby("jurisdiction").indices.items():
        parent = layout.parent(str(jur))
        used = [layout.sequence(c) for c in (previous.codes.values() if previous else [])
                if c.startswith(parent)]
        next_seq = max(used, default=0) + 1
        for pos in idx[reading_order(xy[idx], band_height_m=height)]:
            g = int(grids.index[pos])
            if g in kept and kept[g].startswith(parent):
                codes[g] = kept[g]
            else:
                codes[g] = layout.code(parent, next_seq)
                next_seq += 1
    return replace(plan, codes=codes)


def _overlap_problem(value: float) -> Problem:
    return Problem("keep_overlap", "", "a fraction in (0, 1]", str(value), "e.g. 0.9")


def _kept_codes(plan: GridPlan, previous: GridPlan, keep_overlap: float) -> dict[int, str]:
    """New grid → old code for pairs overlapping at least ``keep_overlap`` (Jaccard by area)."""
    new, old = plan.grids, previous.grids
    pairs = []
    tree = shapely.STRtree(old.geometry.values)
    for i, geom in enumerate(new.geometry.values):
        for j in tree.query(geom, predicate="intersects"):
            if old["jurisdiction"].iloc[j] != new["jurisdiction"].iloc[i]:
                continue
            code = previous.codes.get(int(old.index[j]))
            if code is None:
                continue
            inter = shapely.intersection(geom, old.geometry.values[j]).area
            union = geom.area + old.geometry.values[j].area - inter
            jaccard = inter / union if union > 0 else 0.0
            if jaccard >= keep_overlap - 1e-9:
                pairs.append((-jaccard, i, int(j), code))
    kept: dict[int, str] = {}
    taken: set[int] = set()
    for _, i, j, code in sorted(pairs):
        g = int(new.index[i])
        if g not in kept and j not in taken:
            kept[g] = code
            taken.add(j)
    return kept
