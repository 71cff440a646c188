"""Map matching on random lattices and on the bundled sample."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplan.coverage import StreetIndex, TrackParams, match_track
from gridplan.coverage.intervals import by_street, length, precision_recall
from gridplan.coverage.simulate import random_walk, simulate_track, walk_legs, walk_truth
from tests.tracks.lattices import random_lattice


def exact_points(legs, spacing_m: float = 10.0):
    """Noise-free fixes along the legs: every vertex and every ``spacing_m`` in between."""
    xy, t = [], []
    for leg, (geom, a, b) in enumerate(legs):
        n = max(1, int(np.ceil(geom.length / spacing_m)))
        for i in range(n + (1 if leg == len(legs) - 1 else 0)):
            p = geom.interpolate(geom.length * i / n)
            xy.append((p.x, p.y))
            t.append(a + (b - a) * i / n)
    return np.array(xy), np.array(t)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(2, 6), cols=st.integers(2, 6), seed=st.integers(0, 10_000),
       walk_m=st.floats(100, 1500))
def test_walking_a_route_exactly_gives_its_streets_and_nothing_else(rows, cols, seed, walk_m):
    net = random_lattice(rows, cols, seed=seed)
    index = StreetIndex(net)
    if not len(index):
        return
    steps = random_walk(index, length_m=walk_m, seed=seed)
    xy, t = exact_points(walk_legs(index, steps, speed_mps=1.3))
    matched = match_track(index, xy, t, params=TrackParams(gps_sigma_m=5.0))
    found, truth = by_street(matched.pieces), by_street(walk_truth(index, steps))
    assert set(found) == set(truth)
    for k, spans in found.items():
        assert length(spans) == pytest.approx(index.streets[k].length_m, abs=1e-6)
    assert matched.chains == 1 and matched.matched_share == 1.0


def test_one_way_streets_are_matched_in_their_direction_only():
    net = random_lattice(3, 3, seed=4, drop_share=0.0)
    g = net.graph
    u, v = (0, 0), (0, 1)
    g.remove_edge(v, u)  # drive one way u → v
    net = type(net)(g, "drive")
    index = StreetIndex(net)
    k = next(i for i, s in enumerate(index.streets) if {s.a, s.b} == {u, v})
    s = index.streets[k]
    assert (s.forward, s.backward) == ((s.a, s.b) == (u, v), (s.a, s.b) == (v, u))
    a, b = (0.0, s.length_m) if s.forward else (s.length_m, 0.0)
    assert index.route_m((k, a), (k, b), 1e6) == pytest.approx(s.length_m)
    assert index.route_m((k, b), (k, a), 1e6) > s.length_m  # round the block


@pytest.mark.parametrize(("noise", "sample_s"), [(5, 5), (15, 15)])
def test_noisy_walks_on_the_sample_are_matched_well(sample_walk, noise, sample_s):
    index = StreetIndex(sample_walk)
    tunnels = frozenset(i for i, s in enumerate(index.streets) if "隧道" in s.name)
    precision = recall = 0.0
    for seed in range(3):
        steps = random_walk(index, length_m=2000, seed=seed, avoid=tunnels)
        track = simulate_track(walk_legs(index, steps, speed_mps=1.3), sample_s=sample_s,
                               noise_m=noise, seed=seed)
        m = match_track(index, track.xy, track.times_s)
        p, r, _, _ = precision_recall(by_street(m.pieces), by_street(walk_truth(index, steps)))
        precision, recall = precision + p / 3, recall + r / 3
    assert precision > 0.8 and recall > 0.8  # the benchmark measures it properly


def test_a_gap_longer_than_the_break_starts_a_new_chain():
    net = random_lattice(3, 5, seed=2, drop_share=0.0)
    index = StreetIndex(net)
    steps = random_walk(index, length_m=800, seed=1)
    xy, t = exact_points(walk_legs(index, steps, speed_mps=1.3))
    half = len(t) // 2
    t[half:] += 3600
    m = match_track(index, xy, t, params=TrackParams(gps_sigma_m=5.0, gap_break_s=600))
    assert m.chains == 2


def test_points_in_a_square_are_unmatched_and_do_not_break_the_walk():
    net = random_lattice(3, 3, seed=0, spacing_m=150.0, jitter_m=0.0, drop_share=0.0)
    index = StreetIndex(net)
    steps = random_walk(index, length_m=600, seed=3)
    xy, t = exact_points(walk_legs(index, steps, speed_mps=1.3))
    # halfway, the officer crosses into the middle of a block (a square) for two minutes
    half = len(t) // 2
    square = np.array([[xy[:, 0].min() + 75.0, xy[:, 1].min() + 75.0]] * 8)
    pause = t[half] + np.arange(1, 9) * 15.0
    xy = np.vstack([xy[: half + 1], square, xy[half + 1:]])
    t = np.concatenate([t[: half + 1], pause, t[half + 1:] + 8 * 15.0])
    m = match_track(index, xy, t, params=TrackParams(gps_sigma_m=5.0))
    assert m.chains == 1
    assert (m.street[half + 1: half + 9] == -1).all() and m.matched_share < 1.0
    found, truth = by_street(m.pieces), by_street(walk_truth(index, steps))
    assert set(found) == set(truth)


def _street_between(index, u, v) -> int:
    return next(i for i, s in enumerate(index.streets) if {s.a, s.b} == {u, v})


def _fixes_along(points_xy, spacing_m: float = 5.0, speed_mps: float = 1.3):
    """Noise-free fixes every ``spacing_m`` along a polyline, with walking times."""
    from shapely.geometry import LineString

    line = LineString(points_xy)
    n = int(np.ceil(line.length / spacing_m))
    xy = np.array([line.interpolate(line.length * i / n).coords[0] for i in range(n + 1)])
    return xy, np.arange(n + 1) * (line.length / n) / speed_mps


def test_a_fix_pulled_into_a_side_street_is_noise_but_a_walk_into_it_is_kept():
    net = random_lattice(3, 3, seed=0, spacing_m=100.0, jitter_m=0.0, drop_share=0.0)
    index = StreetIndex(net)
    node = {n: np.array([net.graph.nodes[n]["x"], net.graph.nodes[n]["y"]]) for n in net.graph}
    west, centre, east, north = node[(1, 0)], node[(1, 1)], node[(1, 2)], node[(2, 1)]
    side = _street_between(index, (1, 1), (2, 1))
    params = TrackParams(gps_sigma_m=5.0)
    # straight through the junction; one fix lands 9 m up the side street
    xy, t = _fixes_along([west, east], spacing_m=10.0)
    xy[np.argmin(np.hypot(*(xy - centre).T))] = centre + (north - centre) * 0.09
    found = by_street(match_track(index, xy, t, params=params).pieces)
    assert side not in found
    # up the side street 40 m and back: fixes deep in it, so it was walked
    up = centre + (north - centre) * 0.4
    xy, t = _fixes_along([west, centre, up, centre, east])
    found = by_street(match_track(index, xy, t, params=params).pieces)
    assert length(found[side]) == pytest.approx(40.0, abs=2.0)


def test_a_phone_accuracy_is_read_as_the_68_percent_radius():
    from gridplan.coverage.matcher import ACCURACY_PER_SIGMA

    rng = np.random.default_rng(0)
    radius = np.hypot(*rng.normal(0.0, 1.0, size=(2, 200_000)))
    assert np.mean(radius <= ACCURACY_PER_SIGMA) == pytest.approx(0.68, abs=0.005)
    net = random_lattice(4, 4, seed=5)
    index = StreetIndex(net)
    steps = random_walk(index, length_m=800, seed=2)
    track = simulate_track(walk_legs(index, steps, speed_mps=1.3), sample_s=10, noise_m=8,
                           seed=2)
    params = TrackParams(gps_sigma_m=8.0)
    by_sigma = match_track(index, track.xy, track.times_s, params=params)
    by_accuracy = match_track(index, track.xy, track.times_s, params=params,
                              accuracy_m=np.full(len(track.xy), 8.0 * ACCURACY_PER_SIGMA))
    np.testing.assert_allclose(by_accuracy.pieces, by_sigma.pieces)
