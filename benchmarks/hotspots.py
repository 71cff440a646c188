"""Hotspot benchmarks: the city-wide workflow before/after, and Gi* vs PySAL esda.G_Local.

Workflow (``--workflow``): ``gridplan hotspots`` city-wide on REAL San José illegal-dumping
reports (``tests/data/hotspots/san_jose_illegal_dumping.csv``, 2,000 points over seven years, no
street network: the study area is the points' convex hull grown by 500 m, 200 m hexagons ≈ 17k
cells), and on 20,000 points made from them (each real point resampled ten times with a seeded
50 m / ±3 day jitter — a scale fixture, not real reports). Each run is a fresh process of the CLI
of one tree: "before" is ``--before REV`` (default: main before the hotspot rework) exported with
``git archive``, "after" this tree; time is the command's wall time, memory its peak RSS
(``/usr/bin/time``). Run: ``.venv/bin/python -m benchmarks.hotspots --workflow [--points 2000
20000]``.

Gi* (default): ``.venv/bin/python -m benchmarks.hotspots [--sizes 1000 10000 100000]
[--repeats 3]``

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
import os
import sys
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


ROOT = Path(__file__).resolve().parents[1]
SAN_JOSE = ROOT / "tests" / "data" / "hotspots" / "san_jose_illegal_dumping.csv"
BEFORE = "49ad7c9"  # main before the hotspot rework (issue 10 / 11)
CLI_ARGS = ["--lon-col", "lon", "--lat-col", "lat", "--time-col", "received_utc_ms",
            "--category-col", "category", "--id-col", "id", "--tz", "America/Los_Angeles",
            "--cell-size-m", "200"]


def workflow_inputs(folder: Path, points: int) -> tuple[Path, Path, str]:
    """The study area and an incident file of ``points`` rows (see the module docstring)."""
    import geopandas as gpd

    real = pd.read_csv(SAN_JOSE)
    label = "2,000 real San José reports"
    if points != len(real):
        rng = np.random.default_rng(points)
        copies = real.iloc[rng.integers(0, len(real), points)].reset_index(drop=True)
        metres = rng.normal(0, 50, (points, 2))
        copies["lat"] += metres[:, 1] / 111_320
        copies["lon"] += metres[:, 0] / (111_320 * np.cos(np.radians(37.3)))
        copies["received_utc_ms"] += rng.integers(-3 * 86_400_000, 3 * 86_400_000, points)
        copies["id"] = np.arange(1, points + 1)
        real, label = copies, f"{points:,} points resampled from them (scale fixture)"
    incidents = folder / f"incidents_{points}.csv"
    real.to_csv(incidents, index=False)
    pts = gpd.GeoSeries(gpd.points_from_xy(real["lon"], real["lat"]), crs=4326)
    utm = pts.estimate_utm_crs()
    hull = gpd.GeoSeries([pts.to_crs(utm).union_all().convex_hull.buffer(500)], crs=utm)
    area = folder / "san_jose_study_area.geojson"
    gpd.GeoDataFrame({"code": ["SJ"], "name": ["San José (hull of the reports + 500 m)"]},
                     geometry=hull.to_crs(4326)).to_file(area, driver="GeoJSON")
    return area, incidents, label


def run_cli(tree: Path, args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and the result line of one ``gridplan hotspots`` run."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "api.cli", "hotspots", *args]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{tree}: {done.stderr[-2000:]}")
    seconds, kb = done.stderr.strip().splitlines()[-1].split()
    result = next((line.strip() for line in done.stdout.splitlines() if "result" in line), "")
    return float(seconds), int(kb) / 1024, result


def exported(revision: str, folder: Path) -> Path:
    """The tree of ``revision`` (``git archive``) under ``folder``."""
    import subprocess

    out = folder / revision.replace("/", "_")
    out.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def workflow(points: list[int], before: str, after: str | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = exported(before, folder)
        new = exported(after, folder) if after else ROOT
        print(f"before = {before}, after = {after or ROOT} (git archive of each revision)")
        print(f"{'instance':<58} {'tree':<7} {'seconds':>8} {'peak MB':>8}  result")
        for n in points:
            area, incidents, label = workflow_inputs(folder, n)
            args = ["--jurisdictions", str(area), "--incidents", str(incidents), *CLI_ARGS]
            runs = {}
            for name, tree in (("before", old), ("after", new)):
                runs[name] = run_cli(tree, args)
                sec, mb, result = runs[name]
                print(f"{label:<58} {name:<7} {sec:8.1f} {mb:8.0f}  {result}", flush=True)
            (b_s, b_mb, _), (a_s, a_mb, _) = runs["before"], runs["after"]
            print(f"{label:<58} ratio   ×{b_s / a_s:7.1f} ×{b_mb / a_mb:7.1f}  (before ÷ after)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workflow", action="store_true", help="city-wide workflow before/after")
    parser.add_argument("--points", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' code")
    parser.add_argument("--after", help="git revision of the 'after' code (default: this tree)")
    args = parser.parse_args()
    if args.workflow:
        workflow(args.points, args.before, args.after)
        return
    print(reference_check())
    table = run(args.sizes, args.repeats)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
