"""Incident hotspots: aggregation, spatial weights, Getis–Ord Gi*, FDR classes, time and risk.

The whole workflow (study area, boundary hotspots, joint patrols) is one call,
:func:`gridplan.hotspot_study.study_hotspots`; the pieces below are its engine. Typical use of
the engine alone (all inputs in one metric CRS)::

    from gridplan.hotspots import analyse_hotspots, HotspotParams
    from gridplan.boundary import boundary_zones, flag_boundary_hotspots

    result = analyse_hotspots(incidents, jurisdictions, params=HotspotParams())
    result.raise_if_insufficient()          # or check result.status
    flagged = flag_boundary_hotspots(result, boundary_zones(jurisdictions))
"""

from gridplan.hotspots.analysis import Hotspot, HotspotParams, HotspotResult, analyse_hotspots
from gridplan.hotspots.cells import (
    CellParams,
    assign_to_cells,
    assign_to_segments,
    count_per_unit,
    make_cells,
    recency_weights,
    segment_table,
    street_area,
)
from gridplan.hotspots.fdr import confidence_bins, fdr_cutoff, significant
from gridplan.hotspots.gistar import GetisOrdResult, getis_ord
from gridplan.hotspots.risk import RiskParams, patrol_priority, risk_terrain
from gridplan.hotspots.temporal import (
    PeakWindow,
    Trend,
    TrendParams,
    classify_trends,
    hour_weekday_profile,
    mann_kendall,
    peak_window,
)
from gridplan.hotspots.weights import distance_band_weights, knn_weights

__all__ = [
    "CellParams", "GetisOrdResult", "Hotspot", "HotspotParams", "HotspotResult", "PeakWindow",
    "RiskParams", "Trend", "TrendParams", "analyse_hotspots", "assign_to_cells",
    "assign_to_segments", "classify_trends", "confidence_bins", "count_per_unit",
    "distance_band_weights", "fdr_cutoff", "getis_ord", "hour_weekday_profile", "knn_weights",
    "make_cells", "mann_kendall", "patrol_priority", "peak_window", "recency_weights",
    "risk_terrain", "segment_table", "significant", "street_area",
]
