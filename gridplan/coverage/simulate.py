"""SIMULATED GPS tracks along known walks, for benchmarks, tests and the demo.

A walk is a list of legs ``(geometry, start_s, end_s)`` (metric CRS, walked at constant speed
within a leg; a leg with zero length is a stop). The phone samples every ``sample_s`` seconds;
its error is Gaussian with ``noise_m`` per axis and correlated in time like real receivers
(first-order Gauss–Markov, correlation time ``noise_tau_s``); dropouts (tunnels, phones in
pockets) remove runs of samples. Everything is seeded.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from gridplan.coverage.matcher import ACCURACY_PER_SIGMA
from gridplan.coverage.streets import StreetIndex
from gridplan.routing.plan_result import PatrolPlan, line_of

Leg = tuple[LineString, float, float]


@dataclass(frozen=True, slots=True)
class SimulatedTrack:
    xy: np.ndarray  # (n, 2) metric CRS, with noise
    times_s: np.ndarray  # seconds
    true_xy: np.ndarray  # where the officer really was
    accuracy_m: np.ndarray  # what a phone exports per fix: the 68 % radius of its error


def simulate_track(legs: Sequence[Leg], *, sample_s: float, noise_m: float, seed: int,
                   noise_tau_s: float = 30.0, dropout_rate_per_h: float = 0.0,
                   dropout_mean_s: float = 90.0) -> SimulatedTrack:
    """Samples along ``legs`` every ``sample_s`` seconds with correlated noise and dropouts."""
    rng = np.random.default_rng(seed)
    if not legs:
        return SimulatedTrack(np.zeros((0, 2)), np.zeros(0), np.zeros((0, 2)), np.zeros(0))
    t0, t1 = legs[0][1], legs[-1][2]
    times = np.arange(t0, t1 + 1e-9, sample_s)
    true = _positions(legs, times)
    noise = _gauss_markov(rng, len(times), sample_s, noise_m, noise_tau_s)
    keep = _dropout_mask(rng, times, dropout_rate_per_h, dropout_mean_s)
    keep[[0, -1]] = True
    # a phone reports its horizontal accuracy (Android Location.getAccuracy: the radius holding
    # 68 % of fixes, 1.51 σ for a 2-D Gaussian) to 0.1 m; this one knows its error model
    accuracy = np.full(int(keep.sum()), round(noise_m * ACCURACY_PER_SIGMA, 1))
    return SimulatedTrack((true + noise)[keep], times[keep], true[keep], accuracy)


def _positions(legs: Sequence[Leg], times: np.ndarray) -> np.ndarray:
    out = np.zeros((len(times), 2))
    starts = np.array([leg[1] for leg in legs])
    which = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(legs) - 1)
    for k, (geom, a, b) in enumerate(legs):
        sel = which == k
        if not sel.any():
            continue
        share = np.clip((times[sel] - a) / (b - a), 0, 1) if b > a else np.zeros(sel.sum())
        pts = [geom.interpolate(s * geom.length) for s in share]
        out[sel] = [(p.x, p.y) for p in pts]
    return out


def _gauss_markov(rng, n: int, dt: float, sigma: float, tau: float) -> np.ndarray:
    rho = float(np.exp(-dt / tau)) if tau > 0 else 0.0
    eps = rng.normal(0.0, sigma, size=(n, 2))
    out = np.zeros((n, 2))
    if n:
        out[0] = eps[0]
    for i in range(1, n):
        out[i] = rho * out[i - 1] + np.sqrt(1 - rho * rho) * eps[i]
    return out


def _dropout_mask(rng, times: np.ndarray, rate_per_h: float, mean_s: float) -> np.ndarray:
    keep = np.ones(len(times), bool)
    if rate_per_h <= 0 or len(times) < 2:
        return keep
    span = times[-1] - times[0]
    for _ in range(rng.poisson(rate_per_h * span / 3600.0)):
        start = rng.uniform(times[0], times[-1])
        keep &= ~((times >= start) & (times < start + rng.exponential(mean_s)))
    return keep


# ---------------------------------------------------------------------------------- walks
def random_walk(index: StreetIndex, *, length_m: float, seed: int,
                start: Hashable | None = None, avoid: frozenset[int] = frozenset()
                ) -> list[tuple[int, bool]]:
    """A random walk along streets of about ``length_m`` (never straight back unless at a dead
    end, preferring streets not yet walked, never on streets in ``avoid`` — e.g. tunnels, where
    phones have no fix): ``(street index, forward)`` steps."""
    rng = np.random.default_rng(seed)
    graph = index.graph
    nodes = sorted(max(nx.weakly_connected_components(graph), key=len), key=str)
    node = start if start is not None else nodes[int(rng.integers(len(nodes)))]
    walked, steps, seen, came_from = 0.0, [], set(), None
    while walked < length_m:
        allowed = [(v, d["street"]) for v, d in graph[node].items() if d["street"] not in avoid]
        options = [o for o in allowed if o[0] != came_from] or allowed
        if not options:
            break
        fresh = [o for o in options if o[1] not in seen]
        pool = fresh or options
        v, k = pool[int(rng.integers(len(pool)))]
        s = index.streets[k]
        steps.append((k, (node, v) == (s.a, s.b)))
        seen.add(k)
        walked += s.length_m
        came_from, node = node, v
    return steps


def walk_legs(index: StreetIndex, steps: Sequence[tuple[int, bool]], *, speed_mps: float,
              start_s: float = 0.0) -> list[Leg]:
    """Legs for :func:`simulate_track`: each step walked at ``speed_mps``."""
    legs, clock = [], start_s
    for k, forward in steps:
        s = index.streets[k]
        geom = s.geometry if forward else LineString(list(s.geometry.coords)[::-1])
        legs.append((geom, clock, clock + s.length_m / speed_mps))
        clock += s.length_m / speed_mps
    return legs


def walk_truth(index: StreetIndex, steps: Sequence[tuple[int, bool]]) -> np.ndarray:
    """The walked pieces of ``steps`` (street, 0, length) for comparing with a match."""
    return np.array([(k, 0.0, index.streets[k].length_m) for k, _ in steps], float).reshape(-1, 3)


def plan_tracks(plan: PatrolPlan, *, sample_s: float = 15.0, noise_m: float = 10.0,
                seed: int = 0, dropout_rate_per_h: float = 1.0, skip_share: float = 0.0
                ) -> gpd.GeoDataFrame:
    """SIMULATED fixes of officers walking ``plan``'s routes on time (the network's metric CRS;
    ``officer``, ``time``, ``accuracy`` as phones export it, ``simulated``). ``skip_share``:
    each officer stops walking after that share of their route (to show skipped streets)."""
    frames = []
    for n, route in enumerate(plan.routes):
        steps = route.steps[: max(1, round(len(route.steps) * (1 - skip_share)))]
        if not route.steps:
            continue
        legs = [(line_of(s.geometry), s.arrival_min * 60, (s.arrival_min + s.minutes) * 60)
                for s in steps]
        track = simulate_track(legs, sample_s=sample_s, noise_m=noise_m, seed=seed + n,
                               dropout_rate_per_h=dropout_rate_per_h)
        times = plan.shift.start + pd.to_timedelta(track.times_s, unit="s")
        frames.append(gpd.GeoDataFrame(
            {"officer": route.officer, "time": times, "accuracy": track.accuracy_m,
             "simulated": True},
            geometry=gpd.points_from_xy(track.xy[:, 0], track.xy[:, 1]), crs=plan.crs))
    if not frames:
        return gpd.GeoDataFrame({"officer": [], "time": [], "accuracy": [], "simulated": []},
                                geometry=gpd.GeoSeries([], crs=plan.crs), crs=plan.crs)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=plan.crs)
