"""Getis–Ord Gi* benchmark: gridplan.hotspots vs PySAL esda.G_Local, side by side in one run.

Run: ``.venv/bin/python -m benchmarks.hotspots [--sizes 1000 10000 100000] [--repeats 3]``

Instances: 100 m hexagons tiling a square (≈1k, 10k, 100k cells), counts = Poisson background
plus planted clusters (seeded). Weights: binary distance band 250 m (two rings, ≈18 neighbours)
built once by gridplan and handed to both sides (to esda as a libpysal ``W`` and as a
``libpysal.graph.Graph``), so only the statistic is timed. esda runs with ``permutations=0``, which
skips its conditional-randomisation step entirely: only the analytic part is compared. esda's
time includes its own self-weight / transform handling, as ours includes ours. Reported: best of
``--repeats`` wall times, ratio esda ÷ ours (higher = we are faster), max |z_ours − z_esda|, and
peak traced memory (tracemalloc, separate run). Also re-checks the 6-point reference from
``../shared/bench/hotspot_esda`` when that folder is present.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from gridplan.hotspots.cells import CellParams, make_cells
from gridplan.hotspots.gistar import getis_ord
from gridplan.hotspots.weights import distance_band_weights

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "hotspot_esda"
HEX_AREA_M2 = 100.0**2 * np.sqrt(3) / 2


def instance(n_cells: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    side = float(np.sqrt(n_cells * HEX_AREA_M2))
    cells = make_cells(shapely.box(0, 0, side, side), CellParams(), crs=32651)
    xy = cells[["x", "y"]].to_numpy()
    rng = np.random.default_rng(seed)
    rate = np.full(len(xy), 1.5)
    for centre in rng.uniform(0, side, (max(1, len(xy) // 2000), 2)):
        rate += 8 * np.exp(-((xy - centre) ** 2).sum(axis=1) / (2 * 150.0**2))
    return xy, rng.poisson(rate).astype(float)


def best_time(fn, repeats: int, setup=lambda: None) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        arg = setup()
        start = time.perf_counter()
        out = fn(arg)
        best = min(best, time.perf_counter() - start)
    return best, out


def peak_mb(fn, arg) -> float:
    tracemalloc.start()
    fn(arg)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run(sizes: list[int], repeats: int) -> pd.DataFrame:
    import esda
    import libpysal
    from libpysal.graph import Graph

    rows = []
    for n_target in sizes:
        xy, y = instance(n_target, seed=n_target)
        t0 = time.perf_counter()
        w = distance_band_weights(xy, 250.0)
        build_s = time.perf_counter() - t0
        for transform in ("B", "R"):
            ours = lambda _, tr=transform: getis_ord(y, w, star=True, transform=tr)  # noqa: E731
            t_ours, r = best_time(ours, repeats)
            peers = {
                "esda W": lambda: libpysal.weights.WSP(w).to_W(silence_warnings=True),
                "esda Graph": lambda: Graph.from_sparse(w),
            }
            for peer, make in peers.items():
                if peer == "esda W" and len(y) > 20_000 and transform == "R":
                    continue  # same code path as 'B' apart from the transform; saves minutes
                def theirs(weights, tr=transform):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return esda.G_Local(y, weights, transform=tr, star=True, permutations=0)
                t_peer, g = best_time(theirs, 1 if len(y) > 20_000 else repeats, setup=make)
                rows.append({
                    "cells": len(y), "weights": int(w.nnz), "transform": transform, "peer": peer,
                    "ours_s": t_ours, "peer_s": t_peer, "speed-up": t_peer / t_ours,
                    "max|dz|": float(np.nanmax(np.abs(r.z - g.Zs))),
                    "ours_MB": peak_mb(ours, None), "peer_MB": peak_mb(theirs, make()),
                    "w_build_s": build_s,
                })
    return pd.DataFrame(rows)


def reference_check() -> str:
    csv = SHARED / "getisord_6pt_expected.csv"
    if not csv.exists():
        return f"6-point reference: {SHARED} is absent, skipped"
    ref = pd.read_csv(csv)
    w = distance_band_weights(ref[["x", "y"]].to_numpy(), 15)
    cols = {(False, "B"): "Gi_Zs_binary", (True, "B"): "Gi_star_Zs_binary",
            (False, "R"): "Gi_Zs_row_std", (True, "R"): "Gi_star_Zs_row_std"}
    worst = max(float(np.abs(getis_ord(ref["value"].to_numpy(), w, star=s, transform=t).z - ref[c]).max())
                for (s, t), c in cols.items())
    return f"6-point reference ({csv}): max |dz| over Gi/Gi* x B/R = {worst:.1e} (printed to 8 decimals)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(reference_check())
    table = run(args.sizes, args.repeats)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
