"""Spatial weights on cell or segment centroids (metric CRS, metres).

Both builders return a ``scipy.sparse.csr_matrix`` of shape (n, n) with a zero diagonal: the
neighbour structure only. Self-weights (Gi*) and row standardisation are applied later by
:func:`gridplan.hotspots.gistar.getis_ord`, so one matrix serves every statistic.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from gridplan.errors import InvalidInputError, Problem


def _as_coords(coords_m: np.ndarray) -> np.ndarray:
    coords = np.asarray(coords_m, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2 or not np.isfinite(coords).all():
        raise InvalidInputError("unusable coordinates for spatial weights", [Problem(
            "coords_m", "", "an (n, 2) array of finite x, y in metres",
            f"shape {coords.shape}", "pass centroid x/y of the cells in a metric CRS")])
    return coords


def distance_band_weights(coords_m: np.ndarray, threshold_m: float) -> sparse.csr_matrix:
    """Binary weights: w_ij = 1 when 0 < |p_i - p_j| <= ``threshold_m`` (like libpysal DistanceBand).

    Coordinates in metres; ``threshold_m`` in the same unit. Distinct points at distance zero are
    neighbours of each other; nobody is their own neighbour.
    """
    coords = _as_coords(coords_m)
    if not threshold_m > 0:
        raise InvalidInputError("invalid distance band", [Problem(
            "threshold_m", "", "a positive distance in metres", repr(threshold_m),
            "use e.g. 2.5 x the cell size")])
    n = len(coords)
    pairs = cKDTree(coords).query_pairs(threshold_m, output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))


def knn_weights(coords_m: np.ndarray, k: int) -> sparse.csr_matrix:
    """Binary k-nearest-neighbour weights (asymmetric in general, like libpysal KNN).

    Row i holds the ``k`` points nearest to i other than i itself (ties broken by the k-d tree).
    """
    coords = _as_coords(coords_m)
    n = len(coords)
    if not (isinstance(k, int | np.integer) and 1 <= k < n):
        raise InvalidInputError("invalid k for nearest-neighbour weights", [Problem(
            "k", "", f"an integer between 1 and n - 1 = {n - 1}", repr(k),
            "lower k or add cells")])
    _, idx = cKDTree(coords).query(coords, k=k + 1)
    own = np.arange(n)[:, None]
    is_self = idx == own
    # Normally the point itself comes first; with duplicate points it may not appear at all,
    # in which case the farthest of the k + 1 is dropped instead.
    drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k)
    keep = np.ones_like(idx, dtype=bool)
    keep[np.arange(n), drop] = False
    cols = idx[keep].reshape(n, k)
    rows = np.repeat(np.arange(n), k)
    return sparse.csr_matrix((np.ones(n * k), (rows, cols.ravel())), shape=(n, n))
