"""How grids are sized and drawn: the ``[grids]`` parameter table of a redesign."""

from __future__ import annotations

from dataclasses import dataclass

from gridplan.errors import ProblemCollector
from gridplan.params import Params, param


@dataclass(frozen=True, kw_only=True)
class GridSizingParams(Params):
    """Grid count, planning units and the rules that map today's layout onto them."""

    _section = "grids"

    n_grids: int | None = param(None, unit="grids", ge=1, le=5000,
                                help="number of grids (default: as many as today's layout)")
    target_workload_h: float | None = param(None, unit="h/week", gt=0, le=10_000,
                                            help="officer-hours per week per grid, instead of "
                                                 "n_grids")
    unit_kind: str = param("blocks", choices=("blocks", "cells"),
                           help="planning units: street blocks, or unit cells (万米单元网格)")
    split_above_m2: float | None = param(None, unit="m²", ge=100, le=1e8,
                                         help="cut blocks larger than this into cells (default: "
                                              "keep whole blocks)")
    cell_area_m2: float = param(10_000.0, unit="m²", ge=100, le=1e7,
                                help="area of one unit cell (units=cells, or split blocks)")
    min_unit_m2: float = param(400.0, unit="m²", ge=0, le=1e5,
                               help="a smaller unit merges into the unit of its jurisdiction it "
                                    "shares most boundary with; one touching none is a sliver "
                                    "of the polygon and is dropped (both reported)")
    min_cover_share: float = param(0.5, gt=0, le=1,
                                   help="a unit belongs to today's grid covering most of it if "
                                        "grids cover at least this share of it")
    keep_overlap: float = param(0.9, gt=0, le=1,
                                help="a proposed grid keeps today's code when its Jaccard "
                                     "overlap with that grid reaches this")
    seed: int = param(0, ge=0, le=2**31 - 1, help="same seed, same plan")

    def _check(self, issues: ProblemCollector) -> None:
        if self.n_grids is not None and self.target_workload_h is not None:
            issues.add("n_grids / target_workload_h", expected="one of them", found="both",
                       fix="drop one")
