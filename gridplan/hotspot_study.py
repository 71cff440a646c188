"""The hotspot workflow in one call: hotspots, boundary hotspots and joint patrols.

:func:`study_hotspots` is what ``gridplan hotspots``, the service's ``hotspots`` and
``joint_patrols`` jobs and a notebook all run, so they give the same answer on the same data::

    from gridplan.hotspot_study import study_hotspots

    study = study_hotspots(jurisdictions, incidents, network=net, boundary=True)
    study.to_dict()["hotspots"]          # ranked hotspots, JSON-ready, geometries in WGS-84

Inputs may be in any CRS (a missing CRS is an error); everything is projected once to the
network's metric CRS, else the jurisdictions' own projected CRS, else their UTM zone.

Study area — cells only where incidents can be recorded (empty cells elsewhere would read as
"cold" and make every recorded place look hot):

* with a street network: the streets grown by ``street_buffer_m`` (60 m);
* without one, for a boundary study: the boundary zones grown by ``study_margin_m`` (500 m) — the
  band joint patrols act in; incidents farther out count as outside the study area;
* otherwise: the whole jurisdictions.

Parameters: one :class:`HotspotStudyParams` bundles every set (hotspots, cells, trends, risk,
zones, ranking, joint), each declared once with units, bounds and help and read from one TOML
file (:meth:`HotspotStudyParams.from_toml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

import geopandas as gpd
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from gridplan.boundary import (
    BoundaryHotspot,
    BoundaryRankParams,
    BoundaryZone,
    ZoneParams,
    boundary_zone,
    boundary_zones,
    flag_boundary_hotspots,
)
from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.hotspots import (
    CellParams,
    HotspotParams,
    HotspotResult,
    RiskParams,
    TrendParams,
    analyse_hotspots,
    risk_terrain,
    segment_table,
    street_area,
)
from gridplan.joint import JointParams, JointPlan, plan_joint_patrols
from gridplan.network import StreetNetwork
from gridplan.params import Params, load_sections
from gridplan.progress import ProgressCallback, ShouldCancel, report

MAX_PAIRS_EXPLAINED = 12
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class HotspotStudyParams:
    """Every parameter set of a hotspot study (each its own TOML table)."""

    hotspots: HotspotParams = field(default_factory=HotspotParams)
    cells: CellParams = field(default_factory=CellParams)
    trends: TrendParams = field(default_factory=TrendParams)
    risk: RiskParams = field(default_factory=RiskParams)
    zones: ZoneParams = field(default_factory=ZoneParams)
    ranking: BoundaryRankParams = field(default_factory=BoundaryRankParams)
    joint: JointParams = field(default_factory=JointParams)

    #: The parameter classes, in the order the doors list them.
    SETS: ClassVar[tuple[type[Params], ...]] = (
        HotspotParams, CellParams, TrendParams, RiskParams, ZoneParams, BoundaryRankParams,
        JointParams,
    )

    @classmethod
    def from_sets(cls, sets: Mapping[type[Params], Params]) -> HotspotStudyParams:
        """From a class → instance mapping (what the CLI's ``params_options`` hands over);
        missing sets take their defaults."""
        by_class = {type(f.default_factory()): f.name for f in fields(cls)}  # type: ignore[misc]
        return cls(**{by_class[c]: p for c, p in sets.items() if c in by_class})

    @classmethod
    def from_toml(cls, text: str, *, source: str = "parameters.toml") -> HotspotStudyParams:
        return cls.from_sets(load_sections(text, cls.SETS, source=source))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        sets = (getattr(self, f.name) for f in fields(self))
        return {type(p)._section: p.to_dict() for p in sets}


@dataclass(frozen=True)
class HotspotStudy:
    """What :func:`study_hotspots` found, in the working metric CRS (``crs``)."""

    result: HotspotResult
    zones: tuple[BoundaryZone, ...]
    flagged: tuple[BoundaryHotspot, ...]  # joint ones then notices; empty without ``boundary``
    plan: JointPlan | None  # joint patrols of the top flagged; None without ``boundary``
    boundary: bool
    study_area: BaseGeometry | None
    study_area_note: str
    names: Mapping[str, str]
    crs: Any
    params: HotspotStudyParams
    top: int
    risk: str  # how the boundary ranking's risk part was made
    why_no_zones: tuple[str, ...] = ()

    @property
    def joint(self) -> list[BoundaryHotspot]:
        """Boundary hotspots with incidents on both sides: joint patrols, ranked."""
        return [b for b in self.flagged if b.kind == "joint"]

    @property
    def notices(self) -> list[BoundaryHotspot]:
        """One side's hotspots near the line: notices to the neighbour, ranked."""
        return [b for b in self.flagged if b.kind == "notice"]

    @property
    def ranked_hotspots(self) -> list:
        """Most significant first (Gi_Bin, then incidents, then peak z); ties keep analysis
        order."""
        return sorted(self.result.hotspots, key=lambda h: (-h.gi_bin, -h.incident_count, -h.max_z))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report: counts, the top hotspots and, for a boundary study, zones, flagged
        boundary hotspots with their joint patrols (WGS-84 meeting points and routes)."""
        r = self.result
        data: dict[str, Any] = {
            "status": r.status,
            "message": r.message or "ok",
            "study_area": self.study_area_note,
            "time_zone": r.time_zone,
            "incidents": {
                "input": r.n_input,
                "used": len(r.incidents),
                "outside_every_jurisdiction": r.n_outside,
                "outside_study_area": r.n_unassigned,
            },
            "summary": r.summary(),
            "hotspots": [
                {"rank": rank, **_hotspot_dict(h, self.crs)}
                for rank, h in enumerate(self.ranked_hotspots[: self.top], 1)
            ],
            "hotspot_count": len(r.hotspots),
        }
        if self.boundary:
            data["boundary"] = self._boundary_dict()
        return data

    def _boundary_dict(self) -> dict[str, Any]:
        names = self.names
        part: dict[str, Any] = {
            "zones": [
                {
                    "jurisdictions": [z.code_a, z.code_b],
                    "names": [names.get(z.code_a, ""), names.get(z.code_b, "")],
                    "shared_length_m": round(z.shared_length_m, 1),
                    "zone_width_m": z.zone_width_m,
                }
                for z in self.zones
            ]
        }
        if self.why_no_zones:
            part |= {"explanation": list(self.why_no_zones), "flagged": []}
            return part
        if self.plan is None:
            part |= {"explanation": [f"no hotspot statistics: {self.result.message}"],
                     "flagged": []}
            return part
        to_wgs = _to_wgs84(self.crs)
        rows = []
        for b, proposal in zip(self.joint[: self.top], self.plan.proposals, strict=True):
            joint = proposal.as_dict()
            joint["meeting_point"] |= to_wgs(proposal.meeting.point)
            if proposal.route is not None:
                joint["route"]["geometry_wgs84"] = to_wgs(proposal.route.line)["coordinates"]
            rows.append(
                b.as_dict()
                | {"names": [names.get(b.code_a, ""), names.get(b.code_b, "")],
                   "joint_patrol": joint}
            )
        plan = self.plan
        return part | {
            "flagged": rows,
            "flagged_total": len(self.joint),
            "notices": [b.notice(names) for b in self.notices[: self.top]],
            "notices_total": len(self.notices),
            "meeting_list": plan.meeting_list(),
            "blind_spots": plan.blind_spots.as_dict() if plan.blind_spots else None,
            "notes": list(plan.notes),
            "risk": self.risk,
            "plan_valid": plan.is_valid(),
        }


def study_hotspots(
    jurisdictions: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    network: StreetNetwork | None = None,
    grids: gpd.GeoDataFrame | None = None,
    boundary: bool = False,
    params: HotspotStudyParams | None = None,
    top: int = 10,
    code_column: str = "code",
    progress: ProgressCallback | None = None,
    should_cancel: ShouldCancel | None = None,
) -> HotspotStudy:
    """Hotspots of ``incidents`` in ``jurisdictions``; with ``boundary``, the hotspots on
    shared borders ranked, and joint patrols for the ``top`` of them (module docstring).

    ``jurisdictions``: polygons with a ``code`` (and optional ``name``) column; ``incidents``:
    points with a ``time`` column (and ``event_class`` for the joint patrols' action);
    ``network``: the walk network (study area, meeting points, routes, risk terrain, blind
    spots); ``grids``: polygons with a ``parent_code`` column (blind spots across the line).
    """
    params = params or HotspotStudyParams()
    _check_top(top)
    step = _stepper(progress, should_cancel)
    step(0.0, "projecting inputs")
    crs = working_crs(jurisdictions, network)
    places = jurisdictions.to_crs(crs)
    points = _projected(incidents, "incidents", crs)
    grids = _projected(grids, "grids", crs) if grids is not None else None
    names = _names(places, code_column)
    zones = tuple(boundary_zones(places, code_column=code_column, params=params.zones))
    area, note = _study_area(network, zones, boundary, params.hotspots)
    step(0.1, f"Gi* over {len(points)} incidents")
    result = analyse_hotspots(
        points, places, params=params.hotspots, cells=params.cells, trends=params.trends,
        study_area=area, code_column=code_column,
        progress=None if progress is None else (lambda f, m: progress(0.1 + 0.4 * f, m)),
        should_cancel=should_cancel,
    )
    study = HotspotStudy(
        result, zones, (), None, boundary, area, note, names, crs, params, top, risk="",
    )
    if not boundary:
        step(1.0, "done")
        return study
    if not zones:
        return replace(study, why_no_zones=tuple(_why_no_zones(places, params.zones, code_column)))
    if not result.ok:
        return study
    step(0.5, "boundary hotspots")
    risk, risk_note = None, "no street network: risk terrain not computed (0)"
    if network is not None:
        lines = gpd.GeoSeries([z.line for z in zones], crs=crs)
        risk = risk_terrain(result.units, network, boundary_lines=lines, params=params.risk)["risk"]
        risk_note = "risk terrain from the street network"
    flagged = tuple(flag_boundary_hotspots(result, zones, risk=risk, params=params.ranking))
    joint = [b for b in flagged if b.kind == "joint"]
    step(0.6, f"joint patrols for {min(top, len(joint))} boundary hotspots")
    plan = plan_joint_patrols(
        joint[:top], zones, result, network=network, grids=grids, params=params.joint,
        names=names,
    )
    step(1.0, "done")
    return replace(study, flagged=flagged, plan=plan, risk=risk_note)


def _stepper(progress: ProgressCallback | None, should_cancel: ShouldCancel | None):
    def step(fraction: float, message: str) -> None:
        report(fraction, message, progress=progress, should_cancel=should_cancel)

    return step


def _check_top(top: int) -> None:
    if not (isinstance(top, int) and 1 <= top <= 1000):
        raise InvalidInputError("invalid top", [Problem(
            "top", "", "a whole number of hotspots in 1…1000", repr(top), "use e.g. 10")])


def working_crs(jurisdictions: gpd.GeoDataFrame, network: StreetNetwork | None) -> Any:
    """The network's CRS, else the jurisdictions' projected CRS, else their UTM zone."""
    issues = ProblemCollector("hotspot study")
    if jurisdictions.crs is None:
        issues.add("jurisdictions", expected="a CRS (e.g. EPSG:4326 for lon/lat)", found="none",
                   fix="set it with .set_crs(...) — it is never assumed")
    elif len(jurisdictions) == 0:
        issues.add("jurisdictions", expected="at least one polygon", found="none",
                   fix="load the jurisdictions to analyse")
    issues.raise_if_any("cannot study hotspots")
    if network is not None:
        return gpd.GeoSeries(crs=network.crs).crs
    if not jurisdictions.crs.is_geographic:
        return jurisdictions.crs
    return jurisdictions.estimate_utm_crs()


def _projected(frame: gpd.GeoDataFrame, name: str, crs: Any) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise InvalidInputError("cannot study hotspots", [Problem(
            name, "", "a CRS (e.g. EPSG:4326 for lon/lat)", "none",
            "set it with .set_crs(...) — it is never assumed")])
    return frame.to_crs(crs)


def _names(places: gpd.GeoDataFrame, code_column: str) -> dict[str, str]:
    if code_column not in places.columns or "name" not in places.columns:
        return {}
    return {str(c): str(n) for c, n in zip(places[code_column], places["name"], strict=True)}


def _study_area(
    network: StreetNetwork | None,
    zones: tuple[BoundaryZone, ...],
    boundary: bool,
    params: HotspotParams,
) -> tuple[BaseGeometry | None, str]:
    if network is not None:
        return (
            street_area(segment_table(network.graph), buffer_m=params.street_buffer_m),
            f"streets of the network grown by {params.street_buffer_m:g} m (where incidents "
            "can be recorded)",
        )
    if boundary and zones:
        grown = shapely.buffer(shapely.union_all([z.zone for z in zones]), params.study_margin_m)
        return grown, (
            f"boundary zones grown by {params.study_margin_m:g} m (no street network; incidents "
            "farther from the line count as outside the study area)"
        )
    return None, "the whole jurisdictions (no street network)"


def _why_no_zones(places: gpd.GeoDataFrame, params: ZoneParams, code_column: str) -> list[str]:
    if len(places) < 2:
        return [
            f"only {len(places)} jurisdiction loaded: a boundary zone needs two neighbours "
            "(check --codes)"
        ]
    rows = list(zip(places[code_column].astype(str), places.geometry, strict=True))
    pairs = [(a, b) for i, a in enumerate(rows) for b in rows[i + 1 :]]
    if len(pairs) > MAX_PAIRS_EXPLAINED:
        return [f"none of the {len(rows)} jurisdictions share a border"]
    return [boundary_zone(a[0], a[1], b[0], b[1], params=params).explanation for a, b in pairs]


def _to_wgs84(crs: Any):
    def convert(geom: BaseGeometry) -> dict:
        wgs = gpd.GeoSeries([geom], crs=crs).to_crs(WGS84).iloc[0]
        coords = [[round(x, 6), round(y, 6)] for x, y in wgs.coords]
        if geom.geom_type == "Point":
            return {"lon": coords[0][0], "lat": coords[0][1]}
        return {"coordinates": coords}

    return convert


def _hotspot_dict(h, crs: Any) -> dict[str, Any]:
    wgs = gpd.GeoSeries([h.geometry], crs=crs).to_crs(WGS84).iloc[0]
    geometry = shapely.geometry.mapping(shapely.set_precision(wgs, 1e-6))
    return {
        "id": h.id,
        "incidents": h.incident_count,
        "incidents_by_jurisdiction": h.incidents_by_jurisdiction,
        "gi_bin": h.gi_bin,
        "max_z": round(h.max_z, 2),
        "trend": str(h.trend),
        "peak_window": h.peak.label,
        "peak_share": round(h.peak.share, 3),
        "cells": len(h.unit_ids),
        "geometry": geometry,
        "trend_detail": h.trend_detail.as_dict() if h.trend_detail else None,
    }
