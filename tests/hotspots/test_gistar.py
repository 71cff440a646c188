import warnings

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from gridplan.errors import InvalidInputError
from gridplan.hotspots.gistar import getis_ord
from gridplan.hotspots.weights import distance_band_weights, knn_weights

COLUMNS = {(False, "B"): "Gi_Zs_binary", (True, "B"): "Gi_star_Zs_binary",
           (False, "R"): "Gi_Zs_row_std", (True, "R"): "Gi_star_Zs_row_std"}


@pytest.fixture(scope="module")
def six_points(data_dir):
    return pd.read_csv(data_dir / "getisord_6pt_expected.csv")


def esda_z(y, neighbours_w, *, star, transform):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda warns that Gi* with 'R' uses the row max as self-weight
        g = esda.G_Local(y, neighbours_w, transform=transform, star=star, permutations=0)
    return g.Zs, g.Gs


@pytest.mark.parametrize(("star", "transform"), list(COLUMNS))
def test_six_point_reference_vectors(six_points, star, transform):
    w = distance_band_weights(six_points[["x", "y"]].to_numpy(), 15)
    z = getis_ord(six_points["value"].to_numpy(), w, star=star, transform=transform).z
    # the reference is printed to 8 decimals, so rounding alone leaves up to 5e-9
    np.testing.assert_allclose(z, six_points[COLUMNS[star, transform]], rtol=0, atol=5.000001e-9)


@pytest.mark.parametrize(("star", "transform"), list(COLUMNS))
def test_six_point_equals_live_esda(six_points, star, transform):
    xy = six_points[["x", "y"]].to_numpy(dtype=float)
    y = six_points["value"].to_numpy(dtype=float)
    expected, _ = esda_z(y, libpysal.weights.DistanceBand(xy, threshold=15), star=star, transform=transform)
    ours = getis_ord(y, distance_band_weights(xy, 15), star=star, transform=transform).z
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)


def _libpysal_weights(kind, xy, parameter):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands
        if kind == "band":
            return libpysal.weights.DistanceBand(xy, threshold=parameter, binary=True, silence_warnings=True)
        return libpysal.weights.KNN(xy, k=parameter)


@pytest.mark.parametrize("kind", ["band", "knn"])
@pytest.mark.parametrize(("star", "transform"), list(COLUMNS))
@pytest.mark.parametrize("seed", range(5))
def test_equals_esda_on_random_data(kind, star, transform, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 200))
    xy = rng.uniform(0, 1000, (n, 2))
    y = rng.poisson(rng.uniform(0.5, 5), n).astype(float)
    y[0] += 1  # never all zero
    parameter = float(rng.uniform(80, 250)) if kind == "band" else int(rng.integers(1, 9))
    ours_w = distance_band_weights(xy, parameter) if kind == "band" else knn_weights(xy, parameter)
    expected_z, expected_g = esda_z(y, _libpysal_weights(kind, xy, parameter), star=star,
                                    transform=transform)
    result = getis_ord(y, ours_w, star=star, transform=transform)
    np.testing.assert_array_equal(np.isnan(result.z), np.isnan(expected_z))  # islands
    np.testing.assert_allclose(result.z, expected_z, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.g, expected_g, rtol=0, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(0, 50), min_size=8, max_size=40).filter(lambda v: len(set(v)) > 1),
       k=st.integers(1, 4), star=st.booleans(), transform=st.sampled_from(["B", "R"]))
def test_equals_esda_for_any_counts(values, k, star, transform):
    y = np.array(values, dtype=float)
    # random positions: no distance ties, so both k-d trees pick the same neighbours
    xy = np.random.default_rng(len(y)).uniform(0, 300, (len(y), 2))
    expected, _ = esda_z(y, libpysal.weights.KNN(xy, k=k), star=star, transform=transform)
    ours = getis_ord(y, knn_weights(xy, k), star=star, transform=transform).z
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)


def test_two_dimensional_y_is_column_by_column():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 500, (50, 2))
    y = rng.poisson(2, (50, 4)).astype(float)
    w = distance_band_weights(xy, 120)
    both = getis_ord(y, w).z
    for column in range(4):
        np.testing.assert_allclose(both[:, column], getis_ord(y[:, column], w).z, equal_nan=True)


def test_p_values_are_normal_tails():
    xy = np.array([[0, 0], [1, 0], [2, 0], [3, 0], [10, 0]], dtype=float)
    result = getis_ord(np.array([5.0, 4, 1, 0, 0]), distance_band_weights(xy, 1.5))
    np.testing.assert_allclose(result.p_two_sided, 2 * result.p_norm)
    assert (result.p_norm <= 0.5).all()


def test_bad_input_lists_every_problem():
    with pytest.raises(InvalidInputError) as info:
        getis_ord(np.array([1.0, -2.0, 3.0]), sparse.eye(4, format="csr"), transform="X")
    assert len(info.value.problems) == 3
