import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from gridplan.hotspots.temporal import (
    TrendParams,
    _trend_classes,
    classify_trends,
    hour_weekday_profile,
    mann_kendall,
    mann_kendall_rows,
    peak_window,
    weekly_counts,
)
from gridplan.hotspots.weights import distance_band_weights


def test_mann_kendall_textbook_example():
    # Little (Holy Cross), "A Mann-Kendall example by hand": S = 54, one tied pair,
    # V = 14*13*33/18 - 2*1*9/18, Z = (S - 1)/sqrt(V) = 2.9058, one-sided p = .0018
    x = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7]
    r = mann_kendall(x)
    assert r.s == 54
    assert r.variance == pytest.approx(14 * 13 * 33 / 18 - 2 * 1 * 9 / 18)
    assert r.z == pytest.approx(2.9058, abs=1e-4)
    assert r.p_two_sided / 2 == pytest.approx(0.0018, abs=5e-5)
    assert r.trend() == "increasing"


def test_mann_kendall_decreasing_constant_and_short():
    assert mann_kendall([9, 8, 7, 6, 5, 4, 3]).trend() == "decreasing"
    flat = mann_kendall([2, 2, 2, 2])
    assert (flat.s, flat.z, flat.p_two_sided) == (0, 0.0, 1.0)
    with pytest.raises(InvalidInputError):
        mann_kendall([1, 2])


@given(st.lists(st.integers(0, 5), min_size=3, max_size=30))
def test_mann_kendall_antisymmetric(x):
    forward, backward = mann_kendall(x), mann_kendall(x[::-1])
    assert forward.s == -backward.s
    assert forward.p_two_sided == pytest.approx(backward.p_two_sided)
    assert 0 <= forward.p_two_sided <= 1


def test_peak_window_wraps_midnight():
    counts = np.zeros(24)
    counts[[21, 22, 23, 0]] = [5, 6, 4, 5]
    counts[12] = 5
    w = peak_window(counts, share=0.6)
    # 21-00 and 22-01 both hold 15 of 25: equal counts, so the earlier start wins
    assert (w.start_hour, w.end_hour, w.hours, w.share) == (21, 0, 3, 0.6)
    w = peak_window(counts, share=0.75)
    assert (w.start_hour, w.end_hour, w.label) == (21, 1, "21:00–01:00")
    assert w.contains_hour(0) and w.contains_hour(21) and not w.contains_hour(1)


@given(st.lists(st.integers(0, 9), min_size=24, max_size=24).filter(any),
       st.floats(0.05, 1.0))
def test_peak_window_is_shortest(counts, share):
    counts = np.array(counts, dtype=float)
    w = peak_window(counts, share=share)
    total = counts.sum()
    assert w.count >= share * total - 1e-9
    shorter = w.hours - 1
    if shorter:  # no window one hour shorter holds enough
        best = max(np.roll(counts, -s)[:shorter].sum() for s in range(24))
        assert best < share * total - 1e-9 * total


def test_profile_uses_local_time():
    times = pd.to_datetime(["2024-03-04T14:30:00Z", "2024-03-10T16:05:00Z"])  # UTC
    p = hour_weekday_profile(times)
    assert p[0, 22] == 1  # Monday 22:30 in Shanghai
    assert p[0, 0] == 1  # Sunday 16:05 UTC is Monday 00:05 local
    assert p.sum() == 2


def test_weekly_counts_bins_by_local_monday():
    times = pd.Series(pd.to_datetime(["2024-03-04 00:10", "2024-03-10 23:50", "2024-03-11 00:00",
                                      "2024-03-25 12:00"]).tz_localize("Asia/Shanghai"))
    matrix, weeks = weekly_counts(np.array([0, 0, 1, -1]), times, 2)
    assert len(weeks) == 4
    np.testing.assert_array_equal(matrix, [[2, 0, 0, 0], [0, 1, 0, 0]])


def test_trend_rules():
    params = TrendParams(persistent_share=0.8)
    hot = np.array([
        [False] * 10,                      # none
        [False] * 9 + [True],              # new
        [True] * 10,                       # persistent (no trend)
        [True] * 10,                       # intensifying
        [True] * 10,                       # diminishing
        [True, False] * 5,                 # sporadic
    ])
    s = np.array([0, 5, 3, 30, -30, 1])
    p = np.array([1, 0.5, 0.6, 0.001, 0.001, 0.9])
    assert list(_trend_classes(hot, s, p, params)) == [
        "none", "new", "persistent", "intensifying", "diminishing", "sporadic"]


def test_classify_trends_finds_growing_cluster():
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 2000, (300, 2))
    centre = np.argmin(((xy - 1000) ** 2).sum(axis=1))
    near = np.nonzero(((xy - xy[centre]) ** 2).sum(axis=1) < 150**2)[0]
    weekly = rng.poisson(1.0, (300, 10)).astype(float)
    weekly[near] += np.arange(10) * 2 + 6  # hot every week and growing
    result = classify_trends(weekly, distance_band_weights(xy, 250))
    assert result.classes[centre] == "intensifying"
    assert (result.classes[near] != "none").all()


def _mann_kendall_by_pairs(x: np.ndarray) -> tuple[int, float, float]:
    """The textbook double sum and tie groups, one series at a time (the reference)."""
    n = len(x)
    s = sum(np.sign(x[j] - x[i]) for i in range(n) for j in range(i + 1, n))
    _, ties = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - (ties * (ties - 1) * (2 * ties + 5)).sum()) / 18
    z = (s - np.sign(s)) / np.sqrt(var) if var > 0 and s != 0 else 0.0
    return int(s), float(var), float(z)


@settings(deadline=None)
@given(st.integers(1, 6), st.integers(3, 25), st.integers(0, 2**31 - 1))
def test_mann_kendall_rows_equals_the_pairwise_definition(n, t, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, (n, t)).astype(float)  # small integers: many ties
    rows = mann_kendall_rows(x)
    for i in range(n):
        s, var, z = _mann_kendall_by_pairs(x[i])
        assert rows.s[i] == s and rows.variance[i] == pytest.approx(var)
        assert rows.z[i] == pytest.approx(z)
        assert mann_kendall(x[i]).p_two_sided == pytest.approx(rows.p_two_sided[i])
