"""Several districts redesigned on the engine: one task per district, on its share of the inputs.

:func:`gridplan.grids.jobs.district_inputs` cuts each district's streets, today's grids and
incidents out of the city's (the network indexed once); each piece is scattered once and one
task runs :func:`gridplan.grids.jobs.redesign_grids` on it — exactly what
:func:`gridplan.grids.jobs.redesign_districts` runs in one process, so the redesigns are the
same with the same seed.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from api.engine.batch import Task, run_batch
from gridplan.grids.jobs import (
    check_district_redesign,
    district_inputs,
    redesign_districts,
    redesign_grids,
)
from gridplan.grids.workflow import Redesign
from gridplan.network import StreetNetwork
from gridplan.progress import ProgressCallback


def redesign_districts_on(client: Any, network: StreetNetwork, jurisdictions: gpd.GeoDataFrame,
                          *, current: gpd.GeoDataFrame | None = None,
                          incidents: gpd.GeoDataFrame | None = None,
                          progress: ProgressCallback | None = None,
                          **options: Any) -> dict[str, Redesign]:
    """:func:`gridplan.grids.jobs.redesign_districts` with one engine task per district;
    ``options``: its parameter sets and ``tz``. ``client`` None: in this process."""
    if client is None:
        return redesign_districts(network, jurisdictions, current=current, incidents=incidents,
                                  **options)
    districts = district_inputs(network, jurisdictions, current=current, incidents=incidents)
    check_district_redesign(options.get("sizing"), districts)  # every problem before any task
    tasks = []
    for d in districts:
        shared = {"network": d.network, "jurisdictions": d.jurisdiction, "current": d.current,
                  "incidents": d.incidents}
        tasks.append(Task(d.code, redesign_grids, options, shared))
    return run_batch(client, tasks, progress=progress)
