"""The bundled sample's daily plan — every grid, day and night shift — this version vs another.

    .venv/bin/python -m benchmarks.plan_daily --previous /tmp/gridplan-prev [--seed 0]
        [--max-iterations N]

Each version runs in its own process (``PYTHONPATH`` = its checkout) the same script: the sample's
walk network, grids and synthetic incidents as ``gridplan routes --all`` loads them, and for every
grid :func:`gridplan.routing.plan.day_plan` with the day+night preset (白 06:00–18:00, 黑
18:00–06:00 on a fixed date), the CLI's default crew (the grid's enforcement staff, at least 1,
each shift) and default :class:`PatrolParams` with the given seed (``--max-iterations`` overrides
this version's search budget; the previous version keeps its default: with ``--previous .`` that
compares two budgets of the same code). Before the clock starts each
process solves one tiny CARP file once (the compiled kernels load or compile there, not in the
plan). Printed side by side, with ratios this ÷ previous: CPU seconds of the planning (process
time), mean and longest route per officer (km, deadheading included), passes left uncovered and
routes planned. ``export`` an older commit with
``git archive <commit> | tar -x -C /tmp/gridplan-prev``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_DRIVER = """
import json, sys, time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from geodata import sample
from geodata.carp import load_instance
from geodata.grids import grids_to_model
from gridplan.model import Shift
from gridplan.routing.arcroute_solver import SearchParams, solve_carp
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import day_plan

seed = int(sys.argv[1])
budget = {} if sys.argv[2] == "default" else {"max_iterations": int(sys.argv[2])}
solve_carp(load_instance("tests/data/carp/gdb19.dat"), SearchParams(seed=0, max_iterations=2))
net = sample.network("walk")
grids = grids_to_model(sample.grids(), metric_crs=str(net.crs))
incidents = sample.incidents(net=net).to_crs(net.crs)
zone = ZoneInfo("Asia/Shanghai")
day = datetime(2026, 11, 25, tzinfo=zone)
shifts = [Shift(day.replace(hour=6), day.replace(hour=18), "day"),
          Shift(day.replace(hour=18), day.replace(hour=6) + timedelta(days=1), "night")]
params = PatrolParams(seed=seed, **budget)
cpu, wall = time.process_time(), time.perf_counter()
plans = [day_plan(net, g, shifts=shifts, officers=max(1, g.officers), incidents=incidents,
                  params=params) for g in grids]
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
routes = [r.length_m for d in plans for p in d.plans for r in p.routes if r.steps]
missing = sum(u.passes_missing for d in plans for p in d.plans for u in p.uncovered)
print(json.dumps({"cpu_s": cpu, "wall_s": wall, "grids": len(grids), "routes": routes,
                  "missing": missing}))
"""


def run(checkout: Path, seed: int, max_iterations: int | None = None) -> dict:
    """The driver in its own process on ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    budget = "default" if max_iterations is None else str(max_iterations)
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(seed), budget], cwd=checkout,
                          env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def figures(found: dict) -> dict[str, float]:
    routes = found["routes"]
    return {"CPU s": found["cpu_s"], "wall s": found["wall_s"],
            "mean route km": sum(routes) / len(routes) / 1000, "longest route km":
            max(routes) / 1000, "routes": len(routes), "passes uncovered": found["missing"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previous", type=Path, required=True,
                        help="checkout of the version to compare with")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iterations", type=int, default=None,
                        help="this version's search budget per solve (default: its default)")
    args = parser.parse_args(argv)
    ours = run(ROOT, args.seed, args.max_iterations)
    theirs = run(args.previous, args.seed)
    budget = "" if args.max_iterations is None else f", max_iterations {args.max_iterations}"
    print(f"Sample daily plan: {ours['grids']} grids x 2 shifts (day+night), walk, CLI defaults"
          f"{budget}, seed {args.seed}; load average {os.getloadavg()[0]:.1f}\n")
    print("| figure | this version | previous | ratio |")
    print("|---|---|---|---|")
    mine, prev = figures(ours), figures(theirs)
    for key, value in mine.items():
        ratio = value / prev[key] if prev[key] else float("nan")
        print(f"| {key} | {value:.3f} | {prev[key]:.3f} | {ratio:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
