"""p-median benchmark: OR-Library pmed1–40 against proven optima; spopt.PMedian (PuLP CBC) side by side.

Run: ``.venv/bin/python -m benchmarks.pmedian [--instances 1-40] [--time-limit 30] [--peer 1,2,3,6]``

Reads ``../shared/bench/pmedian_orlib`` and ``../shared/bench/facility_location_spopt_sf``
(relative to the repository root); says so and skips the part whose folder is absent.
Each instance: our solver with method "auto" (MILP where the model is small enough and finishes
within the time limit, else greedy + fast interchange with the LP-relaxation bound), objective
÷ optimum, proven gap, seconds and peak Python memory (tracemalloc).
"""

from __future__ import annotations

import argparse
import csv
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.orlib import read_pmed
from gridplan.facility import PMedianParams, PMedianProblem, solve_pmedian

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
ORLIB = SHARED / "pmedian_orlib"
SF = SHARED / "facility_location_spopt_sf"


def _ranges(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        elif part:
            out.append(int(part))
    return out


def _ours(problem: PMedianProblem, params: PMedianParams) -> tuple[object, float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    result = solve_pmedian(problem, params=params)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def _spopt(problem: PMedianProblem, time_limit_s: float) -> tuple[float, float]:
    import pulp
    from spopt.locate import PMedian

    started = time.perf_counter()
    model = PMedian.from_cost_matrix(np.asarray(problem.costs), np.asarray(problem.weights),
                                     p_facilities=problem.p)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
    return float(pulp.value(model.problem.objective)), time.perf_counter() - started


def run_orlib(instances: list[int], peers: set[int], time_limit_s: float) -> None:
    if not ORLIB.is_dir():
        print(f"OR-Library folder absent ({ORLIB}): skipping pmed1-40")
        return
    optima = {r["instance"]: float(r["optimal_value"])
              for r in csv.DictReader((ORLIB / "best_known.csv").read_text().splitlines())}
    params = PMedianParams(time_limit_s=time_limit_s, restarts=3)
    print(f"OR-Library p-median, time limit {time_limit_s:g} s per instance (2 cores)")
    print(f"{'inst':7}{'n':>5}{'p':>5}{'optimum':>9}{'ours':>9}{'ours/opt':>9}{'gap':>8}"
          f"{'status':>9}{'method':>28}{'s':>8}{'MiB':>7}{'spopt':>9}{'spopt s':>9}{'t ratio':>8}")
    for k in instances:
        name = f"pmed{k}"
        inst = read_pmed(ORLIB / "instances" / f"{name}.txt")
        problem = inst.problem()
        result, seconds, peak = _ours(problem, params)
        peer = ""
        if k in peers:
            try:
                value, peer_s = _spopt(problem, time_limit_s)
                peer = f"{value:>9.0f}{peer_s:>9.2f}{seconds / peer_s:>8.2f}"
            except RuntimeError:  # spopt raises when CBC stops at the time limit
                peer = f"{'no sol.':>9}{'>' + format(time_limit_s, 'g'):>9}{'':>8}"
        opt = optima[name]
        print(f"{name:7}{inst.n_vertices:>5}{inst.p:>5}{opt:>9.0f}{result.objective:>9.0f}"
              f"{result.objective / opt:>9.4f}{result.gap:>8.2%}{result.status:>9}"
              f"{result.method:>28}{seconds:>8.2f}{peak:>7.0f}{peer}", flush=True)


def run_sf(time_limit_s: float) -> None:
    if not SF.is_dir():
        print(f"spopt San Francisco folder absent ({SF}): skipping")
        return
    dist = pd.read_csv(SF / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
                       dtype={"DestinationName": str})
    demand = pd.read_csv(SF / "SF_demand_205_centroid_uniform_weight.csv",
                         dtype={"NAME": str}).sort_values("NAME")
    matrix = dist.pivot_table(values="distance", index="DestinationName", columns="name")
    problem = PMedianProblem.from_cost_matrix(matrix.to_numpy(), 4, weights=demand["POP2000"],
                                              site_labels=matrix.columns)
    print("\nspopt San Francisco: 205 tracts × 16 stores, p = 4, weights POP2000 "
          "(spopt's asserted mean_dist 2982.1268579890657)")
    print(f"{'solver':24}{'mean_dist':>20}{'sites':>40}{'s':>8}{'MiB':>7}")
    for method in ("exact", "heuristic"):
        result, seconds, peak = _ours(problem, PMedianParams(method=method))
        print(f"{'ours ' + method:24}{result.mean_cost:>20.13f}"
              f"{','.join(map(str, result.site_labels)):>40}{seconds:>8.3f}{peak:>7.1f}")
    value, peer_s = _spopt(problem, time_limit_s)
    print(f"{'spopt PMedian (CBC)':24}{value / problem.weights.sum():>20.13f}{'':>40}"
          f"{peer_s:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-40")
    parser.add_argument("--peer", default="1,2,3,4,5,6", help="pmed instances also run by spopt")
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    run_sf(args.time_limit)
    print()
    run_orlib(_ranges(args.instances), set(_ranges(args.peer)), args.time_limit)


if __name__ == "__main__":
    main()
