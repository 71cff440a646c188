"""Risk terrain for illegal dumping (倾倒垃圾): where to look even when nobody reports.

Each unit (cell polygon or street segment, metric CRS) gets four component scores in [0, 1]:

* ``dead_end``   — dead-end streets: nodes of degree 1 in the undirected street graph. Kernel
  density, saturating: 1 − exp(−Σ_k max(0, 1 − d_k / r)) over dead ends within r =
  ``dead_end_radius_m`` of the unit (d = 0 inside a cell). One dead end at the unit ≈ 0.63,
  three ≈ 0.95.
* ``waterway``   — nearness to a waterway (ditch, canal, river; lines or polygons; the layer may be
  empty): max(0, 1 − d / ``waterway_radius_m``) with d the distance to the nearest one.
* ``minor_road`` — nearness to a minor road: management grade 4 or unnamed (``name == ""``),
  the lanes where trucks unload unseen. Same linear decay with ``minor_road_radius_m``.
* ``boundary``   — nearness to a jurisdiction boundary line (each side leaves it to the other):
  linear decay with ``boundary_radius_m``; empty when no lines are given.

``risk`` = Σ w_c · score_c / Σ w_c with the configurable weights (default 0.35 / 0.25 / 0.2 / 0.2).

:func:`patrol_priority` mixes risk into an incident-based intensity so that risky places with few
reports still rank: priority = intensity + ``risk_share`` · risk · (1 − intensity). A unit is
flagged ``under_reported`` when its risk is at least ``under_reported_risk`` but it is not a
significant hotspot.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.network import StreetNetwork
from gridplan.params import Params, param

COMPONENTS = ("dead_end", "waterway", "minor_road", "boundary")


@dataclass(frozen=True, kw_only=True)
class RiskParams(Params):
    """Radii and weights of the dumping risk terrain (module docstring)."""

    _section = "risk"
    dead_end_radius_m: float = param(150.0, unit="m", gt=0, le=5000,
                                     help="reach of a dead end's kernel")
    waterway_radius_m: float = param(100.0, unit="m", gt=0, le=5000,
                                     help="nearness to a waterway fades to 0 here")
    minor_road_radius_m: float = param(60.0, unit="m", gt=0, le=5000,
                                       help="nearness to a minor road fades to 0 here")
    boundary_radius_m: float = param(200.0, unit="m", gt=0, le=5000,
                                     help="nearness to a jurisdiction line fades to 0 here")
    weight_dead_end: float = param(0.35, ge=0, le=100, help="weight of dead ends in the risk")
    weight_waterway: float = param(0.25, ge=0, le=100, help="weight of waterways in the risk")
    weight_minor_road: float = param(0.2, ge=0, le=100, help="weight of minor roads in the risk")
    weight_boundary: float = param(0.2, ge=0, le=100, help="weight of the boundary in the risk")

    def _check(self, issues: ProblemCollector) -> None:
        if sum(self.weights().values()) <= 0:
            issues.add("weight_*", expected="at least one positive weight", found="all zero",
                       fix="set e.g. weight_dead_end=1")

    def weights(self) -> dict[str, float]:
        return {c: getattr(self, f"weight_{c}") for c in COMPONENTS}


def dead_end_points(network: StreetNetwork) -> np.ndarray:
    """(k, 2) x/y (metres) of nodes with exactly one distinct neighbour (self-loops ignored)."""
    simple = nx.Graph()
    simple.add_edges_from((u, v) for u, v in network.graph.edges() if u != v)
    nodes = [n for n, degree in simple.degree() if degree == 1]
    data = network.graph.nodes
    return np.array([[data[n]["x"], data[n]["y"]] for n in nodes], dtype=float).reshape(-1, 2)


def minor_road_lines(network: StreetNetwork) -> np.ndarray:
    """Geometries of grade-4 or unnamed streets (each physical street once)."""
    seen: set[object] = set()
    lines = []
    for _, _, d in network.graph.edges(data=True):
        if d["street_id"] in seen:
            continue
        seen.add(d["street_id"])
        if int(d.get("grade", 4)) == 4 or not d.get("name"):
            lines.append(d["geometry"])
    return np.array(lines, dtype=object)


def _linear_nearness(targets: np.ndarray, features: np.ndarray, radius_m: float) -> np.ndarray:
    """max(0, 1 − d / radius) to the nearest feature; 0 when there is none within the radius."""
    score = np.zeros(len(targets))
    if len(features) == 0 or len(targets) == 0:
        return score
    tree = shapely.STRtree(features)
    (target, _), distance = tree.query_nearest(targets, max_distance=radius_m,
                                               return_distance=True, all_matches=False)
    score[target] = np.clip(1.0 - distance / radius_m, 0.0, 1.0)
    return score


def _kernel_density(targets: np.ndarray, points_xy: np.ndarray, radius_m: float) -> np.ndarray:
    if len(points_xy) == 0 or len(targets) == 0:
        return np.zeros(len(targets))
    points = shapely.points(points_xy)
    target, point = shapely.STRtree(points).query(targets, predicate="dwithin", distance=radius_m)
    distance = shapely.distance(targets[target], points[point])
    kernel = np.clip(1.0 - distance / radius_m, 0.0, 1.0)
    total = np.bincount(target, weights=kernel, minlength=len(targets))
    return 1.0 - np.exp(-total)


def _geometries(layer: gpd.GeoDataFrame | gpd.GeoSeries | np.ndarray | None) -> np.ndarray:
    if layer is None:
        return np.array([], dtype=object)
    values = layer.geometry.values if isinstance(layer, gpd.GeoDataFrame | gpd.GeoSeries) else layer
    values = np.asarray(values, dtype=object)
    return values[~shapely.is_empty(values) & ~shapely.is_missing(values)] if len(values) else values


def risk_terrain(units: gpd.GeoDataFrame, network: StreetNetwork, *,
                 waterways: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
                 boundary_lines: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
                 params: RiskParams | None = None) -> pd.DataFrame:
    """Component scores and weighted ``risk`` per unit (rows aligned with ``units``).

    ``waterways`` defaults to ``network.layers["waterways"]`` when present. All layers must share
    the network's metric CRS.
    """
    params = params or RiskParams()
    _check_crs(units, network, waterways, boundary_lines)
    if waterways is None:
        waterways = network.layers.get("waterways")
    targets = np.asarray(units.geometry.values, dtype=object)
    scores = pd.DataFrame(index=units.index)
    scores["dead_end"] = _kernel_density(targets, dead_end_points(network), params.dead_end_radius_m)
    scores["waterway"] = _linear_nearness(targets, _geometries(waterways), params.waterway_radius_m)
    scores["minor_road"] = _linear_nearness(targets, minor_road_lines(network),
                                            params.minor_road_radius_m)
    scores["boundary"] = _linear_nearness(targets, _geometries(boundary_lines),
                                          params.boundary_radius_m)
    weights = params.weights()
    scores["risk"] = sum(weights[c] * scores[c] for c in COMPONENTS) / sum(weights.values())
    return scores


def _check_crs(units: gpd.GeoDataFrame, network: StreetNetwork, *layers: object) -> None:
    expected = gpd.GeoSeries(crs=network.crs).crs
    problems = []
    for name, layer in (("units", units), ("waterways", layers[0]), ("boundary_lines", layers[1])):
        crs = getattr(layer, "crs", None)
        if crs is not None and expected is not None and crs != expected:
            problems.append(Problem(name, "", f"the network's CRS {expected.to_string()}",
                                    crs.to_string(), "reproject with .to_crs(network.crs)"))
    if problems:
        raise InvalidInputError("risk terrain layers are in different CRSs", problems)


def patrol_priority(intensity: np.ndarray, risk: np.ndarray, *, risk_share: float = 0.5
                    ) -> np.ndarray:
    """intensity + risk_share · risk · (1 − intensity), all in [0, 1] (see module docstring)."""
    if not 0 <= risk_share <= 1:
        raise InvalidInputError("invalid risk share", [Problem(
            "risk_share", "", "a fraction in [0, 1]", repr(risk_share), "use 0.5")])
    intensity = np.clip(np.asarray(intensity, dtype=float), 0.0, 1.0)
    return intensity + risk_share * np.asarray(risk, dtype=float) * (1.0 - intensity)
