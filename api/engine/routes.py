"""``routes --all`` on the engine: every grid (and day of a week plan) planned on its own slice of
the city network.

The network is prepared and indexed once on the caller's side (:class:`gridplan.slicing.
NetworkSlicer`); each grid's slice and the incidents within its reach are scattered once, and one
task per grid runs the library's workflow :func:`gridplan.routing.plan_routes` for that grid
alone. Key points are given to their grids here, before the split, exactly as the workflow does
for the whole city. A slice holds every street the grid's plan can look at, in the whole
network's order, so with the same seed the plans equal those of a single-process run on the whole
network (tested against real scheduler and worker processes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import geopandas as gpd

from api.engine.batch import Task, run_batch
from gridplan.crs import to_metric
from gridplan.grid_frames import grids_from_frame
from gridplan.model import Grid, KeyPoint
from gridplan.network import StreetNetwork
from gridplan.progress import ProgressCallback
from gridplan.routing import PatrolParams, RoutesPlan, plan_routes
from gridplan.routing.shifts import ShiftPattern
from gridplan.routing.workflow import assign_key_points, choose_grids
from gridplan.slicing import NetworkSlicer


def plan_routes_on(client: Any, network: StreetNetwork, grids: Sequence[Grid] | gpd.GeoDataFrame,
                   *, grid_codes: Sequence[str] | None = None,
                   pattern: ShiftPattern | str | None = None, key_points: Sequence[KeyPoint] = (),
                   incidents: gpd.GeoDataFrame | None = None, params: PatrolParams | None = None,
                   days: Sequence[date] | None = None, progress: ProgressCallback | None = None,
                   **shift: Any) -> RoutesPlan:
    """:func:`gridplan.routing.plan_routes` with one engine task per grid and day (``days``:
    a week plan); the same arguments (``shift``: its ``shift``, ``day``, ``tz``, ``officers``).

    ``client`` is a ``distributed.Client`` (see :func:`api.engine.cluster.engine_client`); None
    calls the workflow in this process on the whole network.
    """
    if client is None:
        return plan_routes(network, grids, grid_codes=grid_codes, pattern=pattern,
                           key_points=key_points, incidents=incidents, params=params, days=days,
                           progress=progress, **shift)
    params = params or PatrolParams()
    pattern = pattern if isinstance(pattern, ShiftPattern) else ShiftPattern.parse(pattern)
    if isinstance(grids, gpd.GeoDataFrame):
        grids = grids_from_frame(grids, crs=network.crs)
    if incidents is not None:
        incidents = to_metric(incidents, network.crs, name="incidents")
    chosen = choose_grids(grids, grid_codes)
    owned = assign_key_points(key_points, grids)  # strays reported once, for the whole city
    priority = shift.pop("street_priority", None) or {}
    slicer = NetworkSlicer.of(network, params)
    # one task per grid and day: a grid's slice travels once, whatever the days it serves
    dates: list[date | None] = list(days) if days is not None else [None]
    tasks, keys = [], []
    for grid in chosen:
        piece = slicer.cut(grid)
        shared: dict[str, Any] = {"network": piece,
                                  "incidents": slicer.incidents_near(piece, incidents)}
        if priority:  # the city's recent coverage, cut to the slice's streets like the rest
            shared["street_priority"] = _streets_of(piece, priority)
        for on in dates:
            key = grid.code if on is None else f"{grid.code}@{on.isoformat()}"
            on_day = {} if on is None else {"day": on}
            tasks.append(Task(key, plan_routes, {
                "grids": [grid], "pattern": pattern, "key_points": tuple(owned[grid.code]),
                "params": params, **shift, **on_day}, shared))
            keys.append(key)
    by_key = run_batch(client, tasks, progress=progress)
    return RoutesPlan(tuple(p for key in keys for p in by_key[key].plans), pattern)


def _streets_of(piece: StreetNetwork, priority: dict) -> dict:
    """``priority`` of the streets in ``piece`` (a plan never looks at other streets)."""
    ids = {d.get("street_id", (u, v, k)) for u, v, k, d in piece.graph.edges(keys=True,
                                                                           data=True)}
    return {sid: value for sid, value in priority.items() if sid in ids}
