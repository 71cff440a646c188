"""CARP (gdb) and min–max k-postman (gdb/val/egl) benchmark.

    .venv/bin/python -m benchmarks.carp [--carp-time 30] [--minmax-time 3] [--seed 1]
                                         [--sets gdb] [--minmax-instances gdb1,gdb8,...]

Part 1, capacitated: every gdb instance solved with ``solve_carp`` under ``--carp-time`` seconds
(stopping early when the solution meets our lower bound), next to the literature's best-known
upper bound and lower bound from ``best_known.csv`` (gap = ours / best-known − 1).

Part 2, min–max: k = 2…10 on a representative subset; the peer is the classical route-first
cluster-second heuristic (Frederickson's k-split of one good single-vehicle tour, no improvement)
run in the same process, and the gap is measured against our lower bound
max(one-vehicle bound / k, farthest task round trip). No published min–max values exist for these
sets (see ../shared/bench/arc_routing/SOURCE.md).

Reads ``../shared/bench/arc_routing`` (relative to the repository root); says so and stops if it
is absent. Peak memory is the process's peak resident set size (tracemalloc would slow the pure
Python search several-fold).
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

from geodata.carp import load_instance
from gridplan.routing.arcroute_solver import SearchParams, solve_carp, solve_minmax
from gridplan.routing.arcroute_split import split_minmax

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "arc_routing" / "carp"
DEFAULT_MINMAX = "gdb1,gdb8,gdb23,val1A,val5A,val10A,egl-e1-A,egl-s1-A"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def instance_path(name: str) -> Path:
    if name.startswith("gdb"):
        return BENCH / "gdb" / f"{name}.dat"
    if name.startswith("egl"):
        return BENCH / "egl" / f"{name}.dat"
    if name.startswith("val"):
        return BENCH / "val" / f"{name[3:]}.dat"
    return BENCH / "kshs" / f"{name}.dat"


def carp_table(set_name: str, time_limit_s: float, seed: int) -> list[float]:
    rows = list(csv.DictReader((BENCH / set_name / "best_known.csv").open()))
    print(
        f"\n## CARP, {set_name}: {len(rows)} instances, "
        f"time limit {time_limit_s:g} s each, seed {seed}\n"
    )
    print(
        "| instance | V | R | ours | our LB | lit. LB | best-known UB | ours/UB | gap % "
        "| s to best | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    gaps = []
    for row in rows:
        name = row["instance"]
        instance = load_instance(BENCH / set_name / f"{name}.dat")
        result = solve_carp(instance, SearchParams(seed=seed, time_limit_s=time_limit_s))
        assert result.is_valid(), name
        ub = float(row["best_known_ub"])
        gap = 100.0 * (result.total_cost - ub) / ub
        gaps.append(gap)
        print(
            f"| {name} | {instance.n_vertices} | {instance.n_tasks} | {result.total_cost:g} | "
            f"{result.lower_bound:g} | {row['lower_bound'] or '—'} | {ub:g} | "
            f"{result.total_cost / ub:.4f} | {gap:.2f} | {result.best_found_s:.1f} | "
            f"{result.runtime_s:.1f} |",
            flush=True,
        )
    print(
        f"\nmean gap to best-known UB: {sum(gaps) / len(gaps):.3f} %  (max {max(gaps):.2f} %), "
        f"{sum(g <= 1e-9 for g in gaps)}/{len(gaps)} at best-known; peak RSS {peak_rss_mb():.0f} MB"
    )
    return gaps


def minmax_table(names: list[str], time_limit_s: float, seed: int) -> None:
    print(
        f"\n## Min–max k-postman, k = 2…10, time limit {time_limit_s:g} s per (instance, k), "
        f"seed {seed}\n"
    )
    print("| instance | k | longest route | LB | gap % | RFCS peer | ours/peer | s |")
    print("|---|---|---|---|---|---|---|---|")
    gaps, ratios = [], []
    for name in names:
        instance = load_instance(instance_path(name), capacity=None)
        single = solve_minmax(instance, 1, SearchParams(seed=seed, time_limit_s=time_limit_s))
        giant = [a >> 1 for route in single.routes for a in route]
        for k in range(2, 11):
            result = solve_minmax(instance, k, SearchParams(seed=seed, time_limit_s=time_limit_s))
            assert result.is_valid(), (name, k)
            peer = max(_cost(instance, r) for r in split_minmax(instance, giant, k))
            gaps.append(100 * result.gap)
            ratios.append(result.longest_route / peer)
            print(
                f"| {name} | {k} | {result.longest_route:g} | {result.lower_bound:.1f} | "
                f"{100 * result.gap:.2f} | {peer:g} | {result.longest_route / peer:.3f} | "
                f"{result.runtime_s:.1f} |",
                flush=True,
            )
    print(
        f"\nmean gap to LB {sum(gaps) / len(gaps):.2f} %, "
        f"mean ours/peer {sum(ratios) / len(ratios):.3f}; "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )


def _cost(instance, route: list[int]) -> float:
    start, end, cost = instance.arcs()
    loc, total = instance.depot, 0.0
    for a in route:
        total += instance.distance[loc, start[a]] + cost[a]
        loc = end[a]
    return float(total + instance.distance[loc, instance.depot]) if route else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carp-time", type=float, default=30.0)
    parser.add_argument("--minmax-time", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sets", default="gdb", help="comma-separated CARP sets for part 1")
    parser.add_argument("--minmax-instances", default=DEFAULT_MINMAX)
    parser.add_argument("--skip-carp", action="store_true")
    parser.add_argument("--skip-minmax", action="store_true")
    args = parser.parse_args(argv)
    if not BENCH.is_dir():
        print(f"benchmark data absent: {BENCH} not found (needs ../shared next to the repo)")
        return 1
    began = time.perf_counter()
    if not args.skip_carp:
        for set_name in args.sets.split(","):
            carp_table(set_name, args.carp_time, args.seed)
    if not args.skip_minmax:
        minmax_table(args.minmax_instances.split(","), args.minmax_time, args.seed)
    print(f"\ntotal wall time {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
