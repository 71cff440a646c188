import warnings

import esda
import libpysal
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from gridplan.hotspots.fdr import (
    confidence_bins,
    fdr_cutoff,
    significant,
    significant_columns,
)
from gridplan.hotspots.weights import distance_band_weights, knn_weights


@pytest.mark.parametrize("seed", range(3))
def test_weights_equal_libpysal(seed):
    xy = np.random.default_rng(seed).uniform(0, 1000, (300, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        band = libpysal.weights.DistanceBand(xy, threshold=90, binary=True, silence_warnings=True)
        knn = libpysal.weights.KNN(xy, k=6)
    assert abs(distance_band_weights(xy, 90) - band.sparse).max() == 0
    assert abs(knn_weights(xy, 6) - knn.sparse).max() == 0


def test_band_is_symmetric_without_self_and_inclusive():
    xy = np.array([[0, 0], [3, 4], [10, 0], [10, 0]], dtype=float)
    w = distance_band_weights(xy, 5.0).toarray()
    assert w[0, 1] == w[1, 0] == 1  # exactly 5 m apart counts (<=)
    assert w[2, 3] == w[3, 2] == 1  # duplicates are neighbours of each other
    assert np.diag(w).sum() == 0 and w.sum() == 4


def test_knn_with_duplicates_never_picks_self():
    xy = np.array([[0, 0], [0, 0], [0, 0], [5, 5], [9, 9]], dtype=float)
    w = knn_weights(xy, 2)
    assert w.diagonal().sum() == 0
    np.testing.assert_array_equal(np.asarray(w.sum(axis=1)).ravel(), 2)


def test_weights_reject_bad_parameters():
    with pytest.raises(InvalidInputError):
        knn_weights(np.zeros((3, 2)), 3)
    with pytest.raises(InvalidInputError):
        distance_band_weights(np.zeros((3, 3)), 1.0)
    with pytest.raises(InvalidInputError):
        distance_band_weights(np.zeros((3, 2)), 0.0)


def test_fdr_hand_checked_examples():
    # thresholds k * 0.05 / 5 = .01 .02 .03 .04 .05
    p = np.array([0.031, 0.005, 0.5, 0.012, 0.041])
    assert fdr_cutoff(p, 0.05) == pytest.approx(0.02)  # k = 2: .005 < .01, .012 < .02, .031 !< .03
    np.testing.assert_array_equal(significant(p, 0.05), [False, True, False, True, False])
    # step-up: the 5th passes (.042 < .05), so every smaller one is rejected too
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042])
    assert fdr_cutoff(p, 0.05) == pytest.approx(0.05)
    assert significant(p, 0.05).all()
    # nothing passes: esda falls back to alpha / m, which rejects nothing
    assert fdr_cutoff(np.array([0.2, 0.3]), 0.05) == pytest.approx(0.025)
    assert not significant(np.array([0.2, 0.3]), 0.05).any()


@settings(max_examples=50, deadline=None)
@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=60), alpha=st.sampled_from([0.01, 0.05, 0.1]))
def test_fdr_cutoff_equals_esda(p, alpha):
    assert fdr_cutoff(np.array(p), alpha) == esda.fdr(np.array(p), alpha)


def test_fdr_equals_esda_on_published_example(data_dir):
    # esda's own docstring example uses random permutations; check the analytic path instead
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(0, 0.002, 10), rng.uniform(0, 1, 200)])
    for alpha in (0.01, 0.05, 0.1):
        assert fdr_cutoff(p, alpha) == pytest.approx(esda.fdr(p, alpha), rel=1e-15)


def test_confidence_bins():
    z = np.array([3.0, 2.1, 1.7, 0.5, -2.0, -3.0, np.nan])
    p = 2 * (1 - __import__("scipy").stats.norm.cdf(np.abs(z)))
    np.testing.assert_array_equal(confidence_bins(z, p, fdr=False), [3, 2, 1, 0, -2, -3, 0])
    fdr_bins = confidence_bins(z, p, fdr=True)
    assert (np.abs(fdr_bins) <= np.abs(confidence_bins(z, p, fdr=False))).all()  # FDR never adds
    assert fdr_bins[0] == 3 and fdr_bins[-1] == 0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 9), st.integers(0, 2**31 - 1), st.booleans())
def test_significant_columns_is_significant_per_column(n, t, seed, fdr):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 0.3, (n, t))
    p[rng.uniform(size=p.shape) < 0.25] = np.nan
    p[:, 0] = np.nan if seed % 5 == 0 else p[:, 0]  # a week with no test at all
    expected = np.column_stack([significant(p[:, k], 0.1, fdr=fdr) for k in range(t)])
    np.testing.assert_array_equal(significant_columns(p, 0.1, fdr=fdr), expected)
