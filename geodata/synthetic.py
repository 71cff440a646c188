"""Seeded SYNTHETIC incidents on a real street network, for demos and tests.

Real incident exports are rarely public, so the bundled sample gets incidents drawn with the
patterns field practice reports (every output built on them must say "synthetic incidents"):

* street order (街面秩序: hawkers, spill-over trading, parking) by day, on main roads and around a
  few market points;
* dumping (市容环境: construction / household waste) at night (21:00–02:00), at dead ends and
  within ``boundary_band_m`` of a district boundary, with one boundary spot intensifying over the
  weeks;
* small adverts (宣传广告) by day anywhere; construction (施工管理: night works, illegal
  building) in the evening and at weekends; rare emergencies (突发事件);
* weekends heavier than weekdays.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from gridplan.events import classify
from gridplan.network import StreetNetwork

SYNTHETIC_NOTE = "synthetic incidents (seeded generator, not real reports)"


@dataclass(frozen=True, slots=True)
class Pattern:
    labels: tuple[str, ...]
    share: float
    hours: tuple[float, ...]  # 24 relative weights by hour of day
    weekend_factor: float
    places: str  # "main", "market", "dumping", "any"


def _hours(*peaks: tuple[int, int, float], base: float = 0.05) -> tuple[float, ...]:
    w = np.full(24, base)
    for start, end, weight in peaks:  # [start, end) in hours, wrapping midnight; (0, 24) = all day
        span = (end - start) % 24 or 24
        for h in range(start, start + span):
            w[h % 24] += weight
    return tuple(w / w.sum())


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        ("占道经营", "流动摊贩", "跨门营业", "乱停放非机动车"),
        0.36,
        _hours((7, 10, 0.6), (10, 13, 1.0), (16, 20, 1.0)),
        1.4,
        "market",
    ),
    Pattern(
        ("偷倒建筑垃圾", "乱倒生活垃圾", "暴露垃圾", "渣土偷倒"),
        0.30,
        _hours((21, 2, 1.0), (2, 5, 0.3), base=0.01),
        1.8,
        "dumping",
    ),
    Pattern(("乱张贴小广告", "违规户外广告", "乱悬挂横幅"), 0.16, _hours((8, 18, 1.0)), 1.0, "any"),
    Pattern(
        ("夜间施工", "违法搭建", "装修施工扰民"),
        0.13,
        _hours((18, 23, 1.0), (9, 17, 0.4)),
        1.7,
        "main",
    ),
    Pattern(("井盖缺失", "突发积水险情"), 0.05, _hours((0, 24, 1.0)), 1.0, "any"),
)


def synthetic_incidents(
    network: StreetNetwork,
    *,
    boundary: shapely.Geometry | None = None,
    n: int = 2400,
    start: str = "2026-09-01",
    weeks: int = 12,
    seed: int = 0,
    tz: str = "Asia/Shanghai",
    boundary_band_m: float = 150.0,
) -> gpd.GeoDataFrame:
    """``n`` incidents over ``weeks`` weeks from ``start`` (local dates), WGS-84 points.

    ``boundary`` is a district boundary line in the network's metric CRS (optional).
    Columns: id, time (tz-aware), category, event_class, synthetic, geometry.
    """
    rng = np.random.default_rng(seed)
    edges = list(network.undirected().edges(keys=True, data=True))
    places = _place_weights(network, edges, boundary, boundary_band_m, rng)
    hot_edge = _intensifying_edge(places["dumping"], rng)
    days = pd.date_range(start, periods=7 * weeks, freq="D", tz=tz)
    rows = []
    counts = rng.multinomial(n, [p.share for p in PATTERNS])
    for pattern, count in zip(PATTERNS, counts, strict=True):
        day_w = np.where(days.day_of_week >= 5, pattern.weekend_factor, 1.0)
        if pattern.places == "dumping":  # rising over the weeks on one boundary street
            day_w = day_w * np.linspace(0.8, 1.2, len(days))
        day_idx = rng.choice(len(days), size=count, p=day_w / day_w.sum())
        hour = rng.choice(24, size=count, p=np.asarray(pattern.hours))
        minute = rng.integers(0, 60, size=count)
        edge_idx = rng.choice(len(edges), size=count, p=places[pattern.places])
        if pattern.places == "dumping" and hot_edge is not None:
            week = day_idx // 7
            extra = rng.random(count) < 0.15 * week / max(weeks - 1, 1)
            edge_idx = np.where(extra, hot_edge, edge_idx)
        for d, h, m, e in zip(day_idx, hour, minute, edge_idx, strict=True):
            stamp = days[d] + pd.Timedelta(hours=int(h), minutes=int(m))
            point = _point_on(edges[e][3]["geometry"], rng)
            label = pattern.labels[rng.integers(len(pattern.labels))]
            rows.append((stamp, label, point))
    rows.sort(key=lambda r: r[0])
    frame = gpd.GeoDataFrame(
        {
            "id": [f"S{i + 1:05d}" for i in range(len(rows))],
            "time": pd.to_datetime([r[0] for r in rows]).tz_convert(tz),
            "category": [r[1] for r in rows],
            "event_class": [classify(r[1]).value for r in rows],
            "synthetic": True,
        },
        geometry=[r[2] for r in rows],
        crs=network.crs,
    )
    return frame.to_crs("EPSG:4326")


def _place_weights(network, edges, boundary, band_m, rng) -> dict[str, np.ndarray]:
    lengths = np.array([d["length"] for *_, d in edges])
    grades = np.array([d["grade"] for *_, d in edges])
    main = lengths * np.where(grades <= 2, 3.0, 1.0)
    und = nx.Graph(network.undirected())
    dead_ends = {n for n, deg in und.degree() if deg == 1}
    markets = _markets(und, grades, edges, rng)
    near_market = np.array([1.0 + 4.0 * (u in markets or v in markets) for u, v, *_ in edges])
    dead = np.array([1.0 + 6.0 * (u in dead_ends or v in dead_ends) for u, v, *_ in edges])
    minor = np.where(grades >= 3, 2.0, 0.5)
    if boundary is not None and not boundary.is_empty:
        dist = np.array([d["geometry"].distance(boundary) for *_, d in edges])
        near_border = np.where(dist <= band_m, 8.0, 1.0)
    else:
        near_border = np.ones(len(edges))
    weights = {
        "main": main,
        "market": lengths * near_market * np.where(grades <= 3, 1.0, 0.5),
        "dumping": lengths * dead * minor * near_border,
        "any": lengths,
    }
    return {k: v / v.sum() for k, v in weights.items()}


def _markets(und: nx.Graph, grades, edges, rng, count: int = 4) -> set:
    minor_nodes = sorted({u for (u, v, *_), g in zip(edges, grades, strict=True) if g >= 3})
    if not minor_nodes:
        minor_nodes = sorted(und.nodes)
    picked = rng.choice(len(minor_nodes), size=min(count, len(minor_nodes)), replace=False)
    return {minor_nodes[i] for i in picked}


def _intensifying_edge(dumping_weights: np.ndarray, rng) -> int | None:
    top = np.argsort(dumping_weights)[-10:]
    return int(rng.choice(top)) if len(top) else None


def _point_on(line: LineString, rng, max_offset_m: float = 12.0):
    """A point along the street, pushed sideways up to ``max_offset_m`` (the pavement)."""
    base = line.interpolate(rng.random(), normalized=True)
    ahead = line.interpolate(min(line.project(base) + 1.0, line.length))
    dx, dy = ahead.x - base.x, ahead.y - base.y
    norm = np.hypot(dx, dy) or 1.0
    off = rng.uniform(-max_offset_m, max_offset_m)
    return shapely.Point(base.x - dy / norm * off, base.y + dx / norm * off)
