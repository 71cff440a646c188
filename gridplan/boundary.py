"""Boundary zones (交界地带) between neighbouring jurisdictions, and the hotspots that touch them.

Shared boundary: :func:`gridplan.jurisdictions.shared_boundary` with ``tolerance_m =
snap_tolerance_m`` and ``min_length_m = min_shared_length_m`` (robust to polygons from different
sources; ends trimmed, short pieces dropped). Its length is reported as ``shared_length_m``.

Zone: the shared line buffered by ``zone_width_m`` each side (flat caps, so the zone stops where
the common border stops), split into the part inside A and the part inside B, each labelled with
its jurisdiction. Slivers where the sources overlap belong to both sides; gaps to neither (they
are still inside the zone). Default width 50 m each side: the documented joint-patrol practice.

Pairs that do not touch give an empty zone with an explanation (their distance apart).

Flagging and ranking (:func:`flag_boundary_hotspots`), once per hotspot: a hotspot touching
one or more zones is flagged with the pair whose two sides hold most of its incidents (the other
zones it touches are listed with it). It is a **joint** hotspot when the smaller side holds at
least ``min_side_incidents`` of its incidents and at least ``min_side_share`` of them; otherwise
(e.g. 14 / 0) it is one side's problem near the line and becomes a **notice** to the neighbour,
not a joint patrol. Its score in [0, 1] is

    score = n / (n + evidence_incidents)
            · (0.35·n/max_n + 0.30·gi_bin/3 + 0.15·trend + 0.20·risk)

with n its incidents, ``trend`` new 1.0, intensifying 1.0, persistent 0.8, sporadic 0.5,
diminishing 0.3, none 0.0 and ``risk`` the mean risk-terrain score of its units (0 if not
computed). The evidence factor keeps a hotspot of a handful of reports (2 / 2) far below a big
one even when both reach Gi_Bin 3 — significance says a cluster is unlikely by chance, not that
it is worth a joint patrol. Weights and thresholds are :class:`BoundaryRankParams`; joint
hotspots and notices are ranked apart, by score, ties by incident count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.hotspots.analysis import Hotspot, HotspotResult
from gridplan.jurisdictions import shared_boundary
from gridplan.params import Params, param

Kind = Literal["joint", "notice"]
TREND_WEIGHT = {
    "new": 1.0,
    "intensifying": 1.0,
    "persistent": 0.8,
    "sporadic": 0.5,
    "diminishing": 0.3,
    "none": 0.0,
}


@dataclass(frozen=True, kw_only=True)
class ZoneParams(Params):
    """Where a boundary zone lies (module docstring)."""

    _section = "zones"
    zone_width_m: float = param(50.0, unit="m", gt=0, le=5000, help="boundary zone width on "
                                "each side of the shared line (joint-patrol practice: 50 m)")
    snap_tolerance_m: float = param(5.0, unit="m", gt=0, le=1000, help="outlines from different "
                                    "sources count as touching within this distance")
    min_shared_length_m: float = param(20.0, unit="m", gt=0, le=100_000,
                                       help="shorter shared pieces of border are dropped")


@dataclass(frozen=True, slots=True)
class BoundaryZone:
    """The zone between jurisdictions ``code_a`` and ``code_b`` (metric CRS)."""

    code_a: str
    code_b: str
    line: BaseGeometry  # shared boundary (LineString / MultiLineString), empty if none
    zone: BaseGeometry  # both sides together
    side_a: BaseGeometry  # the part of the zone inside A
    side_b: BaseGeometry
    zone_width_m: float
    explanation: str = ""

    @property
    def is_empty(self) -> bool:
        return self.line.is_empty

    @property
    def shared_length_m(self) -> float:
        return float(self.line.length)

    def sides(self) -> dict[str, BaseGeometry]:
        return {self.code_a: self.side_a, self.code_b: self.side_b}


def boundary_zone(
    code_a: str,
    polygon_a: BaseGeometry,
    code_b: str,
    polygon_b: BaseGeometry,
    *,
    params: ZoneParams | None = None,
) -> BoundaryZone:
    """Shared line and zone between two jurisdictions (module docstring has the rules)."""
    params = params or ZoneParams()
    _check_polygons([(code_a, polygon_a), (code_b, polygon_b)])
    line = shared_boundary(
        polygon_a,
        polygon_b,
        tolerance_m=params.snap_tolerance_m,
        min_length_m=params.min_shared_length_m,
    )
    if line.is_empty:
        gap = polygon_a.distance(polygon_b)
        why = (
            f"{code_a} and {code_b} do not touch: {gap:,.0f} m apart"
            if gap > params.snap_tolerance_m
            else f"{code_a} and {code_b} meet only at points or along less than "
            f"{params.min_shared_length_m:g} m within {params.snap_tolerance_m:g} m"
        )
        empty = shapely.Polygon()
        return BoundaryZone(code_a, code_b, line, empty, empty, empty, params.zone_width_m, why)
    zone = line.buffer(params.zone_width_m, cap_style="flat")
    return BoundaryZone(
        code_a,
        code_b,
        line,
        zone,
        zone.intersection(polygon_a),
        zone.intersection(polygon_b),
        params.zone_width_m,
    )


def _check_polygons(items: Sequence[tuple[str, BaseGeometry]]) -> None:
    issues = ProblemCollector("jurisdictions")
    for code, geom in items:
        if not isinstance(geom, BaseGeometry) or geom.geom_type not in ("Polygon", "MultiPolygon"):
            issues.add(
                f"feature {code}",
                expected="a Polygon or MultiPolygon",
                found=type(geom).__name__,
                fix="pass jurisdiction outlines",
            )
        elif geom.is_empty or not geom.is_valid:
            issues.add(
                f"feature {code}",
                expected="a non-empty valid polygon",
                found=shapely.is_valid_reason(geom),
                fix="repair with shapely.make_valid",
            )
    issues.raise_if_any("cannot compute boundary zones")


def boundary_zones(
    jurisdictions: gpd.GeoDataFrame, *, code_column: str = "code", params: ZoneParams | None = None
) -> list[BoundaryZone]:
    """Zones for every pair of jurisdictions that share a border (metric CRS).

    Candidate pairs come from a spatial index on outlines grown by the snapping tolerance, so
    the cost grows with the number of neighbours, not with all pairs.
    """
    params = params or ZoneParams()
    if jurisdictions.crs is None or jurisdictions.crs.is_geographic:
        raise InvalidInputError(
            "cannot compute boundary zones",
            [
                Problem(
                    "jurisdictions",
                    "",
                    "a projected CRS in metres",
                    str(jurisdictions.crs),
                    "project first, e.g. .to_crs(32651)",
                )
            ],
        )
    codes = jurisdictions[code_column].astype(str).to_numpy()
    geoms = jurisdictions.geometry.to_numpy()
    _check_polygons(list(zip(codes, geoms, strict=True)))
    grown = shapely.buffer(geoms, params.snap_tolerance_m)
    left, right = shapely.STRtree(grown).query(grown, predicate="intersects")
    pairs = sorted({(i, j) for i, j in zip(left, right, strict=True) if i < j})
    zones = [boundary_zone(codes[i], geoms[i], codes[j], geoms[j], params=params) for i, j in pairs]
    return [z for z in zones if not z.is_empty]


def zones_frame(zones: Sequence[BoundaryZone], *, crs: object) -> gpd.GeoDataFrame:
    """One row per zone side: ``code_a``, ``code_b``, ``side`` (jurisdiction),
    ``shared_length_m``."""
    rows = [
        {
            "code_a": z.code_a,
            "code_b": z.code_b,
            "side": code,
            "shared_length_m": z.shared_length_m,
            "zone_width_m": z.zone_width_m,
            "geometry": geom,
        }
        for z in zones
        for code, geom in z.sides().items()
    ]
    columns = ["code_a", "code_b", "side", "shared_length_m", "zone_width_m", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=crs)


@dataclass(frozen=True, kw_only=True)
class BoundaryRankParams(Params):
    """Which boundary hotspots are joint, and how they are scored (module docstring)."""

    _section = "ranking"
    score_count: float = param(0.35, ge=0, le=100, help="weight of incident count in the score")
    score_significance: float = param(0.30, ge=0, le=100,
                                      help="weight of the Gi* confidence class in the score")
    score_trend: float = param(0.15, ge=0, le=100, help="weight of the trend in the score")
    score_risk: float = param(0.20, ge=0, le=100, help="weight of the risk terrain in the score")
    evidence_incidents: float = param(10.0, unit="incidents", gt=0, le=100_000, help="a hotspot "
                                      "of this many incidents keeps half its score; fewer, less")
    min_side_incidents: int = param(2, unit="incidents", ge=1, le=100_000, help="a joint patrol "
                                    "needs this many incidents on the smaller side")
    min_side_share: float = param(0.1, ge=0, lt=1, help="... and this share of them; otherwise "
                                  "the hotspot is a notice to the neighbour")

    def _check(self, issues: ProblemCollector) -> None:
        if sum(self.as_weights().values()) <= 0:
            issues.add("score_*", expected="at least one positive weight", found="all zero",
                       fix="see the defaults")

    def as_weights(self) -> dict[str, float]:
        return {k: getattr(self, f"score_{k}") for k in ("count", "significance", "trend", "risk")}


@dataclass(frozen=True, slots=True)
class BoundaryHotspot:
    """A hotspot touching the zone between two jurisdictions: the unit of a joint patrol."""

    rank: int
    score: float
    code_a: str
    code_b: str
    hotspot: Hotspot
    zone_share: float  # fraction of the hotspot's area (or length) inside the zone
    risk: float
    score_parts: dict[str, float] = field(default_factory=dict)
    side_shares: dict[str, float] = field(default_factory=dict)  # hotspot share in each zone side
    kind: Kind = "joint"  # or "notice": one side's hotspot near the line, told to the neighbour
    gap_m: float = 0.0  # from the hotspot to the shared line
    other_zones: tuple[tuple[str, str], ...] = ()  # further zones the hotspot touches

    @property
    def neighbour_code(self) -> str:
        """The side that is not the lead (for a notice: the one told)."""
        return self.code_b if self.lead_code == self.code_a else self.code_a

    @property
    def lead_code(self) -> str:
        """The side with more of the hotspot's incidents leads; ties go to the side holding more
        of the hotspot inside the zone, then to ``code_a``."""
        by, share = self.hotspot.incidents_by_jurisdiction, self.side_shares
        key_a = (by.get(self.code_a, 0), share.get(self.code_a, 0.0))
        key_b = (by.get(self.code_b, 0), share.get(self.code_b, 0.0))
        return self.code_b if key_b > key_a else self.code_a

    def as_dict(self) -> dict[str, object]:
        h = self.hotspot
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "jurisdictions": [self.code_a, self.code_b],
            "lead": self.lead_code,
            "incidents": h.incident_count,
            "incidents_by_jurisdiction": h.incidents_by_jurisdiction,
            "max_z": round(h.max_z, 3),
            "gi_bin": h.gi_bin,
            "trend": str(h.trend),
            "trend_detail": h.trend_detail.as_dict() if h.trend_detail else None,
            "peak_window": h.peak.label,
            "peak_share": round(h.peak.share, 3),
            "profile": [[int(n) for n in row] for row in h.profile],  # Mon…Sun × 0–23 h
            "risk": round(self.risk, 3),
            "zone_share": round(self.zone_share, 3),
            "zone_share_by_side": {k: round(v, 3) for k, v in self.side_shares.items()},
            "units": list(h.unit_ids),
            "score_parts": {k: round(v, 4) for k, v in self.score_parts.items()},
            "kind": self.kind,
            "gap_to_line_m": round(self.gap_m, 1),
            "other_zones": [list(z) for z in self.other_zones],
        }

    def notice(self, names: Mapping[str, str] | None = None) -> dict[str, object]:
        """The notice to the neighbour for a one-sided hotspot near the line."""
        names = names or {}

        def label(code: str) -> str:
            return f"{code} {names[code]}" if names.get(code) else code

        h, by = self.hotspot, self.hotspot.incidents_by_jurisdiction
        counts = f"{by.get(self.lead_code, 0)} / {by.get(self.neighbour_code, 0)}"
        where = "on the line" if self.gap_m < 1 else f"{self.gap_m:,.0f} m from the line"
        return {
            "rank": self.rank,
            "to": label(self.neighbour_code),
            "from": label(self.lead_code),
            "incidents_by_side": counts,
            "where": where,
            "peak_window": h.peak.label,
            "trend": str(h.trend),
            "score": round(self.score, 4),
            "text": f"notice to {label(self.neighbour_code)}: a hotspot of "
            f"{label(self.lead_code)} {where} ({counts} incidents, peak {h.peak.label}, "
            f"{h.trend}); watch your side, no joint patrol proposed",
        }


def flag_boundary_hotspots(
    result: HotspotResult,
    zones: Sequence[BoundaryZone],
    *,
    risk: pd.Series | np.ndarray | None = None,
    params: BoundaryRankParams | None = None,
) -> list[BoundaryHotspot]:
    """Hotspots of ``result`` touching any zone, once each, joint ones first (module docstring).

    ``risk``: optional per-unit risk score in [0, 1] aligned with ``result.units`` (e.g. the
    ``risk`` column of :func:`gridplan.hotspots.risk.risk_terrain`). Joint hotspots are ranked
    1, 2, … and so are notices, each list by score. Returns an empty list when the analysis had
    too few incidents.
    """
    params = params or BoundaryRankParams()
    if not result.ok or not result.hotspots:
        return []
    risk_values = np.zeros(len(result.units)) if risk is None else np.asarray(risk, dtype=float)
    max_count = max(h.incident_count for h in result.hotspots)
    flagged = []
    for h in result.hotspots:
        touched = [z for z in zones if not z.is_empty and h.geometry.intersects(z.zone)]
        if not touched:
            continue
        by = h.incidents_by_jurisdiction
        zone = max(touched, key=lambda z: (by.get(z.code_a, 0) + by.get(z.code_b, 0),
                                           _share_inside(h.geometry, z.zone)))
        parts = {
            "count": h.incident_count / max_count,
            "significance": h.gi_bin / 3,
            "trend": TREND_WEIGHT[str(h.trend)],
            "risk": float(np.mean(risk_values[list(h.unit_ids)])),
        }
        flagged.append(BoundaryHotspot(
            0, boundary_score(h.incident_count, parts, params), zone.code_a, zone.code_b, h,
            _share_inside(h.geometry, zone.zone), parts["risk"], parts,
            {code: _share_inside(h.geometry, side) for code, side in zone.sides().items()},
            kind=_kind(by.get(zone.code_a, 0), by.get(zone.code_b, 0), params),
            gap_m=float(h.geometry.distance(zone.line)),
            other_zones=tuple((z.code_a, z.code_b) for z in touched if z is not zone),
        ))
    out = []
    for kind in ("joint", "notice"):
        mine = sorted((b for b in flagged if b.kind == kind),
                      key=lambda b: (-b.score, -b.hotspot.incident_count, b.hotspot.id))
        out += [replace(b, rank=i + 1) for i, b in enumerate(mine)]
    return out


def boundary_score(incidents: int, parts: Mapping[str, float],
                   params: BoundaryRankParams) -> float:
    """Evidence factor n / (n + evidence_incidents) times the weighted mean of ``parts``
    (count, significance, trend, risk — each in [0, 1])."""
    w = params.as_weights()
    weighted = sum(w[k] * parts[k] for k in w) / sum(w.values())
    return incidents / (incidents + params.evidence_incidents) * weighted


def _kind(n_a: int, n_b: int, params: BoundaryRankParams) -> Kind:
    smaller, total = min(n_a, n_b), n_a + n_b
    joint = smaller >= params.min_side_incidents and smaller >= params.min_side_share * total
    return "joint" if joint else "notice"


def _share_inside(geometry: BaseGeometry, zone: BaseGeometry) -> float:
    measure = (lambda g: g.area) if geometry.area > 0 else (lambda g: g.length)
    whole = measure(geometry)
    return float(measure(geometry.intersection(zone)) / whole) if whole > 0 else 0.0
