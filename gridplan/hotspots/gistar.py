"""Getis–Ord local statistics Gi and Gi* with analytic (normal) inference.

Conventions follow esda.G_Local (PySAL) so results agree to rounding error:

* Base weights: a sparse (n, n) matrix with zero diagonal (see :mod:`.weights`).
* ``star=True`` (Gi*) gives each unit a self-weight before transforming: 1 for ``transform="B"``,
  the row maximum of the base weights for ``transform="R"`` (esda's default; 1 for binary weights,
  0 for a unit with no neighbours).
* ``transform="B"`` sets every non-zero weight to 1; ``"R"`` divides each row by its sum.
* G_i = sum_j w_ij y_j / S_i where S_i = sum_k y_k (Gi*) or sum_k y_k - y_i (Gi). With N = n (Gi*)
  or n - 1 (Gi), the mean and population variance of y are taken over those N values,
  E[G_i] = W_i / N and Var[G_i] = W_i (N - W_i) / ((N - 1) N^2) * s^2 / ybar^2 with W_i the row sum.
* ``p_norm`` is esda's one-sided p = P(Z > |z|); ``p_two_sided`` = 2 p_norm is what the 90/95/99 %
  classes use (ArcGIS convention: |z| > 1.645 / 1.960 / 2.576).

Units with a zero row sum (islands) or a constant y give z = NaN: there is nothing to test.
``y`` may be 2-D (n, T): every column is tested with the same weights (weekly series).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse, special

from gridplan.errors import InvalidInputError, ProblemCollector

Transform = Literal["B", "R"]


@dataclass(frozen=True, slots=True)
class GetisOrdResult:
    """Gi or Gi* for n units (and T columns when y was 2-D)."""

    g: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    star: bool
    transform: Transform

    @property
    def p_norm(self) -> np.ndarray:
        """One-sided normal p-value of |z| (esda's ``p_norm``); NaN where z is NaN."""
        return special.ndtr(-np.abs(self.z))  # = norm.sf(|z|) without scipy.stats' overhead

    @property
    def p_two_sided(self) -> np.ndarray:
        return np.minimum(1.0, 2.0 * self.p_norm)


def _validated(y: np.ndarray, weights: sparse.spmatrix, transform: str) -> tuple[np.ndarray, sparse.csr_matrix]:
    issues = ProblemCollector("getis_ord")
    y = np.asarray(y, dtype=float)
    n = y.shape[0] if y.ndim else 0
    if y.ndim not in (1, 2) or n < 3:
        issues.add("y", expected="a 1-D or 2-D array with at least 3 units", found=f"shape {y.shape}",
                   fix="aggregate incidents to cells first")
    elif not np.isfinite(y).all() or (y < 0).any():
        issues.add("y", expected="finite, non-negative values (counts or weights)",
                   found="negative, NaN or infinite values", fix="clean the counts")
    if not sparse.issparse(weights) or weights.shape != (n, n):
        issues.add("weights", expected=f"a sparse ({n}, {n}) matrix",
                   found=f"{type(weights).__name__} {getattr(weights, 'shape', '')}",
                   fix="build weights with distance_band_weights or knn_weights on the same units")
    if transform not in ("B", "R"):
        issues.add("transform", expected="'B' (binary) or 'R' (row-standardised)",
                   found=repr(transform), fix="pick one of the two")
    issues.raise_if_any("cannot compute Getis-Ord statistics", error=InvalidInputError)
    return y, sparse.csr_matrix(weights, dtype=float)


def prepared_weights(weights: sparse.spmatrix, *, star: bool, transform: Transform) -> sparse.csr_matrix:
    """The weights esda would use: diagonal cleared or filled, then binarised or row-standardised.

    Works on the CSR arrays directly (masks and one sparse sum), linear in the number of weights.
    """
    w = sparse.csr_matrix(weights, dtype=float)
    n = w.shape[0]
    row_of = np.repeat(np.arange(n), np.diff(w.indptr))
    keep = (row_of != w.indices) & (w.data != 0)
    if not keep.all():
        w = sparse.csr_matrix((w.data[keep], (row_of[keep], w.indices[keep])), shape=(n, n))
    if star:
        if transform == "B":
            self_weight = np.ones(n)
        else:  # esda: the row maximum of the given weights (0 for a unit without neighbours)
            self_weight = w.max(axis=1).toarray().ravel()
        w = (w + sparse.diags(self_weight, format="csr")).tocsr()
        w.eliminate_zeros()
    w = w.copy()
    if transform == "B":
        w.data[:] = 1.0
    else:
        counts = np.diff(w.indptr)
        row_sums = np.bincount(np.repeat(np.arange(n), counts), weights=w.data, minlength=n)
        w.data /= np.repeat(row_sums, counts)
    return w


def getis_ord(
    y: np.ndarray, weights: sparse.spmatrix, *, star: bool = True, transform: Transform = "B"
) -> GetisOrdResult:
    """Local Getis–Ord Gi (``star=False``) or Gi* (``star=True``) of ``y`` under ``weights``.

    ``y``: counts or weighted counts per unit, shape (n,) or (n, T). ``weights``: sparse (n, n)
    neighbour matrix, zero diagonal. Sparse and vectorised: O(nnz + n T).
    """
    y, base = _validated(y, weights, transform)
    w = prepared_weights(base, star=star, transform=transform)
    remove_self = 0.0 if star else 1.0
    n = y.shape[0]
    big_n = n - remove_self
    cardinality = np.asarray(w.sum(axis=1)).ravel()
    if y.ndim == 2:
        cardinality = cardinality[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        totals = y.sum(axis=0) - y * remove_self
        g = (w @ y) / totals
        mean = totals / big_n
        mean_of_squares = ((y**2).sum(axis=0) - y**2 * remove_self) / big_n
        variance_y = mean_of_squares - mean**2
        expected = cardinality / big_n
        variance = cardinality * (big_n - cardinality) / (big_n - 1) / big_n**2
        variance = variance * variance_y / mean**2
        z = (g - expected) / np.sqrt(variance)
    z = np.where(np.isfinite(z), z, np.nan)
    return GetisOrdResult(g=g, expected=np.broadcast_to(expected, g.shape).copy(),
                          variance=variance, z=z, star=star, transform=transform)
