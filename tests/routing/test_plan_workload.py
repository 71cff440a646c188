"""One patrol policy sizes grids and plans their routes: the hours a grid is sized for its
streets in a week (walking and inspecting each due street, as often and on as many sides as the
policy says) and the same part of the week of routes planned for it agree within 15 % (sample
grids; the benchmark ``benchmarks.workload_agreement`` prints the table).

The walking *between* streets is not held to it: sizing adds one flat share
(``WorkloadParams.walking_overhead``) where the exact tours deadhead from 2 % to over 50 % of
their length, by how many street ends a grid leaves odd (a carriageway walked once, a dead end);
the benchmark prints both, and a sizing that sees a grid's structure is left to do."""

from __future__ import annotations

import pytest

from benchmarks.workload_agreement import agreement
from geodata import sample
from geodata.grids import grids_to_model
from gridplan.grids import WorkloadParams
from gridplan.routing import PatrolParams

TOLERANCE = 0.15


def _rows(first: int | None, patrol: PatrolParams) -> list[dict]:
    net = sample.network("walk")
    grids = grids_to_model(sample.grids(), metric_crs=str(net.crs))
    return agreement(net, grids[:first] if first else grids, patrol, WorkloadParams())


def _check(first: int | None, patrol: PatrolParams) -> list[dict]:
    rows = _rows(first, patrol)
    for row in rows:  # every due street routed, and the hours agree
        assert row["coverage"] > 0.98 and abs(row["street_ratio"] - 1) <= TOLERANCE, row
    return rows


def test_sized_and_routed_weeks_agree_on_the_first_sample_grids():
    _check(4, PatrolParams(max_iterations=5))


@pytest.mark.slow
def test_sized_and_routed_weeks_agree_on_every_sample_grid_and_follow_the_policy():
    default = _check(None, PatrolParams(max_iterations=5))
    # another policy moves sizing and routing together (once a day on every grade, one side
    # only); their ratio is not held to 15 % there: one-sided streets need more walking back
    # than the single walking_overhead share assumes (see the module docstring)
    once = PatrolParams(max_iterations=5, passes_per_day={1: 1, 2: 1, 3: 1, 4: 1},
                        both_sides_grades=(), both_sides_min_lanes=0)
    lighter = _rows(None, once)
    for a, b in zip(default, lighter, strict=True):  # equal on a grid without wide streets
        assert b["sized_h"] <= a["sized_h"] + 1e-9 and b["routed_h"] <= a["routed_h"] + 1e-9, (
            a, b)
    for key in ("sized_h", "routed_h"):
        assert sum(b[key] for b in lighter) < sum(a[key] for a in default), key
