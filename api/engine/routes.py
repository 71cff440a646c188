"""``routes --all`` on the engine: every grid planned on its own slice of the city network.

The network is prepared and indexed once on the caller's side (:class:`gridplan.slicing.
NetworkSlicer`); each grid's slice and the incidents within its reach are scattered once, and one
task per grid runs the library's :func:`gridplan.routing.plan_grid` on them. A slice holds every
street the grid's plan can look at, in the whole network's order, so with the same seed the plans
equal those of a single-process run on the whole network (tested against real scheduler and
worker processes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd

from api.engine.batch import Task, run_batch
from gridplan.model import Grid, KeyPoint, Shift
from gridplan.network import StreetNetwork
from gridplan.progress import ProgressCallback
from gridplan.routing import PatrolParams, PatrolPlan, plan_grid
from gridplan.slicing import NetworkSlicer


def plan_grids(network: StreetNetwork, grids: Sequence[Grid], *, officers: Mapping[str, int],
               shift: Shift, key_points: Mapping[str, Sequence[KeyPoint]] | None = None,
               incidents: gpd.GeoDataFrame | None = None, params: PatrolParams | None = None,
               client: Any = None, progress: ProgressCallback | None = None
               ) -> list[PatrolPlan]:
    """One plan per grid (in ``grids`` order): ``officers`` and ``key_points`` by grid code.

    ``client`` is a ``distributed.Client`` (see :func:`api.engine.cluster.engine_client`); None
    plans every grid in this process on the whole network, one after another.
    """
    params = params or PatrolParams()
    key_points = key_points or {}
    if client is None:
        return [plan_grid(network, g, officers=officers[g.code], shift=shift,
                          key_points=key_points.get(g.code, ()), incidents=incidents,
                          params=params) for g in grids]
    slicer = NetworkSlicer.of(network, params)
    tasks = []
    for grid in grids:
        piece = slicer.cut(grid)
        shared: dict[str, Any] = {"network": piece}
        near = slicer.incidents_near(piece, incidents)
        if near is not None:
            shared["incidents"] = near
        tasks.append(Task(grid.code, plan_grid, {
            "grid": grid, "officers": officers[grid.code], "shift": shift,
            "key_points": tuple(key_points.get(grid.code, ())), "params": params}, shared))
    by_code = run_batch(client, tasks, progress=progress)
    return [by_code[g.code] for g in grids]
