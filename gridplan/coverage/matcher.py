"""Map matching: GPS points → the streets an officer walked (hidden Markov model + Viterbi).

Method (Newson & Krumm, "Hidden Markov map matching through noise and sparseness", 2009):

* Candidates: the ``max_candidates`` nearest streets within ``max(min_search_radius_m,
  search_radius_sigmas · σ)`` of a point, each with the point's projection on it.
* Emission: a Gaussian in the distance from the point to the candidate, σ per axis =
  ``gps_sigma_m``, or from the point's own accuracy when the file has one (a phone's accuracy is
  the radius holding 68 % of fixes — Android ``Location.getAccuracy`` — which is
  ``ACCURACY_PER_SIGMA`` = 1.51 σ for a 2-D Gaussian), or estimated from the track as 1.4826 ×
  the median distance to the nearest street (the median absolute deviation of a Gaussian).
* Transition: exponential in ``|route − straight|`` (scale ``beta_m``), where route is the
  walking distance between the two candidates along the streets (respecting one-way streets when
  driving) and straight the distance between the two GPS points; a route faster than the
  mode's top speed is impossible.
* Thinning: a point within ``thin_sigmas · σ`` of the last kept point is not a new observation
  (with dense sampling the noise would otherwise dominate the movement); it keeps the last
  match.
* Breaks: a time gap longer than ``gap_break_s``, or no possible transition, ends a chain; the
  next point starts a new one. Points with no street in reach (squares, courtyards, buildings)
  are left unmatched and do not break the chain.

The walked path is each chain's matched positions joined by shortest walks, as pieces
``(street, from_m, to_m)`` with the times interpolated along them. A step into a street and
back out the same end stays only when its fixes are ``e^spur_evidence`` times likelier there
than on the streets walked before and after it (else it is noise at a junction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from gridplan.coverage.params import TrackParams
from gridplan.coverage.streets import StreetIndex

_LOG_ZERO = -math.inf
# radius of the 68 % circle of a 2-D Gaussian, in per-axis σ: √(−2 ln 0.32)
ACCURACY_PER_SIGMA = math.sqrt(-2 * math.log(0.32))


@dataclass(frozen=True)
class MatchedTrack:
    """One officer's track matched to the streets.

    Per point (arrays aligned with the input): ``street`` (index into the street index, -1 when
    unmatched), ``offset_m`` along it, ``distance_m`` from the point, ``chain`` (-1 unmatched).
    ``pieces`` is an (m, 5) array: street index, from_m, to_m, start time, end time (s).
    """

    officer: str
    street: np.ndarray
    offset_m: np.ndarray
    distance_m: np.ndarray
    chain: np.ndarray
    pieces: np.ndarray
    sigma_m: float

    @property
    def matched_share(self) -> float:
        return float(np.mean(self.street >= 0)) if len(self.street) else 0.0

    @property
    def chains(self) -> int:
        return int(self.chain.max()) + 1 if len(self.chain) and self.chain.max() >= 0 else 0


def estimate_sigma_m(index: StreetIndex, xy: np.ndarray) -> float:
    """GPS noise from the track itself: 1.4826 × median distance to the nearest street
    (clamped to 3–50 m)."""
    if not len(xy):
        return 10.0
    _, dist = index.tree.query_nearest(shapely.points(xy), return_distance=True,
                                       all_matches=False)
    return float(np.clip(1.4826 * np.median(dist), 3.0, 50.0))


def match_track(index: StreetIndex, xy: np.ndarray, times_s: np.ndarray, *,
                params: TrackParams | None = None, accuracy_m: np.ndarray | None = None,
                officer: str = "") -> MatchedTrack:
    """Match one track (points ``xy`` in the network's metric CRS, ``times_s`` increasing
    seconds) to the streets of ``index``; see the module docstring.

    Without ``gps_sigma_m`` the noise is estimated twice: from the distance to the nearest
    street (too low where streets are dense), then from the distance to the matched streets; the
    track is matched again when the two differ by more than 20 %."""
    params = params or TrackParams()
    xy = np.asarray(xy, float).reshape(-1, 2)
    times_s = np.asarray(times_s, float)
    first = _match(index, xy, times_s, params.gps_sigma_m or estimate_sigma_m(index, xy),
                   params, accuracy_m, officer)
    if params.gps_sigma_m or len(xy) < 2:
        return first
    matched = first.distance_m[np.isfinite(first.distance_m)]
    sigma = float(np.clip(1.4826 * np.median(matched), 3.0, 50.0)) if len(matched) else 10.0
    if abs(sigma - first.sigma_m) <= 0.2 * first.sigma_m:
        return first
    return _match(index, xy, times_s, sigma, params, accuracy_m, officer)


def _match(index: StreetIndex, xy: np.ndarray, times_s: np.ndarray, sigma: float,
           params: TrackParams, accuracy_m: np.ndarray | None, officer: str) -> MatchedTrack:
    n = len(xy)
    sigmas = np.full(n, sigma)
    if accuracy_m is not None:
        acc = np.asarray(accuracy_m, float)
        sigmas = np.where(np.isfinite(acc) & (acc > 0),
                          np.clip(acc / ACCURACY_PER_SIGMA, 3.0, 100.0), sigma)
    cands = _candidates(index, xy, sigmas, params)
    street = np.full(n, -1)
    offset = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    chain_of = np.full(n, -1)
    chains = _chains(index, xy, times_s, sigmas, cands, params, sigma)
    pieces: list[tuple[float, float, float, float, float]] = []
    for c, (points, states) in enumerate(chains):
        for p, (k, off, d) in zip(points, states, strict=True):
            street[p], offset[p], dist[p], chain_of[p] = k, off, d, c
        fixes = _Fixes(index, xy, times_s, sigmas, points, states)
        pieces += _trim_spurs(_walked(index, points, states, times_s), index, fixes,
                              params.spur_evidence)
    _fill_thinned(street, offset, dist, chain_of, cands)
    arr = np.array(pieces, float).reshape(-1, 5)
    return MatchedTrack(officer, street, offset, dist, chain_of, arr, float(sigma))


# ---------------------------------------------------------------------------------- candidates
def _candidates(index: StreetIndex, xy: np.ndarray, sigmas: np.ndarray, params: TrackParams
                ) -> list[list[tuple[int, float, float]]]:
    """Per point: (street, offset_m, distance_m) of the nearest streets in reach."""
    radius = np.maximum(params.min_search_radius_m, params.search_radius_sigmas * sigmas)
    out: list[list[tuple[int, float, float]]] = [[] for _ in range(len(xy))]
    if not len(xy) or not len(index):
        return out
    points = shapely.points(xy)
    pi, si = index.tree.query(points, predicate="dwithin", distance=float(radius.max()))
    d = shapely.distance(points[pi], index.geoms[si])
    keep = d <= radius[pi]
    pi, si, d = pi[keep], si[keep], d[keep]
    off = shapely.line_locate_point(index.geoms[si], points[pi])
    order = np.lexsort((si, d, pi))
    for p, s, dd, o in zip(pi[order], si[order], d[order], off[order], strict=True):
        if len(out[p]) < params.max_candidates:
            out[p].append((int(s), float(o), float(dd)))
    return out


# ---------------------------------------------------------------------------------- viterbi
def _chains(index, xy, times_s, sigmas, cands, params: TrackParams, sigma: float):
    """Viterbi over the kept points; returns [(point indices, [(street, offset, dist)])]."""
    vmax = params.max_speed_mps(index.network.mode)
    chains = []
    points: list[int] = []
    layers: list[list[tuple[int, float, float]]] = []
    back: list[np.ndarray] = []
    score = np.zeros(0)
    last_t = -math.inf
    last_xy = None

    def close() -> None:
        if points:
            chains.append(_backtrack(points, layers, back, score))
        points.clear(), layers.clear(), back.clear()

    for p in range(len(xy)):
        here = cands[p]
        if not here:
            continue
        gap = times_s[p] - last_t
        if points and gap <= params.gap_break_s and np.hypot(*(xy[p] - last_xy)) < (
                params.thin_sigmas * sigma) and p != len(xy) - 1:
            continue
        emit = np.array([-0.5 * (d / sigmas[p]) ** 2 for _, _, d in here])
        if points and gap <= params.gap_break_s:
            straight = float(np.hypot(*(xy[p] - last_xy)))
            cutoff = vmax * max(gap, 1.0) + 2 * params.search_radius_sigmas * sigma
            trans = _transitions(index, layers[-1], here, straight, cutoff, params.beta_m)
            total = score[:, None] + trans
            best = np.argmax(total, axis=0)
            new = total[best, np.arange(len(here))] + emit
            if np.all(np.isneginf(new)):
                close()
                score = emit
            else:
                back.append(best)
                score = new
        else:
            close()
            score = emit
        points.append(p)
        layers.append(here)
        last_t, last_xy = times_s[p], xy[p]
    close()
    return chains


def _transitions(index: StreetIndex, prev, here, straight: float, cutoff: float,
                 beta: float) -> np.ndarray:
    out = np.full((len(prev), len(here)), _LOG_ZERO)
    for a, (i, t, _) in enumerate(prev):
        for b, (j, u, _) in enumerate(here):
            route = index.route_m((i, t), (j, u), cutoff)
            if math.isfinite(route):
                out[a, b] = -abs(route - straight) / beta
    return out


def _backtrack(points, layers, back, score):
    state = int(np.argmax(score))
    states = [layers[-1][state]]
    for k in range(len(points) - 1, 0, -1):
        state = int(back[k - 1][state])
        states.append(layers[k - 1][state])
    return list(points), states[::-1]


# ---------------------------------------------------------------------------------- the walk
def _walked(index: StreetIndex, points, states, times_s) -> list[tuple]:
    out = []
    if len(points) == 1:
        k, off, _ = states[0]
        return [(k, off, off, times_s[points[0]], times_s[points[0]])]
    for (p, (i, t, _)), (q, (j, u, _)) in zip(zip(points, states, strict=True),
                                             zip(points[1:], states[1:], strict=True),
                                             strict=False):
        pieces = index.path((i, t), (j, u))
        total = sum(abs(b - a) for _, a, b in pieces)
        clock, span = times_s[p], times_s[q] - times_s[p]
        for k, a, b in pieces:
            dt = span * abs(b - a) / total if total > 0 else 0.0
            out.append((k, a, b, clock, clock + dt))
            clock += dt
    return out


def _trim_spurs(pieces: list[tuple], index: StreetIndex, fixes: _Fixes,
                min_evidence: float) -> list[tuple]:
    """Drop excursions that enter a street and come back out the same end unless the fixes
    matched there are at least ``e^min_evidence`` times likelier on it than on the streets
    walked just before and after (a likelihood-ratio test): a fix pulled a few metres into a
    side street at a junction is noise, a walk into an alley and back has fixes deep in it.
    The time spent there is given to the piece before."""
    runs: list[list[tuple]] = []
    for piece in pieces:
        if runs and runs[-1][0][0] == piece[0]:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    out: list[tuple] = []
    for r, run in enumerate(runs):
        if (out and r < len(runs) - 1 and _is_in_and_out(run, index.lengths[run[0][0]])
                and fixes.evidence(run, [out[-1][0], runs[r + 1][0][0]]) < min_evidence):
            out[-1] = (*out[-1][:4], run[-1][4])
            continue
        out += run
    return [p for p in out if abs(p[2] - p[1]) >= 1e-9] or out[:1]


def _is_in_and_out(run: list[tuple], length: float) -> bool:
    enter, leave = run[0][1], run[-1][2]
    return abs(enter - leave) <= 1e-6 and min(enter, length - enter) <= 1e-6


@dataclass(frozen=True)
class _Fixes:
    """The kept fixes of one chain with their matched states, for the spur test."""

    index: StreetIndex
    xy: np.ndarray
    times_s: np.ndarray
    sigmas: np.ndarray
    points: list[int]
    states: list[tuple[int, float, float]]

    def evidence(self, run: list[tuple], others: list[int]) -> float:
        """Log-likelihood ratio of the fixes matched on ``run``'s street during it: there
        against the nearest of the ``others`` streets."""
        k, start, end = run[0][0], run[0][3], run[-1][4]
        mine = [(p, d) for p, (street, _, d) in zip(self.points, self.states, strict=True)
                if street == k and start - 1e-9 <= self.times_s[p] <= end + 1e-9]
        if not mine:
            return -math.inf
        at = np.array([p for p, _ in mine])
        there = np.array([d for _, d in mine])
        fixes = shapely.points(self.xy[at])
        elsewhere = np.min([shapely.distance(fixes, self.index.geoms[j]) for j in others],
                           axis=0)
        return float(np.sum((elsewhere**2 - there**2) / (2 * self.sigmas[at] ** 2)))


def _fill_thinned(street, offset, dist, chain_of, cands) -> None:
    """Thinned points (in reach of a street but not kept) take the last kept point's match."""
    last = -1
    for r in range(len(street)):
        if chain_of[r] >= 0:
            last = r
        elif cands[r] and last >= 0:
            street[r], offset[r], dist[r], chain_of[r] = (street[last], offset[last], dist[last],
                                                          chain_of[last])
