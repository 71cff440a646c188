"""Map-matching accuracy: gridplan's HMM matcher vs Leuven.MapMatching and a naive snap.

Run: ``.venv/bin/python -m benchmarks.tracks [--walks 4] [--walk-km 3] [--cities beijing]
[--noise-as accuracy sigma] [--cases 15/15 5/60] [--no-leuven]``

Protocol. On each real extract (the bundled central-Shanghai sample, the Beijing Haidian raw
OSM XML and the Helsinki raw PBF in ``tests/data/osm``, all as walk networks), ``--walks``
random walks of ``--walk-km`` km (seeded; never straight back except at dead ends; streets
named as tunnels avoided — phones have no fix there) are walked at 1.3 m/s with a 5-minute stop
at a key point every ~800 m. SIMULATED phones sample every 5 / 15 / 60 s with Gaussian noise
correlated in time (Gauss–Markov, 30 s) and drop out about twice an hour for ~90 s.

What a noise figure means (``--noise-as``, both by default, reported side by side):

* ``accuracy`` ("acc 15 m"): what phones export — Android's ``Location.getAccuracy`` is the
  radius holding 68 % of fixes; for a 2-D Gaussian that radius is 1.51 σ, so "15 m" is
  σ = 9.9 m per axis (2-D RMS 14 m). This is the headline: officers' phones export it.
* ``sigma`` ("σ 15 m"): σ = 15 m per axis (68 % radius 22.6 m, 2-D RMS 21 m): the harsher
  definition earlier runs used.

One more case per definition exports the 15 m / 15 s tracks in GCJ-02 (Shanghai and Beijing:
GCJ-02 is the identity outside China) and reads them back through
``geodata.tracks.load_tracks(coords="gcj02")``. The matcher is given no noise figure (it
estimates σ from each track) and runs with default parameters.

Measures, per case, summed over the walks:

* street-km **precision** and **recall** of the *street model* (the headline; what the coverage
  report counts): a dual road's two carriageways, or a road and its sidewalks, are one street
  whose ways are its sides (:mod:`gridplan.street_sides`, default parameters); a street is
  walked where any side is (:func:`gridplan.coverage.sides.street_walked`), and its length is
  counted once (on its axis ways). Metres the method says were walked that were (precision),
  and metres walked that it found (recall), by interval overlap.
* ``side``: the same per way, on the ways of streets with several sides only (which
  carriageway or sidewalk) — GPS error of 10 m cannot tell sides 10–14 m apart.
* ``per way``: per way everywhere (one network edge — an OSM way between junctions — is one
  street: the strict measure of earlier runs). ``corridor`` also accepts a way within 25 m of
  the true path and parallel to it (within 25°), paired or not.
* Our matcher runs twice on each track: without the track's accuracy column (σ estimated per
  track) and with it (σ = accuracy / 1.51, as a phone exports it; ``acc col``).
* ``report``: what the coverage report says — street-km of the streets
  :func:`gridplan.coverage.track_coverage` credits as walked (``street_walked``: a pass, ≥ 80 %
  of the way in one go, or 80 % of it walked on another side of its street), counted on axis
  ways, against the streets walked (axis ways ≥ 80 % walked on any side). For the peers a
  street counts when 80 % of it is matched on any side in any number of goes (more lenient).
* key points: share of the stops detected as visits of ≥ 3 minutes (recall), and of decoy key
  points ≥ 150 m from the walk wrongly detected (false alarms).
* points matched per CPU second (process time of matching only) and, for the 15 m / 15 s case,
  peak traced memory of building the street index and matching one track.

Peers, in the same run on the same tracks: Leuven.MapMatching's ``DistanceMatcher`` (see
:class:`LeuvenPeer`), and a naive nearest-street snap: each fix to its nearest street, the
stretch between consecutive fixes snapped to the same street counted as walked.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import Point, box

from gridplan.coverage import StreetIndex, TrackParams, match_track, track_coverage
from gridplan.coverage.intervals import Intervals, by_street, length, overlap, union
from gridplan.coverage.matcher import ACCURACY_PER_SIGMA, estimate_sigma_m
from gridplan.coverage.sides import street_walked
from gridplan.coverage.simulate import random_walk, simulate_track, walk_legs, walk_truth
from gridplan.model import Grid, KeyPoint
from gridplan.routing import PatrolParams
from gridplan.street_sides import StreetSides, street_sides, tangents

REPO = Path(__file__).resolve().parents[1]
CITIES = {"shanghai": REPO / "geodata" / "sample" / "data" / "shanghai_central.osm",
          "beijing": REPO / "tests" / "data" / "osm" / "Beijing_Haidian_CAU.osm.gz",
          "helsinki": REPO / "tests" / "data" / "osm" / "Helsinki.osm.pbf"}
IN_CHINA = ("shanghai", "beijing")  # GCJ-02 is the identity outside China
NOISE_M = (5, 15, 30)
SAMPLE_S = (5, 15, 60)
# A phone's "horizontal accuracy" is the radius holding 68 % of fixes (Android
# Location.getAccuracy); for a 2-D Gaussian with σ per axis that radius is 1.51 σ.
NOISE_AS = {"accuracy": 1 / ACCURACY_PER_SIGMA, "sigma": 1.0}  # per-axis σ per noise metre
SPEED_MPS = 1.3
STOP_EVERY_M = 800.0
STOP_MIN = 5.0
TUNNEL_WORDS = ("隧道", "tunnel", "tunneli")
ROAD_GAP_M = 25.0
ROAD_ANGLE_DEG = 25.0
OURS, OURS_ACC = "HMM (ours)", "HMM (ours, accuracy column)"
LEUVEN, SNAP = "Leuven HMM", "nearest snap"
#: how far a walked stretch is carried across to the other sides of its street (as the report)
REACH_M = 2 * PatrolParams().side_max_gap_m


@dataclass
class Tally:
    both: float = 0.0
    found: float = 0.0
    truth: float = 0.0
    road_both_found: float = 0.0
    road_both_truth: float = 0.0
    streets_both: float = 0.0
    streets_found: float = 0.0
    streets_truth: float = 0.0
    points: int = 0
    cpu_s: float = 0.0
    stops_found: int = 0
    stops: int = 0
    decoys_found: int = 0
    decoys: int = 0
    # [both, found, truth] metres of the street model, and per way on streets of several sides
    street: list = field(default_factory=lambda: [0.0, 0.0, 0.0])
    side: list = field(default_factory=lambda: [0.0, 0.0, 0.0])

    def add_match(self, index, found, truth, sides: StreetSides) -> None:
        self.found += sum(length(v) for v in found.values())
        self.truth += sum(length(v) for v in truth.values())
        self.both += sum(overlap(v, truth[k]) for k, v in found.items() if k in truth)
        self.road_both_found += _road_overlap(index, found, truth)
        self.road_both_truth += _road_overlap(index, truth, found)
        _add(self.street, street_level(index, sides, found), street_level(index, sides, truth))
        several = {k for k in set(found) | set(truth) if index.streets[k].street_id
                   in sides.street}
        _add(self.side, {k: v for k, v in found.items() if k in several},
             {k: v for k, v in truth.items() if k in several})

    def add_streets(self, index, walked: set[int], truth: set[int]) -> None:
        """Whole streets as the coverage report credits them (axis ways walked on any side)
        against those walked."""
        self.streets_found += float(index.lengths[list(walked)].sum())
        self.streets_truth += float(index.lengths[list(truth)].sum())
        self.streets_both += float(index.lengths[list(walked & truth)].sum())

    def row(self) -> dict:
        return {**_pr_of("street ", self.street), **_pr_of("side ", self.side),
                "precision": self.both / self.found if self.found else np.nan,
                "recall": self.both / max(self.truth, 1e-9),
                "corridor precision": (self.road_both_found / self.found if self.found
                                       else np.nan),
                "corridor recall": self.road_both_truth / max(self.truth, 1e-9),
                "report precision": (self.streets_both / self.streets_found
                                     if self.streets_found else np.nan),
                "report recall": self.streets_both / max(self.streets_truth, 1e-9),
                "stops found": self.stops_found / self.stops if self.stops else np.nan,
                "false alarms": self.decoys_found / self.decoys if self.decoys else np.nan,
                "points/s": self.points / max(self.cpu_s, 1e-9)}


def _add(tally: list, found: dict[int, Intervals], truth: dict[int, Intervals]) -> None:
    tally[0] += sum(overlap(v, truth[k]) for k, v in found.items() if k in truth)
    tally[1] += sum(length(v) for v in found.values())
    tally[2] += sum(length(v) for v in truth.values())


def _pr_of(kind: str, tally: list) -> dict:
    both, found, truth = tally
    return {f"{kind}precision": both / found if found else np.nan,
            f"{kind}recall": both / max(truth, 1e-9)}


def street_level(index: StreetIndex, sides: StreetSides, walked: dict[int, Intervals]
                 ) -> dict[int, Intervals]:
    """Walked stretches of streets in the street model: walked on any side, on axis ways."""
    across = street_walked(index, sides, walked, reach_m=REACH_M,
                           max_angle_deg=PatrolParams().side_max_angle_deg)
    return {k: v for k, v in across.items() if sides.is_axis(index.streets[k].street_id)}


def streets_walked(index: StreetIndex, sides: StreetSides, walked: dict[int, Intervals],
                   share: float) -> set[int]:
    """Axis ways walked on any side of their street over ``share`` of their length."""
    return {k for k, v in street_level(index, sides, walked).items()
            if length(v) >= share * index.lengths[k] - 1e-6}


def _road_overlap(index: StreetIndex, mine: dict[int, Intervals], other: dict[int, Intervals],
                  step_m: float = 5.0) -> float:
    """Metres of ``mine`` in the same corridor as ``other``: within ``ROAD_GAP_M`` of one of
    its stretches and running parallel to it (within ``ROAD_ANGLE_DEG``) — the other
    carriageway of a dual road or a sidewalk mapped beside its road."""
    pieces = [shapely.ops.substring(index.streets[k].geometry, a, b)
              for k, v in other.items() for a, b in v]
    pieces = [g for g in pieces if g.length > 0]
    if not pieces:
        return 0.0
    tree = shapely.STRtree(pieces)
    cos_min = np.cos(np.radians(ROAD_ANGLE_DEG))
    total = 0.0
    for k, spans in mine.items():
        geom = index.streets[k].geometry
        for a, b in spans:
            same = overlap([(a, b)], other.get(k, []))
            n = max(1, int((b - a) / step_m))
            marks = [a + (b - a) * (i + 0.5) / n for i in range(n)]
            pts = [geom.interpolate(m) for m in marks]
            near, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
            hits = 0
            for m, p, j, d in zip(marks, pts, near[1], dist, strict=True):
                if d > ROAD_GAP_M:
                    continue
                line = pieces[j]
                at = line.project(p)
                if abs(float(np.dot(tangents(geom, [m])[0], tangents(line, [at])[0]))) >= cos_min:
                    hits += 1
            total += max(same, (b - a) * hits / n)
    return total


def naive_snap(index: StreetIndex, xy: np.ndarray) -> dict[int, Intervals]:
    pts = shapely.points(xy)
    nearest = index.tree.query_nearest(pts, all_matches=False)[1]
    offsets = shapely.line_locate_point(index.geoms[nearest], pts)
    spans: dict[int, list] = {}
    for i in range(1, len(xy)):
        if nearest[i] == nearest[i - 1]:
            spans.setdefault(int(nearest[i]), []).append((offsets[i - 1], offsets[i]))
    return {k: union(v) for k, v in spans.items() if union(v)}


class LeuvenPeer:
    """Leuven.MapMatching's ``DistanceMatcher`` (an HMM with non-emitting states; PyPI
    ``leuvenmapmatching``) on the same streets: its in-memory map gets every vertex of every
    street geometry as a node (so curved streets keep their shape) and both directions where the
    network allows them. It is given the σ our first pass starts from (1.4826 × the median
    distance to the nearest street) and the same candidate radius; where it stops early it is
    restarted after the last matched point, as its documentation says."""

    def __init__(self, index: StreetIndex) -> None:
        from leuvenmapmatching.map.inmem import InMemMap

        self.index = index
        self.map = InMemMap("streets", use_latlon=False, index_edges=True)
        self.segments: dict[tuple, tuple[int, float, float]] = {}
        label: dict = {}  # its node labels must be integers (it sorts them)
        for k, s in enumerate(index.streets):
            coords = list(s.geometry.coords)
            marks = np.r_[0.0, np.cumsum(np.hypot(*np.diff(np.array(coords), axis=0).T))]
            names = [label.setdefault(n, len(label)) for n in
                     (s.a, *[("v", k, i) for i in range(1, len(coords) - 1)], s.b)]
            for name, (x, y) in zip(names, coords, strict=True):
                self.map.add_node(name, (y, x))
            for i in range(len(names) - 1):
                u, v, mu, mv = names[i], names[i + 1], marks[i], marks[i + 1]
                if s.forward:
                    self.map.add_edge(u, v)
                    self.segments[(u, v)] = (k, mu, mv)
                if s.backward:
                    self.map.add_edge(v, u)
                    self.segments[(v, u)] = (k, mv, mu)

    def match(self, xy: np.ndarray, params: TrackParams) -> dict[int, Intervals]:
        from leuvenmapmatching.matcher.distance import DistanceMatcher

        sigma = estimate_sigma_m(self.index, xy)
        reach = max(params.min_search_radius_m, params.search_radius_sigmas * sigma)
        path = [(float(y), float(x)) for x, y in xy]
        spans: dict[int, list] = {}
        start = 0
        while start < len(path) - 1:
            matcher = DistanceMatcher(self.map, max_dist=reach, max_dist_init=reach,
                                      obs_noise=sigma, obs_noise_ne=2 * sigma,
                                      dist_noise=sigma, non_emitting_states=True,
                                      max_lattice_width=params.max_candidates)
            _, last = matcher.match(path[start:])
            nodes = matcher.path_pred_onlynodes
            for u, v in zip(nodes, nodes[1:], strict=False):
                if (u, v) in self.segments:
                    k, a, b = self.segments[(u, v)]
                    spans.setdefault(k, []).append((a, b))
            start += max(last, 0) + 1
        return {k: union(v) for k, v in spans.items() if union(v)}


def stops_and_legs(index: StreetIndex, steps, rng) -> tuple[list, list[Point]]:
    """Walk legs with a ``STOP_MIN`` stop every ``STOP_EVERY_M`` (the stops are key points)."""
    legs, stops, clock, since = [], [], 0.0, 0.0
    for leg in walk_legs(index, steps, speed_mps=SPEED_MPS):
        geom = leg[0]
        legs.append((geom, clock, clock + geom.length / SPEED_MPS))
        clock += geom.length / SPEED_MPS
        since += geom.length
        if since >= STOP_EVERY_M:
            end = Point(geom.coords[-1])
            stops.append(end)
            legs.append((shapely.LineString([end, end]), clock, clock + STOP_MIN * 60))
            clock += STOP_MIN * 60
            since = 0.0
    return legs, stops


def decoys(index: StreetIndex, walk, rng, n: int) -> list[Point]:
    walked = shapely.union_all([index.streets[k].geometry for k, _ in walk]).buffer(150.0)
    nodes = [Point(s.geometry.coords[0]) for s in index.streets]
    far = [p for p in nodes if not walked.contains(p)]
    picks = rng.choice(len(far), size=min(n, len(far)), replace=False) if far else []
    return [far[i] for i in picks]


def report_of(index: StreetIndex, net, xy, times_s, accuracy, stops, fakes, params
              ) -> tuple[int, int, set[int]]:
    """What the coverage report says: stops and decoys reached (visits with the dwell), and
    the streets credited as walked, on axis ways (the whole extract is one grid)."""
    t0 = pd.Timestamp("2026-11-25 08:00", tz="Asia/Shanghai")
    points = gpd.GeoDataFrame({"officer": "A", "time": t0 + pd.to_timedelta(times_s, unit="s")},
                              geometry=shapely.points(xy), crs=net.crs)
    if accuracy is not None:
        points["accuracy"] = accuracy
    grid = Grid("bench", box(*shapely.total_bounds(index.geoms)).buffer(1.0), "000000")
    kps = [("bench", KeyPoint(f"s{i}", p, dwell_minutes=3)) for i, p in enumerate(stops)]
    kps += [("bench", KeyPoint(f"d{i}", p, dwell_minutes=3)) for i, p in enumerate(fakes)]
    report = track_coverage(net, [grid], points, key_points=kps, params=params, index=index)
    ok = report.key_points.groupby("id")["ok"].any()
    credited = report.streets["street_walked"] & report.streets["counts_street_km"]
    walked = set(report.streets.loc[credited, "street"].astype(int))
    return (int(sum(ok.get(f"s{i}", False) for i in range(len(stops)))),
            int(sum(ok.get(f"d{i}", False) for i in range(len(fakes)))), walked)


def gcj02_round_trip(track_xy: np.ndarray, times_s: np.ndarray, accuracy: np.ndarray, net,
                     tmp: Path):
    """Export the fixes (with their accuracy) in GCJ-02 and read them back as a patrol app's
    file would be."""
    from geodata.tracks import load_tracks, tracks_to_metric, write_tracks_csv

    t0 = pd.Timestamp("2026-11-25 08:00", tz="Asia/Shanghai")
    frame = gpd.GeoDataFrame({"officer": "A", "time": t0 + pd.to_timedelta(times_s, unit="s"),
                              "accuracy": accuracy},
                             geometry=shapely.points(track_xy), crs=net.crs)
    path = write_tracks_csv(frame, tmp / "gcj.csv", coords="gcj02")
    back = tracks_to_metric(load_tracks([path], coords="gcj02"), net.crs)
    back = back[back["flag"] == ""]
    return shapely.get_coordinates(back.geometry.values), (
        (back["time"] - t0) / pd.Timedelta(seconds=1)).to_numpy(float), back[
        "accuracy"].to_numpy(float)


def run_city(name: str, walks: int, walk_km: float, noise_as: list[str],
             cases: list[tuple[int, int]], tmp: Path, *, leuven: bool) -> list[dict]:
    from geodata.osm import load_network

    net = load_network(CITIES[name], mode="walk")
    index = StreetIndex(net)
    sides = street_sides(net)
    peer = LeuvenPeer(index) if leuven else None
    avoid = frozenset(i for i, s in enumerate(index.streets)
                      if any(w in s.name.lower() for w in TUNNEL_WORDS))
    params = TrackParams()
    grid = [(kind, n, s, False) for kind in noise_as for n, s in cases]
    if name in IN_CHINA:
        grid += [(kind, 15, 15, True) for kind in noise_as if (15, 15) in cases]
    rows = []
    for kind, noise, sample_s, gcj in grid:
        tallies = {m: Tally() for m in (OURS, OURS_ACC, SNAP, LEUVEN)}
        for w in range(walks):
            rng = np.random.default_rng(1000 * w + 7)
            steps = random_walk(index, length_m=walk_km * 1000, seed=w, avoid=avoid)
            legs, stops = stops_and_legs(index, steps, rng)
            track = simulate_track(legs, sample_s=sample_s, noise_m=noise * NOISE_AS[kind],
                                   seed=w, dropout_rate_per_h=2.0, dropout_mean_s=90.0)
            xy, t, acc = track.xy, track.times_s, track.accuracy_m
            if gcj:
                xy, t, acc = gcj02_round_trip(xy, t, acc, net, tmp)
            truth = by_street(walk_truth(index, steps))
            truth_streets = streets_walked(index, sides, truth, params.walked_share)
            fakes = decoys(index, steps, rng, len(stops))
            for method, accuracy in ((OURS, None), (OURS_ACC, acc)):
                tally = tallies[method]
                start = time.process_time()
                m = match_track(index, xy, t, params=params, accuracy_m=accuracy)
                tally.cpu_s += time.process_time() - start
                tally.points += len(xy)
                tally.add_match(index, by_street(m.pieces), truth, sides)
                hit, false, walked = report_of(index, net, xy, t, accuracy, stops, fakes,
                                               params)
                tally.add_streets(index, walked, truth_streets)
                tally.stops_found += hit
                tally.stops += len(stops)
                tally.decoys_found += false
                tally.decoys += len(fakes)
            peers = [(SNAP, lambda fixes: naive_snap(index, fixes))]
            if peer is not None:
                peers.append((LEUVEN, lambda fixes: peer.match(fixes, params)))
            for method, run in peers:
                tally = tallies[method]
                start = time.process_time()
                found = run(xy)
                tally.cpu_s += time.process_time() - start
                tally.points += len(xy)
                tally.add_match(index, found, truth, sides)
                tally.add_streets(index, streets_walked(index, sides, found, params.walked_share),
                                  truth_streets)
        label = (f"{'acc' if kind == 'accuracy' else 'σ'} {noise} m / {sample_s} s"
                 + (" GCJ-02" if gcj else ""))
        peak = (_peak_mb(index, xy, t, params) if (noise, sample_s, gcj) == (15, 15, False)
                else np.nan)
        for method, tally in tallies.items():
            if method == LEUVEN and peer is None:
                continue
            row = {"city": name, "case": label, "method": method, **tally.row(),
                   "peak MB": peak if method == OURS else np.nan}
            if method in (SNAP, LEUVEN):
                row |= {"stops found": np.nan, "false alarms": np.nan}
            rows.append(row)
            print(f"{name} {label} {_short(method)}: street {_pr(row, 'street ')} side "
                  f"{_pr(row, 'side ')} per way {_pr(row)} corridor {_pr(row, 'corridor ')} "
                  f"report {_pr(row, 'report ')} {row['points/s']:,.0f} pt/s", flush=True)
    return rows


def _peak_mb(index, xy, t, params) -> float:
    """Peak traced memory of building the street index and matching one track."""
    tracemalloc.start()
    match_track(StreetIndex(index.network), xy, t, params=params)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def table(rows: list[dict]) -> str:
    """One row per city and case, the methods side by side (P / R = precision / recall)."""
    frame = pd.DataFrame(rows).set_index(["city", "case", "method"])
    methods = [m for m in (OURS, OURS_ACC, LEUVEN, SNAP)
               if m in frame.index.get_level_values("method")]
    peers = [m for m in methods if m not in (OURS, OURS_ACC)]
    head = ["city", "case", "ours street P / R", "ours acc col street P / R", "ours side P / R",
            "ours per way P / R", "ours corridor", "ours report", "stops found", "false alarms"]
    head += [f"{_short(m)} {kind}" for m in peers for kind in ("street P / R", "per way P / R")]
    head += [f"F1 ours ÷ {_short(m)} (street / per way)" for m in peers]
    head += ["points/s " + " / ".join(_short(m) for m in methods)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for city, case in dict.fromkeys((c, k) for c, k, _ in frame.index):
        at = {m: frame.loc[(city, case, m)] for m in methods}
        ours = at[OURS]
        cells = [city, case, _pr(ours, "street "), _pr(at[OURS_ACC], "street "),
                 _pr(ours, "side "), _pr(ours), _pr(ours, "corridor "), _pr(ours, "report "),
                 _num(ours["stops found"]), _num(ours["false alarms"])]
        cells += [_pr(at[m], kind) for m in peers for kind in ("street ", "")]
        cells += [f"{_ratio(_f1(ours, 'street '), _f1(at[m], 'street '))} / "
                  f"{_ratio(_f1(ours), _f1(at[m]))}" for m in peers]
        cells += [" / ".join(f"{at[m]['points/s']:,.0f}" for m in methods)]
        lines.append("| " + " | ".join(cells) + " |")
    peak = frame["peak MB"].dropna()
    lines += ["", "Peak traced memory, street index + one 15 m / 15 s match: " + ", ".join(
        f"{c} {k} {v:.1f} MB" for (c, k, _), v in peak.items())]
    return "\n".join(lines)


def _short(method: str) -> str:
    return {OURS: "ours", OURS_ACC: "ours acc col", LEUVEN: "Leuven", SNAP: "snap"}[method]


def _pr(row, kind: str = "") -> str:
    return f"{_num(row[f'{kind}precision'])} / {_num(row[f'{kind}recall'])}"


def _num(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.3f}"


def _ratio(mine: float, other: float) -> str:
    return f"{mine / other:.2f}" if other > 1e-9 else "∞"


def _f1(row, kind: str = "") -> float:
    p, r = np.nan_to_num(row[f"{kind}precision"]), row[f"{kind}recall"]
    return 2 * p * r / (p + r) if p + r else 0.0



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--walks", type=int, default=4)
    parser.add_argument("--walk-km", type=float, default=3.0)
    parser.add_argument("--cities", nargs="+", default=list(CITIES), choices=list(CITIES))
    parser.add_argument("--noise-as", nargs="+", default=list(NOISE_AS), choices=list(NOISE_AS),
                        help="what a noise figure means: a phone's 68 %% accuracy radius or "
                             "the per-axis standard deviation")
    parser.add_argument("--no-leuven", action="store_true",
                        help="leave out the Leuven.MapMatching peer (pip install "
                             "leuvenmapmatching, in the bench extra)")
    parser.add_argument("--cases", nargs="+", default=[f"{n}/{s}" for n in NOISE_M
                                                       for s in SAMPLE_S],
                        help="noise m / sampling s pairs, e.g. 15/15")
    args = parser.parse_args()
    import logging
    import tempfile

    logging.getLogger("be.kuleuven.cs.dtai.mapmatching").setLevel(logging.ERROR)

    cases = [tuple(int(x) for x in c.split("/")) for c in args.cases]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for city in args.cities:
            rows += run_city(city, args.walks, args.walk_km, args.noise_as, cases, Path(tmp),
                             leuven=not args.no_leuven)
    print(table(rows))


if __name__ == "__main__":
    main()
