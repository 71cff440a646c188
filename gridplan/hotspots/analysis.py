"""Hotspot analysis end to end: incidents → units → Gi* → FDR classes → clusters with time profiles.

Inputs are GeoDataFrames in one metric CRS (metres): incident points with a timestamp column,
jurisdiction polygons with a code column, optionally street segments (see
:func:`gridplan.hotspots.cells.segment_table`) to aggregate to streets instead of cells.

Rules worth knowing:

* Incidents outside every jurisdiction are counted (``n_outside``) and left out; so are incidents
  farther than ``max_snap_m`` from any street when aggregating to segments (``n_unassigned``).
* Fewer than ``min_incidents`` incidents, or fewer than ``min_units_with_incidents`` units with
  any, gives ``status == "insufficient_data"``: counts are reported, statistics are not
  (Gi* on a handful of points is noise). :meth:`HotspotResult.raise_if_insufficient` turns that
  into an :class:`~gridplan.errors.InvalidInputError` with the reason.
* A *hotspot* is a connected group of units with Gi_Bin > 0 (significantly hot at ≥ 90 %, FDR
  by default), connected through the analysis weights. Its time profile and peak window come
  from its own incidents. Its trend is tested on the group as a whole
  (:func:`~gridplan.hotspots.temporal.cluster_trend`: weekly zone Gi* and Mann–Kendall over
  complete weeks); the ``trend`` column of ``units`` keeps the per-unit weekly-Gi* classes, which
  need far more incidents per cell to leave ``sporadic``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.hotspots.cells import (
    CellParams,
    assign_to_cells,
    assign_to_segments,
    count_per_unit,
    make_cells,
    recency_weights,
)
from gridplan.hotspots.fdr import confidence_bins
from gridplan.hotspots.gistar import Transform, getis_ord
from gridplan.hotspots.temporal import (
    LOCAL_TZ,
    ClusterTrend,
    PeakWindow,
    Trend,
    TrendParams,
    classify_trends,
    cluster_trends,
    complete_week_counts,
    data_time_zone,
    hour_weekday_profile,
    peak_window,
)
from gridplan.hotspots.weights import distance_band_weights, knn_weights
from gridplan.params import Params, param
from gridplan.progress import ProgressCallback, ShouldCancel, report
from gridplan.timezones import is_time_zone

Status = Literal["ok", "insufficient_data"]


@dataclass(frozen=True, kw_only=True)
class HotspotParams(Params):
    """Options of :func:`analyse_hotspots` and of the study area around it."""

    _section = "hotspots"
    weights: Literal["distance_band", "knn"] = param(
        "distance_band", choices=("distance_band", "knn"),
        help="neighbours of a unit: all within a distance, or the k nearest")
    neighbour_distance_m: float = param(250.0, unit="m", gt=0, le=20_000,
                                        help="distance band (100 m hexagons: two rings)")
    k_neighbours: int = param(8, ge=1, le=100, help="neighbours with weights=knn")
    transform: Transform = param("B", choices=("B", "R"),
                                 help="weights binary (B) or row-standardised (R)")
    fdr: bool = param(True, help="false-discovery-rate control of the hot/cold classes")
    half_life_days: float | None = param(None, unit="days", gt=0, help="recency weighting of "
                                         "counts (none: plain counts)")
    max_snap_m: float = param(30.0, unit="m", gt=0, le=1000,
                              help="street segments: farthest snap of an incident")
    min_incidents: int = param(30, ge=1, le=10_000_000,
                               help="fewer incidents: counts only, no statistics")
    min_units_with_incidents: int = param(5, ge=1, le=10_000_000,
                                          help="fewer units with incidents: no statistics")
    peak_share: float = param(0.6, gt=0, le=1,
                              help="a peak window holds this share of a hotspot's incidents")
    min_weeks_for_trend: int = param(4, ge=3, le=10_000,
                                     help="complete weeks needed before trends are tested")
    tz: str | None = param(None, cli=False, help="IANA time zone of profiles, peak windows and "
                           f"weeks (none: the time column's own zone; naive times: {LOCAL_TZ})")
    street_buffer_m: float = param(60.0, unit="m", gt=0, le=1000, help="with a street network: "
                                   "cells only within this distance of a street")
    study_margin_m: float = param(500.0, unit="m", gt=0, le=50_000, help="no network, boundary "
                                  "study: cells only within this distance of the zones")

    def _check(self, issues: ProblemCollector) -> None:
        if self.tz is not None and not is_time_zone(self.tz):
            issues.add("tz", expected="an IANA time zone such as Asia/Shanghai or "
                       "America/Los_Angeles", found=repr(self.tz),
                       fix="name the zone of the place the incidents happened in")


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A connected group of significantly hot units, ready for a joint-patrol proposal."""

    id: int
    unit_ids: tuple[int, ...]
    geometry: BaseGeometry  # union of the units (cells: polygons; segments: lines), metric CRS
    incident_count: int
    max_z: float
    gi_bin: int  # best confidence class in the group, 1…3
    trend: Trend
    profile: np.ndarray  # (7, 24) Monday…Sunday × hour, local time
    peak: PeakWindow
    incidents_by_jurisdiction: dict[str, int]
    trend_detail: ClusterTrend | None = None  # None when there are too few complete weeks


@dataclass(slots=True)
class HotspotResult:
    status: Status
    message: str
    units: gpd.GeoDataFrame  # unit_id, count, weighted, gi_z, gi_p, gi_bin, hotspot, trend, …
    hotspots: list[Hotspot]
    incidents: gpd.GeoDataFrame  # the incidents used, with jurisdiction and unit_id columns
    n_input: int
    n_outside: int
    n_unassigned: int
    weights: sparse.csr_matrix
    params: HotspotParams
    cells: CellParams = field(default_factory=CellParams)
    trends: TrendParams = field(default_factory=TrendParams)
    time_zone: str = LOCAL_TZ  # of the profiles, peak windows and weeks

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def raise_if_insufficient(self) -> None:
        if not self.ok:
            raise InvalidInputError(
                "too few incidents for hotspot statistics",
                [
                    Problem(
                        "incidents",
                        "",
                        f"at least {self.params.min_incidents} incidents in "
                        f"{self.params.min_units_with_incidents} or more units",
                        self.message,
                        "use a longer period or a larger area, or lower min_incidents knowingly",
                    )
                ],
            )

    def is_valid(self) -> bool:
        """Internal consistency: counts add up, classes in range, hotspots are hot units."""
        used = len(self.incidents)
        checks = [
            self.n_input == used + self.n_outside + self.n_unassigned,
            int(self.units["count"].sum()) == used,
            self.units["gi_bin"].between(-3, 3).all(),
            all((self.units.loc[list(h.unit_ids), "gi_bin"] > 0).all() for h in self.hotspots),
            sum(h.incident_count for h in self.hotspots)
            == int(self.units.loc[self.units["hotspot"] >= 0, "count"].sum()),
        ]
        return all(bool(c) for c in checks)

    def summary(self) -> str:
        hot = int((self.units["gi_bin"] > 0).sum())
        cold = int((self.units["gi_bin"] < 0).sum())
        return (
            f"{self.status}: {len(self.incidents)} of {self.n_input} incidents used "
            f"({self.n_outside} outside every jurisdiction, {self.n_unassigned} not on a unit); "
            f"{len(self.units)} units, {hot} hot, {cold} cold, {len(self.hotspots)} hotspots. "
            f"{self.message}"
        ).rstrip()


def _validate_inputs(
    incidents: gpd.GeoDataFrame, jurisdictions: gpd.GeoDataFrame, code_column: str, time_column: str
) -> None:
    issues = ProblemCollector("hotspot inputs")
    if time_column not in incidents.columns:
        issues.add(
            "incidents",
            expected=f"a '{time_column}' column of timestamps",
            found=f"columns {list(incidents.columns)}",
            fix="name the time column",
        )
    elif pd.to_datetime(incidents[time_column], errors="coerce").isna().any():
        bad = incidents.index[pd.to_datetime(incidents[time_column], errors="coerce").isna()]
        issues.add(
            f"incidents rows {list(bad[:5])}",
            expected="valid timestamps",
            found="missing or unparsable times",
            fix="fix or drop those rows",
        )
    if len(incidents) and not (shapely.get_type_id(incidents.geometry.values) == 0).all():
        issues.add(
            "incidents",
            expected="point geometries",
            found="other geometry types",
            fix="use incident locations as points",
        )
    if code_column not in jurisdictions.columns:
        issues.add(
            "jurisdictions",
            expected=f"a '{code_column}' column",
            found=f"columns {list(jurisdictions.columns)}",
            fix="pass code_column=",
        )
    for name, frame in (("incidents", incidents), ("jurisdictions", jurisdictions)):
        if frame.crs is None or frame.crs.is_geographic:
            issues.add(
                name,
                expected="a projected CRS in metres",
                found=str(frame.crs),
                fix="project, e.g. .to_crs(32651) for Shanghai",
            )
    if (
        incidents.crs is not None
        and jurisdictions.crs is not None
        and incidents.crs != jurisdictions.crs
    ):
        issues.add(
            "incidents",
            expected=f"the jurisdictions' CRS {jurisdictions.crs}",
            found=str(incidents.crs),
            fix="reproject one of them",
        )
    if len(jurisdictions) == 0:
        issues.add(
            "jurisdictions",
            expected="at least one polygon",
            found="none",
            fix="load the jurisdictions to analyse",
        )
    issues.raise_if_any("cannot analyse hotspots")


def _locate_jurisdictions(
    incidents: gpd.GeoDataFrame, jurisdictions: gpd.GeoDataFrame, code_column: str
) -> np.ndarray:
    """Code of the jurisdiction holding each incident (first match), None outside all of them."""
    codes = np.full(len(incidents), None, dtype=object)
    if len(incidents) == 0:
        return codes
    point, polygon = shapely.STRtree(jurisdictions.geometry.values).query(
        incidents.geometry.values, predicate="intersects"
    )
    first = np.unique(point, return_index=True)[1]
    codes[point[first]] = jurisdictions[code_column].astype(str).to_numpy()[polygon[first]]
    return codes


def analyse_hotspots(
    incidents: gpd.GeoDataFrame,
    jurisdictions: gpd.GeoDataFrame,
    *,
    params: HotspotParams | None = None,
    cells: CellParams | None = None,
    trends: TrendParams | None = None,
    segments: gpd.GeoDataFrame | None = None,
    study_area: BaseGeometry | None = None,
    code_column: str = "code",
    time_column: str = "time",
    progress: ProgressCallback | None = None,
    should_cancel: ShouldCancel | None = None,
) -> HotspotResult:
    """Getis–Ord Gi* hotspots of ``incidents`` inside ``jurisdictions`` (see module docstring).

    ``progress(fraction, message)`` and ``should_cancel()`` follow :mod:`gridplan.progress`: the
    weekly trend step (the long one on a city) checks in between blocks of weeks.

    With ``segments`` (line GeoDataFrame with ``x``/``y`` midpoints, metric CRS) incidents snap to
    the nearest street; otherwise they fall into cells tiling the jurisdictions — or only their
    part inside ``study_area`` (e.g. :func:`~gridplan.hotspots.cells.street_area` of the loaded
    streets). Limit the cells to where incidents can be recorded: cells where no data exists
    count as "cold" and make every covered place look hot.
    """
    params = params or HotspotParams()
    cells = cells or CellParams()
    _validate_inputs(incidents, jurisdictions, code_column, time_column)
    located = incidents.copy()
    located["jurisdiction"] = _locate_jurisdictions(located, jurisdictions, code_column)
    inside = located[located["jurisdiction"].notna()].copy()
    units, unit_ids = _units_and_assignment(
        inside, jurisdictions, segments, params, cells, study_area
    )
    inside["unit_id"] = unit_ids
    used = inside[inside["unit_id"] >= 0].copy()
    units = _with_counts(units, used, params, time_column)
    weights = _weights(units, params)
    status, message = _sufficiency(units, len(used), params)
    result = HotspotResult(
        status=status,
        message=message,
        units=units,
        hotspots=[],
        incidents=used,
        n_input=len(incidents),
        n_outside=int(located["jurisdiction"].isna().sum()),
        n_unassigned=int((inside["unit_id"] < 0).sum()),
        weights=weights,
        params=params,
        cells=cells,
        trends=trends or TrendParams(),
        time_zone=params.tz or data_time_zone(incidents[time_column]),
    )
    if status == "ok":
        _add_statistics(result, time_column, _stepper(progress, should_cancel))
    return result


def _units_and_assignment(
    inside: gpd.GeoDataFrame,
    jurisdictions: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame | None,
    params: HotspotParams,
    cells: CellParams,
    study_area: BaseGeometry | None,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    if segments is None:
        area = jurisdictions.union_all()
        if study_area is not None:
            area = area.intersection(study_area)
        units = make_cells(area, cells, crs=jurisdictions.crs)
        return units, assign_to_cells(inside.geometry, units)
    if segments.crs != jurisdictions.crs or not {"x", "y"} <= set(segments.columns):
        raise InvalidInputError(
            "unusable street segments",
            [
                Problem(
                    "segments",
                    "",
                    f"lines in {jurisdictions.crs} with x/y midpoint columns",
                    f"CRS {segments.crs}, columns {list(segments.columns)}",
                    "build them with gridplan.hotspots.cells.segment_table(network.graph)",
                )
            ],
        )
    units = segments.reset_index(drop=True).copy()
    units.insert(0, "unit_id", np.arange(len(units)))
    ids, _ = assign_to_segments(inside.geometry, units, max_snap_m=params.max_snap_m)
    return units, ids


def _with_counts(
    units: gpd.GeoDataFrame, used: gpd.GeoDataFrame, params: HotspotParams, time_column: str
) -> gpd.GeoDataFrame:
    units = units.rename(columns={"cell_id": "unit_id"})
    units["count"] = count_per_unit(used["unit_id"].to_numpy(), len(units)).astype(int)
    weight = None
    if params.half_life_days is not None and len(used):
        weight = recency_weights(used[time_column], half_life_days=params.half_life_days)
    units["weighted"] = count_per_unit(used["unit_id"].to_numpy(), len(units), weights=weight)
    units["gi_z"] = np.nan
    units["gi_p"] = np.nan
    units["gi_bin"] = 0
    units["hotspot"] = -1
    units["trend"] = Trend.NONE.value
    return units


def _weights(units: gpd.GeoDataFrame, params: HotspotParams) -> sparse.csr_matrix:
    xy = units[["x", "y"]].to_numpy(dtype=float)
    if params.weights == "knn":
        return knn_weights(xy, min(params.k_neighbours, len(units) - 1))
    return distance_band_weights(xy, params.neighbour_distance_m)


def _sufficiency(units: gpd.GeoDataFrame, n_used: int, params: HotspotParams) -> tuple[Status, str]:
    occupied = int((units["count"] > 0).sum())
    if n_used < params.min_incidents or occupied < params.min_units_with_incidents:
        return "insufficient_data", (
            f"only {n_used} incidents in {occupied} units (need {params.min_incidents} incidents "
            f"in {params.min_units_with_incidents} units): counts shown, no hotspot statistics"
        )
    return "ok", ""


def _stepper(progress: ProgressCallback | None,
             should_cancel: ShouldCancel | None) -> Callable[[float, str], None]:
    def step(fraction: float, message: str) -> None:
        report(fraction, message, progress=progress, should_cancel=should_cancel)

    return step


def _add_statistics(result: HotspotResult, time_column: str,
                    step: Callable[[float, str], None]) -> None:
    units, params = result.units, result.params
    gi = getis_ord(
        units["weighted"].to_numpy(), result.weights, star=True, transform=params.transform
    )
    units["gi_z"] = gi.z
    units["gi_p"] = gi.p_two_sided
    units["gi_bin"] = confidence_bins(gi.z, gi.p_two_sided, fdr=params.fdr)
    step(0.2, "weekly trends")
    weekly = _add_trends(result, time_column, step)
    step(0.9, "hotspot profiles")
    _add_hotspots(result, time_column, weekly)
    step(1.0, "hotspots done")


def _add_trends(result: HotspotResult, time_column: str,
                step: Callable[[float, str], None]) -> np.ndarray | None:
    """Per-unit weekly trend classes; returns the (n_units, T) complete-week counts, or None
    when there are fewer than ``min_weeks_for_trend`` complete weeks."""
    units, params, used = result.units, result.params, result.incidents
    weekly, weeks, dropped = complete_week_counts(
        used["unit_id"].to_numpy(), used[time_column], len(units), tz=result.time_zone
    )
    if weekly.shape[1] < params.min_weeks_for_trend:
        result.message = (
            result.message + f" Trends need {params.min_weeks_for_trend} complete "
            f"weeks of data; found {weekly.shape[1]}: trend left as 'none'."
        ).strip()
        return None
    if dropped:
        result.message = (
            result.message + f" Trends use {weekly.shape[1]} complete weeks from "
            f"{weeks[0].date()}; {dropped} incidents of a partial first week are "
            "left out of them."
        ).strip()
    trends = classify_trends(
        weekly, result.weights, weeks=weeks, params=result.trends, transform=params.transform,
        checkpoint=lambda f: step(0.2 + 0.7 * f, "weekly trends"),
    )
    units["trend"] = trends.classes
    result.units.attrs["weeks"] = weeks
    return weekly


def _add_hotspots(result: HotspotResult, time_column: str, weekly: np.ndarray | None) -> None:
    units, params, used = result.units, result.params, result.incidents
    hot = np.nonzero(units["gi_bin"].to_numpy() > 0)[0]
    if len(hot) == 0:
        return
    link = result.weights[hot][:, hot]
    _, labels = connected_components(link + link.T, directed=False)
    groups = [hot[labels == label] for label in range(labels.max() + 1)]
    # hot only through its neighbours: nothing of its own to patrol
    groups = [g for g in groups if used["unit_id"].isin(g).any()]
    details = (
        [None] * len(groups)
        if weekly is None
        else cluster_trends(weekly, groups, weeks=units.attrs.get("weeks"), params=result.trends)
    )
    z = units["gi_z"].to_numpy()
    hotspot_of_unit = np.full(len(units), -1)
    for members, detail in zip(groups, details, strict=True):
        events = used[used["unit_id"].isin(members)]
        strongest = members[np.argmax(z[members])]
        profile = hour_weekday_profile(events[time_column], tz=result.time_zone)
        hotspot_of_unit[members] = len(result.hotspots)
        result.hotspots.append(
            Hotspot(
                id=len(result.hotspots),
                unit_ids=tuple(int(m) for m in members),
                geometry=shapely.union_all(units.geometry.values[members]),
                incident_count=len(events),
                max_z=float(z[strongest]),
                gi_bin=int(units["gi_bin"].iloc[members].max()),
                trend=detail.trend if detail is not None else Trend.NONE,
                profile=profile,
                peak=peak_window(profile, share=params.peak_share),
                incidents_by_jurisdiction=events["jurisdiction"]
                .value_counts()
                .astype(int)
                .to_dict(),
                trend_detail=detail,
            )
        )
    units["hotspot"] = hotspot_of_unit
