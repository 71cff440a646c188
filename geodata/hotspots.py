"""The inputs of a hotspot study read from files, or the bundled sample filling the gaps.

:func:`load_hotspot_inputs` is what ``gridplan hotspots`` reads; the frames it returns go
straight into :func:`gridplan.hotspot_study.study_hotspots`. Without a jurisdictions file the
bundled central-Shanghai sample (streets, Huangpu / Jing'an, illustrative grids, SYNTHETIC
incidents) fills whatever is not given; with one, an incident file is required and the network
and grids are optional.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import shapely

from geodata import sample
from geodata.grids import load_grids
from geodata.incidents import load_incidents
from geodata.jurisdictions import load_jurisdictions
from geodata.osm import load_network
from geodata.synthetic import SYNTHETIC_NOTE
from gridplan.errors import InvalidInputError, Problem
from gridplan.network import StreetNetwork

PathLike = str | os.PathLike[str]


@dataclass
class HotspotInputs:
    """Frames of one study (WGS-84 as loaded; the study projects them) and where they came
    from; ``synthetic`` marks the sample's generated incidents."""

    jurisdictions: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    network: StreetNetwork | None
    grids: gpd.GeoDataFrame | None
    synthetic: bool
    sources: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        """What every output built on these inputs must say (synthetic incidents)."""
        return SYNTHETIC_NOTE if self.synthetic else None


def sample_hotspot_inputs(*, seed: int = sample.INCIDENT_SEED,
                          network: StreetNetwork | None = None) -> HotspotInputs:
    """The bundled sample with synthetic incidents (seeded)."""
    net = network or sample.network("walk")
    return HotspotInputs(
        jurisdictions=sample.jurisdictions(),
        incidents=sample.incidents(seed=seed, net=net),
        network=net,
        grids=sample.grids(),
        synthetic=True,
        sources={
            "network": str(sample.OSM_FILE),
            "jurisdictions": str(sample.DISTRICTS_FILE),
            "grids": f"{sample.GRIDS_FILE} (illustrative)",
            "incidents": f"{SYNTHETIC_NOTE}, seed {seed}",
        },
    )


def load_hotspot_inputs(
    *,
    network: PathLike | None = None,
    jurisdictions: PathLike | None = None,
    codes: Sequence[str] | None = None,
    jurisdiction_coords: str = "wgs84",
    incidents: PathLike | None = None,
    grids: PathLike | None = None,
    incident_columns: Mapping[str, Any] | None = None,
    sample_seed: int = sample.INCIDENT_SEED,
) -> HotspotInputs:
    """Files given, the sample filling the gaps when no jurisdictions file is given (module
    docstring). ``jurisdiction_coords``: datum of the jurisdictions file (e.g. ``gcj02`` for
    Amap outlines). ``incident_columns``: keyword arguments of :func:`geodata.incidents.
    load_incidents` (column names, ``coords``, ``tz``)."""
    columns = dict(incident_columns or {})
    net = load_network(network, mode="walk") if network else None
    if jurisdictions is None:
        inputs = sample_hotspot_inputs(seed=sample_seed, network=net)
        if network:
            inputs.sources["network"] = str(network)
    else:
        if incidents is None:
            raise InvalidInputError("no incidents to analyse", [Problem(
                "options", "--incidents", "an incident file with --jurisdictions", "none given",
                "pass --incidents FILE (and its --lon-col/--lat-col/--time-col)")])
        loaded = load_jurisdictions(jurisdictions, codes=list(codes) if codes else None,
                                    coords=jurisdiction_coords)
        inputs = HotspotInputs(
            jurisdictions=loaded.frame, incidents=gpd.GeoDataFrame(), network=net, grids=None,
            synthetic=False,
            sources={"network": str(network) if net else "none",
                     "jurisdictions": f"{jurisdictions} (--jurisdiction-coords "
                                      f"{jurisdiction_coords})"},
            warnings=list(loaded.warnings),
        )
    if incidents is not None:
        found = load_incidents(incidents, **columns)
        inputs.incidents = found.frame
        inputs.synthetic = False  # a file from the user: real reports as far as we can tell
        inputs.sources["incidents"] = f"{incidents} (--coords {columns.get('coords', 'wgs84')})"
        inputs.warnings += found.warnings
    if jurisdictions is None:
        _check_inside_sample(inputs, network=network, incidents=incidents)
    if grids is not None:
        found = load_grids(grids, jurisdictions=inputs.jurisdictions.to_crs(4326))
        inputs.grids = found.frame
        inputs.sources["grids"] = str(grids)
        inputs.warnings += found.warnings
    return inputs


def _check_inside_sample(inputs: HotspotInputs, *, network: PathLike | None,
                         incidents: PathLike | None) -> None:
    """Without a jurisdictions file the sample's Shanghai districts are the study's: a network
    or incident file of another city never meets them, which must be said, not reported as an
    empty area to tile."""
    districts = inputs.jurisdictions.to_crs(4326).union_all()
    problems = []
    if network is not None and inputs.network is not None:
        lon_lat = [(d["lon"], d["lat"]) for _, d in inputs.network.graph.nodes(data=True)]
        if not districts.intersects(shapely.MultiPoint(lon_lat).envelope):
            problems.append(_outside_sample(str(network), "street network"))
    if (incidents is not None and len(inputs.incidents)
            and not inputs.incidents.to_crs(4326).intersects(districts).any()):
        problems.append(_outside_sample(str(incidents), "incidents"))
    if problems:
        raise InvalidInputError("no jurisdictions file, and the data lie outside the sample's "
                                "districts", problems)


def _outside_sample(source: str, what: str) -> Problem:
    return Problem(source, "", f"{what} inside the bundled sample's districts (Huangpu / "
                   "Jing'an, Shanghai), used when no jurisdictions file is given",
                   "none of it there", "pass --jurisdictions FILE with your city's district "
                   "polygons (and --codes to pick two neighbours)")
