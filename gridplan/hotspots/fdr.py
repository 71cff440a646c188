"""False-discovery-rate control and hot/cold classes (ArcGIS-style Gi_Bin, -3 … +3).

Benjamini–Hochberg as in esda.fdr: sort the m p-values, find the largest k with p_(k) < k α / m;
the cut-off is k α / m and a test is significant when p < cut-off. If no k qualifies the cut-off
falls back to the Bonferroni bound α / m (which then rejects nothing), exactly like esda.

Classes: +3/-3 = hot/cold at 99 % confidence, ±2 at 95 %, ±1 at 90 %, 0 = not significant, using
two-sided p-values. With ``fdr=True`` (default) each level is tested with its own BH cut-off
(α = 0.01, 0.05, 0.10) over all units, as ArcGIS Hot Spot Analysis does; NaN p-values count as
not significant and are left out of m.
"""

from __future__ import annotations

import numpy as np

from gridplan.errors import InvalidInputError, Problem

CONFIDENCE_LEVELS: tuple[tuple[int, float], ...] = ((3, 0.01), (2, 0.05), (1, 0.10))


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InvalidInputError("invalid significance level", [Problem(
            "alpha", "", "a number strictly between 0 and 1", repr(alpha), "use 0.05")])


def fdr_cutoff(p_values: np.ndarray, alpha: float = 0.05) -> float:
    """Benjamini–Hochberg p-value cut-off (same value as ``esda.fdr``). NaNs are ignored."""
    _check_alpha(alpha)
    p = np.asarray(p_values, dtype=float).ravel()
    p = p[~np.isnan(p)]
    m = len(p)
    if m == 0:
        return alpha
    thresholds = np.arange(1, m + 1) * alpha / m
    passing = np.nonzero(np.sort(p) < thresholds)[0]
    return float(thresholds[passing[-1]]) if len(passing) else alpha / m


def significant(p_values: np.ndarray, alpha: float = 0.05, *, fdr: bool = True) -> np.ndarray:
    """Boolean mask of significant tests at level ``alpha`` (BH-controlled when ``fdr``)."""
    _check_alpha(alpha)
    p = np.asarray(p_values, dtype=float)
    cutoff = fdr_cutoff(p, alpha) if fdr else alpha
    with np.errstate(invalid="ignore"):
        return (p < cutoff) & ~np.isnan(p)


def significant_columns(p_values: np.ndarray, alpha: float = 0.05, *,
                        fdr: bool = True) -> np.ndarray:
    """:func:`significant` of each column of an (n, T) array, every column its own family
    (e.g. units in each week) — all columns at once, one sort instead of T."""
    _check_alpha(alpha)
    p = np.asarray(p_values, dtype=float)
    if not fdr:
        with np.errstate(invalid="ignore"):
            return (p < alpha) & ~np.isnan(p)
    m = (~np.isnan(p)).sum(axis=0)
    ordered = np.sort(p, axis=0)  # NaNs last
    rank = np.arange(1, p.shape[0] + 1)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        thresholds = rank * alpha / m
        passing = ordered < thresholds
    last = np.where(passing.any(axis=0), p.shape[0] - 1 - np.argmax(passing[::-1], axis=0), -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cutoff = np.where(last >= 0, (last + 1) * alpha / m, alpha / m)
    cutoff = np.where(m == 0, alpha, cutoff)
    with np.errstate(invalid="ignore"):
        return (p < cutoff) & ~np.isnan(p)


def confidence_bins(z: np.ndarray, p_two_sided: np.ndarray, *, fdr: bool = True) -> np.ndarray:
    """Gi_Bin per unit: sign of z times the highest confidence level (1, 2, 3) reached, else 0."""
    z = np.asarray(z, dtype=float)
    level = np.zeros(z.shape, dtype=np.int8)
    for value, alpha in reversed(CONFIDENCE_LEVELS):  # 90 % first, then overwrite upwards
        level[significant(p_two_sided, alpha, fdr=fdr)] = value
    return (np.sign(np.nan_to_num(z)) * level).astype(np.int8)
