"""CARP (gdb, val, egl) and min–max k-postman (gdb/val/egl, MM k-WRPP) benchmark, side by side
with the previous version of the engine.

    .venv/bin/python -m benchmarks.carp [--sets gdb,val,egl] [--instances gdb1,egl-e1-A]
        [--iterations 20000] [--time 60] [--seed 1] [--previous DIR]
        [--minmax gdb1,val1A] [--kmax 10] [--wrpp P0115,P202100] [--minmax-iterations 5000]
        [--skip-carp] [--bounds]

Part 1, CARP: every instance of the sets under our iteration budget (``--iterations``; ``--time``
is only a safety cap, in CPU seconds of the solving process, so that "60 s" means 60 s of one core
even on a shared machine), next to the best-known value of the literature
(``../shared/bench/arc_routing/carp/<set>/best_known_literature.csv``: Martinelli's CARPData.jl
table, see that folder's SOURCE.md). Gap = ours / best known − 1. "s to best" is when the returned
plan was found, "CPU s" the process CPU time of the solve (the machine is shared: wall time is
noisy), "cand/s" candidate solutions (children, each split and improved by local search) per
second of CPU, "stop" why the search ended (budget, cap, proven).

With ``--previous DIR`` (a checkout of the version before the compiled engine, e.g.
``git worktree add /tmp/gridplan-prev 49ad7c9``) each instance is also solved by that version in a
subprocess with ``time_limit_s = --previous-time`` (its only stopping rule that binds; its clock is
made to count the subprocess's CPU seconds too), and its answer and candidate rate are shown with
the ratios; ``--previous-instances`` limits that to a subset when the whole set does not fit.

Part 2, min–max: k = 2…``--kmax`` on ``--minmax`` instances and k = 2…5 on the windy MM k-WRPP
``--wrpp`` files (direction-dependent costs), longest route, our lower bound, the proven gap, and
the previous version's longest route and bound under the same time.

``--bounds`` prints only the CARP lower bounds: the matching bound of the previous version and
Belenguer–Benavent's cutting-plane LP (:mod:`gridplan.routing.arcroute_lp`), with the share of the
matching bound's gap the LP closes and its CPU time (asserting every bound ≤ the best known).

Reads ``../shared/bench/arc_routing`` (relative to the repository root; ``$GRIDPLAN_SHARED``
overrides ``../shared``); says so and stops if it is absent. JIT compilation happens once,
before the first row, and is reported apart.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from geodata.carp import load_instance
from gridplan.routing.arcroute_bounds import matching_lower_bound, min_routes
from gridplan.routing.arcroute_lp import carp_lp_bound
from gridplan.routing.arcroute_solver import SearchParams, solve_carp, solve_minmax

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("GRIDPLAN_SHARED", ROOT.parent / "shared")) / "bench" / "arc_routing"
CARP = BENCH / "carp"
WRPP = BENCH / "mm_kwrpp"
DEFAULT_MINMAX = "gdb1,gdb8,gdb23,val1A,val5A,val10A,egl-e1-A,egl-s1-A"
DEFAULT_WRPP = "P0115,P0218,P102100,P202100"

_PREVIOUS = """
import json, sys, time
time.perf_counter = time.process_time  # its time limit, read through perf_counter, counts CPU s
from geodata.carp import load_instance
from gridplan.routing.arcroute_solver import SearchParams, solve_carp, solve_minmax
path, ks, seconds, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
for k in map(int, ks.split(",")):
    instance = load_instance(path, capacity="file" if k == 0 else None)
    params = SearchParams(seed=seed, time_limit_s=seconds, max_iterations=10**9)
    cpu = time.process_time()
    result = solve_carp(instance, params) if k == 0 else solve_minmax(instance, k, params)
    print(json.dumps({"objective": result.objective, "lower_bound": result.lower_bound,
                      "iterations": result.iterations, "cpu_s": time.process_time() - cpu,
                      "valid": result.is_valid()}))
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def instance_path(name: str) -> Path:
    if name.startswith("gdb"):
        return CARP / "gdb" / f"{name}.dat"
    if name.startswith("egl"):
        return CARP / "egl" / f"{name}.dat"
    if name.startswith("val"):
        return CARP / "val" / f"{name[3:]}.dat"
    if name.startswith("P"):
        return WRPP / name
    return CARP / "kshs" / f"{name}.dat"


def previous(prev: Path | None, path: Path, ks: list[int], seconds: float, seed: int
             ) -> list[dict | None]:
    """The previous engine on one instance for each k (0: CARP), in one process of its own."""
    if prev is None:
        return [None] * len(ks)
    env = {**os.environ, "PYTHONPATH": str(prev)}
    run = subprocess.run([sys.executable, "-c", _PREVIOUS, str(path), ",".join(map(str, ks)),
                          str(seconds), str(seed)], capture_output=True, text=True, env=env,
                         cwd=prev, timeout=(seconds * 20 + 300) * len(ks), check=False)
    if run.returncode != 0:
        print(f"  previous version failed on {path.name}: {run.stderr.strip()[-300:]}")
        return [None] * len(ks)
    return [json.loads(line) for line in run.stdout.strip().splitlines()[-len(ks):]]


def warm_up() -> float:
    """Compile (or load from the cache) the kernels once; seconds spent."""
    began = time.perf_counter()
    solve_carp(load_instance(ROOT / "tests" / "data" / "carp" / "gdb19.dat"),
               SearchParams(seed=0, max_iterations=2))
    return time.perf_counter() - began


def cpu_cap(seconds: float):
    """A cancel hook for the solver: true once this process has used ``seconds`` of CPU."""
    began = time.process_time()
    return lambda: time.process_time() - began >= seconds


def _rate(iterations: int, cpu: float) -> float:
    return iterations / cpu if cpu > 0 else float("nan")


def print_head(columns: list[str]) -> None:
    """A Markdown table's header row and its rule, one cell per column."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))


def carp_table(set_name: str, names: set[str] | None, args: argparse.Namespace) -> None:
    rows = list(csv.DictReader((CARP / set_name / "best_known_literature.csv").open()))
    rows = [r for r in rows if names is None or _full_name(set_name, r["instance"]) in names]
    if not rows:
        return
    print(f"\n### CARP, {set_name}: {len(rows)} instances, budget {args.iterations} children "
          f"(cap {args.time:g} CPU s), seed {args.seed}\n")
    print_head(["instance", "R", "best known", "ours", "gap %", "our LB", "s to best", "CPU s",
                "stop", "cand/s"]
               + (["prev", "prev gap %", "prev cand/s", "cand/s ratio"] if args.previous else []))
    gaps, prev_gaps, ratios, optimal = [], [], [], 0
    for row in rows:
        name = _full_name(set_name, row["instance"])
        path = instance_path(name)
        instance = load_instance(path)
        cpu = time.process_time()
        result = solve_carp(instance, SearchParams(seed=args.seed, max_iterations=args.iterations),
                            should_cancel=cpu_cap(args.time))
        cpu = time.process_time() - cpu
        assert result.is_valid(), name
        best = float(row["best_known"])
        gap = 100.0 * (result.total_cost - best) / best
        gaps.append(gap)
        optimal += result.total_cost <= best + 1e-9
        rate = _rate(result.iterations, cpu)
        line = (f"| {name} | {instance.n_tasks} | {best:g} | {result.total_cost:g} | {gap:.2f} | "
                f"{result.lower_bound:g} | {result.best_found_s:.1f} | {cpu:.1f} | "
                f"{_stop_word(result.stop_reason)} | {rate:.0f} |")
        old = None
        if args.previous_instances is None or name in args.previous_instances:
            old = previous(args.previous, path, [0], args.previous_time, args.seed)[0]
        if old is not None:
            old_gap = 100.0 * (old["objective"] - best) / best
            old_rate = _rate(old["iterations"], old["cpu_s"])
            prev_gaps.append(old_gap)
            ratios.append(rate / old_rate if old_rate > 0 else float("nan"))
            line += f" {old['objective']:g} | {old_gap:.2f} | {old_rate:.1f} | {ratios[-1]:.0f}x |"
        print(line, flush=True)
    summary = (f"\n{set_name}: mean gap to best known {sum(gaps) / len(gaps):.3f} % "
               f"(max {max(gaps):.2f} %), {optimal}/{len(gaps)} at best known")
    if prev_gaps:
        summary += (f"; previous version {sum(prev_gaps) / len(prev_gaps):.3f} % "
                    f"(max {max(prev_gaps):.2f} %); candidate rate x{_median(ratios):.0f} (median)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(summary + f"; peak RSS {peak_rss_mb():.0f} MB; load average {load}")


def _stop_word(reason: str) -> str:
    return {"iterations": "budget", "cancelled": "cap"}.get(reason, reason)


def bound_table(set_name: str, names: set[str] | None) -> None:
    """Lower bounds only: the matching bound (previous) and the cutting-plane LP, vs best known."""
    rows = list(csv.DictReader((CARP / set_name / "best_known_literature.csv").open()))
    rows = [r for r in rows if names is None or _full_name(set_name, r["instance"]) in names]
    print(f"\n### CARP lower bounds, {set_name}: {len(rows)} instances\n")
    print_head(["instance", "best known", "matching LB", "LP LB", "LP gap %", "closed %",
                "rounds", "cuts", "LP CPU s"])
    gaps, old_gaps, cpu_total = [], [], 0.0
    for row in rows:
        name = _full_name(set_name, row["instance"])
        instance = load_instance(instance_path(name))
        old = matching_lower_bound(instance, min_routes=min_routes(instance))
        cpu = time.process_time()
        lp = carp_lp_bound(instance)
        cpu = time.process_time() - cpu
        cpu_total += cpu
        best = float(row["best_known"])
        assert lp.value <= best + 1e-9, (name, lp.value, best)  # a bound above an answer is a bug
        gaps.append(100 * (best - lp.value) / best)
        old_gaps.append(100 * (best - old) / best)
        closed = f"{100 * (lp.value - old) / (best - old):.0f}" if best > old else "—"
        print(f"| {name} | {best:g} | {old:g} | {lp.value:g} | {gaps[-1]:.2f} | {closed} | "
              f"{lp.rounds} | {lp.cuts} | {cpu:.2f} |", flush=True)
    print(f"\n{set_name}: mean gap of the LP bound to best known {sum(gaps) / len(gaps):.2f} % "
          f"(max {max(gaps):.2f} %; matching bound {sum(old_gaps) / len(old_gaps):.2f} %, max "
          f"{max(old_gaps):.2f} %); LP at best known on {sum(g == 0 for g in gaps)}/{len(gaps)}; "
          f"LP CPU {cpu_total:.1f} s in all")


def _full_name(set_name: str, short: str) -> str:
    return f"val{short}" if set_name == "val" else short


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def minmax_table(names: list[str], ks: range, args: argparse.Namespace, title: str) -> None:
    print(f"\n### Min–max k-postman{title}, budget {args.minmax_iterations} children "
          f"(cap {args.minmax_time:g} CPU s), seed {args.seed}\n")
    print_head(["instance", "k", "longest", "LB", "proven gap %", "CPU s"]
               + (["prev longest", "prev LB", "prev gap %", "prev CPU s", "longest ratio"]
                  if args.previous else []))
    for name in names:
        path = instance_path(name)
        instance = load_instance(path, capacity=None)
        olds = previous(args.previous, path, list(ks), args.previous_time, args.seed)
        for k, old in zip(ks, olds, strict=True):
            cpu = time.process_time()
            result = solve_minmax(instance, k, SearchParams(
                seed=args.seed, max_iterations=args.minmax_iterations),
                should_cancel=cpu_cap(args.minmax_time))
            cpu = time.process_time() - cpu
            assert result.is_valid(), (name, k)
            line = (f"| {name} | {k} | {result.longest_route:g} | {result.lower_bound:.1f} | "
                    f"{100 * result.gap:.2f} | {cpu:.1f} |")
            if old is not None:
                old_gap = 100 * (old["objective"] / old["lower_bound"] - 1)
                line += (f" {old['objective']:g} | {old['lower_bound']:.1f} | {old_gap:.2f} | "
                         f"{old['cpu_s']:.1f} | {result.longest_route / old['objective']:.3f} |")
            print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="gdb,val,egl")
    parser.add_argument("--instances", default="", help="comma-separated subset (default all)")
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--time", type=float, default=60.0,
                        help="safety cap per instance, CPU seconds of the solve")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--previous", type=Path, default=None,
                        help="checkout of the previous version to run side by side")
    parser.add_argument("--previous-time", type=float, default=60.0,
                        help="time limit of the previous version per solve, CPU s")
    parser.add_argument("--previous-instances", default="",
                        help="comma-separated subset run with the previous version (default all)")
    parser.add_argument("--minmax", default=DEFAULT_MINMAX)
    parser.add_argument("--kmax", type=int, default=10)
    parser.add_argument("--wrpp", default=DEFAULT_WRPP)
    parser.add_argument("--minmax-iterations", type=int, default=5_000)
    parser.add_argument("--minmax-time", type=float, default=10.0)
    parser.add_argument("--skip-carp", action="store_true")
    parser.add_argument("--skip-minmax", action="store_true")
    parser.add_argument("--bounds", action="store_true",
                        help="only the CARP lower bounds (matching vs cutting-plane LP), no search")
    args = parser.parse_args(argv)
    if not BENCH.is_dir():
        print(f"benchmark data absent: {BENCH} not found (needs ../shared next to the repo)")
        return 1
    began = time.perf_counter()
    print(f"kernels ready in {warm_up():.1f} s (JIT compile, or load from the on-disk cache)")
    names = set(args.instances.split(",")) if args.instances else None
    args.previous_instances = (set(args.previous_instances.split(","))
                               if args.previous_instances else None)
    if args.bounds:
        for set_name in args.sets.split(","):
            bound_table(set_name, names)
        return 0
    if not args.skip_carp:
        for set_name in args.sets.split(","):
            carp_table(set_name, names, args)
    if not args.skip_minmax:
        if args.minmax:
            minmax_table(args.minmax.split(","), range(2, args.kmax + 1), args, "")
        if args.wrpp:
            minmax_table(args.wrpp.split(","), range(2, 6), args,
                         " (MM k-WRPP, windy costs)")
    print(f"\ntotal wall time {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
