"""Boundary studies over many pairs of neighbours on the engine: one task per pair.

:func:`gridplan.boundary_pairs.pair_inputs` cuts each pair's jurisdictions, incidents, streets
and grids out of the city's (the network indexed once); each piece is scattered once and one
task runs :func:`gridplan.hotspot_study.study_hotspots` on it — exactly what
:func:`gridplan.boundary_pairs.study_pairs` runs in one process, so the studies are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd

from api.engine.batch import Task, run_batch
from gridplan.boundary_pairs import Pair, pair_inputs, study_pairs
from gridplan.hotspot_study import HotspotStudy, HotspotStudyParams, study_hotspots
from gridplan.network import StreetNetwork
from gridplan.progress import ProgressCallback


def study_pairs_on(client: Any, jurisdictions: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame,
                   *, network: StreetNetwork | None = None,
                   grids: gpd.GeoDataFrame | None = None,
                   params: HotspotStudyParams | None = None, top: int = 10,
                   code_column: str = "code", pairs: Sequence[Pair] | None = None,
                   progress: ProgressCallback | None = None) -> dict[Pair, HotspotStudy]:
    """:func:`gridplan.boundary_pairs.study_pairs` with one engine task per pair; ``client``
    None: in this process."""
    options = {"params": params, "top": top, "code_column": code_column}
    if client is None:
        return study_pairs(jurisdictions, incidents, network=network, grids=grids, pairs=pairs,
                           **options)
    tasks, keys = [], {}
    for p in pair_inputs(jurisdictions, incidents, network=network, grids=grids, params=params,
                         code_column=code_column, pairs=pairs):
        key = keys[p.codes] = "|".join(p.codes)
        shared = {"jurisdictions": p.jurisdictions, "incidents": p.incidents,
                  "network": p.network, "grids": p.grids}
        tasks.append(Task(key, study_hotspots, {**options, "boundary": True}, shared))
    found = run_batch(client, tasks, progress=progress)
    return {codes: found[key] for codes, key in keys.items()}
