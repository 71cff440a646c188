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
