"""Hotspot trends at realistic volumes: complete weeks, zone Gi*, Mann–Kendall over the group."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from gridplan.hotspots import analyse_hotspots
from gridplan.hotspots.gistar import getis_ord
from gridplan.hotspots.temporal import (
    TrendParams,
    cluster_trend,
    cluster_trends,
    complete_week_counts,
    zone_gi_star,
)

from .conftest import UTM51N

TZ = "Asia/Shanghai"


def test_complete_weeks_count_back_from_the_last_day_and_drop_a_partial_start():
    # 2026-09-01 is a Tuesday: Monday-based weeks would cut both ends of this 12-week span
    times = pd.Series(
        pd.to_datetime(
            ["2026-09-01 00:10", "2026-09-07 23:00", "2026-09-08 01:00", "2026-11-23 22:00"]
        ).tz_localize(TZ)
    )
    matrix, starts, dropped = complete_week_counts(np.array([0, 0, 1, 1]), times, 2)
    assert matrix.shape == (2, 12) and dropped == 0
    np.testing.assert_array_equal(matrix[:, 0], [2, 0])
    np.testing.assert_array_equal(matrix[:, 1], [0, 1])
    assert matrix[1, -1] == 1 and str(starts[0].date()) == "2026-09-01"
    # start three days later: the first week is partial and its incidents are left out
    later = pd.Series(
        pd.to_datetime(["2026-09-04 10:00", "2026-09-08 01:00", "2026-11-23 22:00"]).tz_localize(TZ)
    )
    matrix, starts, dropped = complete_week_counts(np.array([0, 1, 1]), later, 2)
    assert matrix.shape == (2, 11) and dropped == 1
    assert str(starts[0].date()) == "2026-09-08" and matrix.sum() == 2


def test_zone_gi_star_equals_getis_ord_for_a_unit_whose_neighbours_are_the_zone():
    rng = np.random.default_rng(3)
    weekly = rng.poisson(2.0, (40, 6)).astype(float)
    members = np.array([0, 4, 9, 17])
    rows = [0, 0, 0]  # unit 0 linked to the other members (Gi* adds the self-weight)
    cols = [4, 9, 17]
    from scipy import sparse

    w = sparse.csr_matrix((np.ones(3), (rows, cols)), shape=(40, 40))
    w = w + w.T
    z, p = zone_gi_star(weekly, members)
    expected = getis_ord(weekly, w, star=True, transform="B").z[0]
    np.testing.assert_allclose(z, expected, rtol=1e-12)
    assert ((p > 0) & (p <= 1)).all()


def _weekly(
    seed: int,
    *,
    weeks: int = 12,
    growth: float = 0.0,
    base: float = 1.2,
    cluster_units: int = 10,
    n_units: int = 500,
) -> np.ndarray:
    """~200 incidents a week over 500 units (0.3-0.4 per unit-week), a 10-unit cluster."""
    rng = np.random.default_rng(seed)
    weekly = rng.poisson(0.35, (n_units, weeks)).astype(float)
    rate = np.clip(base + growth * np.arange(weeks), 0, None)
    weekly[:cluster_units] += rng.poisson(np.tile(rate, (cluster_units, 1)))
    return weekly


@pytest.mark.parametrize("seed", range(4))
def test_realistic_volumes_are_not_all_sporadic(seed):
    cluster = np.arange(10)
    rising = cluster_trend(_weekly(seed, growth=0.15, base=0.3), cluster)
    steady = cluster_trend(_weekly(seed + 10), cluster)
    falling = cluster_trend(_weekly(seed + 20, growth=-0.16, base=2.0), cluster)
    assert rising.trend == "intensifying", rising.as_dict()
    assert steady.trend == "persistent", steady.as_dict()
    assert falling.trend == "diminishing", falling.as_dict()
    background = cluster_trend(_weekly(seed + 30, base=0.0), np.arange(200, 210))
    assert background.trend in ("none", "sporadic")


def test_trend_tests_of_several_hotspots_are_one_family():
    """A drift with p ≈ 0.036 is a trend on its own, but not among six hotspots (BH)."""
    weekly = _weekly(5, base=0.0)
    drifting = np.array([10, 12, 9, 11, 13, 10, 12, 14, 11, 13, 14, 13.0])  # Mann–Kendall p ≈ 0.036
    weekly[:10] = 0
    weekly[:10] += drifting / 10  # the group holds these counts, spread over its units
    groups = [np.arange(10), *(np.arange(100 + 10 * k, 110 + 10 * k) for k in range(5))]
    alone = cluster_trend(weekly, groups[0])
    together = cluster_trends(weekly, groups)
    assert 0.0083 < alone.mann_kendall.p_two_sided < 0.05
    assert alone.trend == "intensifying"
    assert together[0].trend == "persistent"
    unadjusted = cluster_trends(weekly, groups, params=TrendParams(trend_fdr=False))
    assert unadjusted[0].trend == "intensifying"


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 20.0))
def test_zone_trend_is_scale_free_and_label_free(seed, factor):
    """Multiplying every count, or renumbering the units, changes no class and no z."""
    weekly = _weekly(seed, growth=0.05)
    base = cluster_trend(weekly, np.arange(10), params=TrendParams(measure="gi"))
    scaled = cluster_trend(weekly * factor, np.arange(10), params=TrendParams(measure="gi"))
    order = np.random.default_rng(seed).permutation(len(weekly))
    moved = cluster_trend(weekly[order], np.argsort(order)[:10], params=TrendParams(measure="gi"))
    np.testing.assert_allclose(scaled.z, base.z, rtol=1e-9)
    np.testing.assert_allclose(moved.z, base.z, rtol=1e-9)
    assert base.trend == scaled.trend == moved.trend


def test_bad_trend_input_is_explained():
    with pytest.raises(InvalidInputError):
        cluster_trend(np.ones((5, 2)), [0])
    with pytest.raises(InvalidInputError):
        TrendParams(measure="share")


def test_analysis_finds_the_rising_cluster_where_per_unit_weekly_gi_cannot():
    """~180 incidents a week over two 2 km districts; one corner grows from 0 to 11 a week."""
    rng = np.random.default_rng(11)
    weeks, start = 12, pd.Timestamp("2026-03-02", tz=TZ)
    background = rng.uniform([0, 0], [4000, 2000], (weeks * 150, 2))
    bg_days = rng.integers(0, 7 * weeks, len(background))
    steady = rng.normal((3000, 500), 50, (weeks * 15, 2))
    steady_days = rng.integers(0, 7 * weeks, len(steady))
    rising_days = np.concatenate([rng.integers(7 * w, 7 * w + 7, w) for w in range(weeks)])
    rising = rng.normal((1000, 1500), 50, (len(rising_days), 2))
    xy = np.vstack([background, steady, rising])
    days = np.concatenate([bg_days, steady_days, rising_days])
    times = (
        start
        + pd.to_timedelta(days, unit="D")
        + pd.to_timedelta(rng.integers(0, 24, len(xy)), unit="h")
    )
    incidents = gpd.GeoDataFrame({"time": times}, geometry=shapely.points(xy), crs=UTM51N)
    districts = gpd.GeoDataFrame(
        {"code": ["A", "B"]},
        geometry=[shapely.box(0, 0, 2000, 2000), shapely.box(2000, 0, 4000, 2000)],
        crs=UTM51N,
    )
    result = analyse_hotspots(incidents, districts)
    assert result.ok and result.is_valid()
    by_place = {
        ("A" if h.geometry.centroid.x < 2000 else "B"): h
        for h in result.hotspots
        if h.incident_count > 40
    }
    assert by_place["A"].trend == "intensifying", by_place["A"].trend_detail.as_dict()
    assert by_place["B"].trend == "persistent", by_place["B"].trend_detail.as_dict()
    assert len(by_place["A"].trend_detail.counts) == weeks
