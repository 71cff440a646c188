"""Plan quality measures: workload balance and compactness.

* Balance: ``max_min_ratio`` = largest grid workload ÷ smallest (1 is perfect; ``inf`` when a grid
  has no workload) and ``max_dev_from_mean`` = largest |workload − mean| ÷ mean (a fraction).
* Compactness: Polsby–Popper = 4π·area ÷ perimeter² (1 for a disc, ≈0.785 for a square, → 0 for
  long thin shapes). Areas in m², perimeters in m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Balance:
    """Workload balance across grids (officer-hours per week or any non-negative load)."""

    n_grids: int
    mean: float
    min: float
    max: float
    max_min_ratio: float
    max_dev_from_mean: float  # fraction of the mean


def balance(workloads: np.ndarray) -> Balance:
    """Balance of per-grid workloads (non-negative)."""
    w = np.asarray(workloads, dtype=float)
    if w.size == 0:
        return Balance(0, 0.0, 0.0, 0.0, math.nan, math.nan)
    mean = float(w.mean())
    lo, hi = float(w.min()), float(w.max())
    ratio = hi / lo if lo > 0 else (1.0 if hi == 0 else math.inf)
    dev = float(np.abs(w - mean).max() / mean) if mean > 0 else 0.0
    return Balance(int(w.size), mean, lo, hi, ratio, dev)


def polsby_popper(area_m2: np.ndarray | float, perimeter_m: np.ndarray | float) -> np.ndarray:
    """4π·A/P², elementwise; 0 where the perimeter is 0."""
    a = np.asarray(area_m2, dtype=float)
    p = np.asarray(perimeter_m, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = np.where(p > 0, 4.0 * math.pi * a / np.square(p), 0.0)
    return pp
