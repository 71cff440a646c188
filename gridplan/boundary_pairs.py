"""Boundary studies pair by pair: one joint-meeting report for each two neighbouring
jurisdictions (毗邻区域联盟 meet pair by pair), each on its own share of the inputs.

:func:`pair_inputs` finds the pairs that share a border (:func:`gridplan.boundary.boundary_zones`)
and cuts, for each, the two jurisdictions, the incidents and streets within ``margin_m`` of them
and the two sides' grids; :func:`study_pairs` runs :func:`gridplan.hotspot_study.study_hotspots`
(``boundary=True``) on each. The pair is the unit the engine fans out
(:mod:`api.engine.hotspots`): one study per pair, the same in one process as on many workers.

A pair's study is the two jurisdictions' own: its Gi* statistics compare their cells with each
other, not with the whole city, which is what the two sides' meeting looks at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import shapely

from gridplan.boundary import boundary_zones
from gridplan.errors import InvalidInputError, Problem
from gridplan.hotspot_study import HotspotStudy, HotspotStudyParams, study_hotspots, working_crs
from gridplan.network import StreetNetwork

#: Streets and incidents kept around a pair: its Gi* cells lie inside the two jurisdictions,
#: its joint patrols within a few hundred metres of the line; the margin keeps the streets
#: that connect those at the pair's edge.
PAIR_MARGIN_M = 500.0

Pair = tuple[str, str]


@dataclass(frozen=True)
class PairInputs:
    """What one pair's study reads (frames as given, not re-projected; the network cut)."""

    codes: Pair
    jurisdictions: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    network: StreetNetwork | None
    grids: gpd.GeoDataFrame | None


def pair_inputs(jurisdictions: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                network: StreetNetwork | None = None, grids: gpd.GeoDataFrame | None = None,
                params: HotspotStudyParams | None = None, code_column: str = "code",
                pairs: Sequence[Pair] | None = None,
                margin_m: float = PAIR_MARGIN_M) -> list[PairInputs]:
    """Each pair of neighbours (or each of ``pairs``) with its share of the inputs: incidents
    and streets within ``margin_m`` of the two, grids whose ``parent_code`` is one of them
    (without that column: those whose inside point lies in them). The network is indexed once;
    no pair's piece copies the city."""
    from gridplan.slicing import NetworkSlicer

    params = params or HotspotStudyParams()
    crs = working_crs(jurisdictions, network)
    places = jurisdictions.to_crs(crs)
    codes = places[code_column].astype(str)
    found = [(z.code_a, z.code_b) for z in boundary_zones(places, code_column=code_column,
                                                          params=params.zones)]
    if not found:
        raise InvalidInputError("no neighbours", [Problem(
            "jurisdictions", "", "two or more jurisdictions sharing a border",
            f"{len(places)} jurisdiction(s), no shared border",
            "load the neighbours too (check the codes kept), or a larger snap tolerance")])
    chosen = found if pairs is None else _known_pairs(pairs, found)
    points = incidents.to_crs(crs).geometry
    sides = grids.to_crs(crs) if grids is not None else None
    slicer = NetworkSlicer.plain(network) if network is not None else None
    out = []
    for a, b in chosen:
        rows = codes.isin([a, b]).to_numpy()
        both = shapely.union_all(places.geometry[rows].to_numpy())
        reach = both.buffer(margin_m)
        mine = None
        if grids is not None and sides is not None:
            inside = grids["parent_code"].astype(str).isin([a, b]) if "parent_code" in grids \
                else sides.representative_point().within(both)
            mine = grids[inside.to_numpy()]
        out.append(PairInputs((a, b), jurisdictions[rows], incidents[
            points.intersects(reach).to_numpy()], slicer.within(reach) if slicer else None, mine))
    return out


def _known_pairs(pairs: Sequence[Pair], found: list[Pair]) -> list[Pair]:
    """``pairs`` in the order given, each matched to a pair of neighbours either way round."""
    known = {frozenset(p): p for p in found}
    missing = [p for p in pairs if frozenset(p) not in known]
    if missing:
        raise InvalidInputError("not neighbours", [Problem(
            "pairs", f"{a}/{b}", "two jurisdictions sharing a border",
            "no shared border (or an unknown code)",
            f"pick among the neighbours: {', '.join('/'.join(p) for p in found) or 'none'}")
            for a, b in missing])
    return list(dict.fromkeys(known[frozenset(p)] for p in pairs))


def study_pairs(jurisdictions: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                network: StreetNetwork | None = None, grids: gpd.GeoDataFrame | None = None,
                params: HotspotStudyParams | None = None, top: int = 10,
                code_column: str = "code", pairs: Sequence[Pair] | None = None
                ) -> dict[Pair, HotspotStudy]:
    """A boundary study (hotspots, boundary hotspots, joint patrols) for each pair of
    neighbours, by pair: :func:`study_hotspots` on the pair's inputs (:func:`pair_inputs`)."""
    return {p.codes: study_hotspots(p.jurisdictions, p.incidents, network=p.network,
                                    grids=p.grids, boundary=True, params=params, top=top,
                                    code_column=code_column)
            for p in pair_inputs(jurisdictions, incidents, network=network, grids=grids,
                                 params=params, code_column=code_column, pairs=pairs)}
