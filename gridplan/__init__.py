"""gridplan — patrol planning for city-management enforcement squads (城管综合执法).

The pure library: it takes street graphs and GeoDataFrames (any CRS; projected once to metres)
and returns result objects; it never opens a file, a socket or a browser (``geodata`` loads
files, ``maps`` draws them). The three jobs, each one function::

    import gridplan, geodata
    net = geodata.load_network("city.osm")                     # or StreetNetwork.from_osmnx(G)
    plan = gridplan.plan_routes(net, grids, shift="08:00-12:00", pattern="day+night")
    study = gridplan.study_hotspots(districts, incidents, network=net, boundary=True)
    proposal = gridplan.redesign_grids(net, districts, current=grids)

Names are loaded on first use, so ``import gridplan`` stays quick.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("gridplan")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

#: public name → module that defines it
_EXPORTS: dict[str, str] = {
    # inputs and the model
    "StreetNetwork": "gridplan.network",
    "Grid": "gridplan.model",
    "KeyPoint": "gridplan.model",
    "Officer": "gridplan.model",
    "Shift": "gridplan.model",
    "metric_crs": "gridplan.crs",
    "metric_crs_of": "gridplan.crs",
    "to_metric": "gridplan.crs",
    "Params": "gridplan.params",
    "load_sections": "gridplan.params",
    # squad leaders: routes
    "PatrolParams": "gridplan.routing.params",
    "ShiftPattern": "gridplan.routing.shifts",
    "plan_routes": "gridplan.routing.workflow",
    "RoutesPlan": "gridplan.routing.workflow",
    "plan_grid": "gridplan.routing.plan",
    "PatrolPlan": "gridplan.routing.plan_result",
    # planners: grids
    "redesign_grids": "gridplan.grids.jobs",
    "move_grid_units": "gridplan.grids.jobs",
    "roster_layout": "gridplan.grids.jobs",
    # joint meetings: hotspots
    "study_hotspots": "gridplan.hotspot_study",
    "HotspotStudyParams": "gridplan.hotspot_study",
    "HotspotStudy": "gridplan.hotspot_study",
    # the loop: tracks → coverage
    "track_coverage": "gridplan.coverage",
    "CoverageReport": "gridplan.coverage",
    "TrackParams": "gridplan.coverage",
    # errors
    "GridPlanError": "gridplan.errors",
    "InvalidInputError": "gridplan.errors",
    "InfeasibleError": "gridplan.errors",
    "Problem": "gridplan.errors",
}
#: a public name that differs from the defining module's
_ALIASES: dict[str, str] = {}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gridplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _ALIASES.get(name, name))
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
