"""Drive-mode plans per grid, before / after (issue 10.10).

For each of the first ``--grids`` grids (by code) of the bundled Shanghai sample (real OSM
streets, illustrative grids) that both versions can plan: one plan by car (``mode="drive"``
network), 2 officers, shift 08:00–12:00 on 2026-11-25 (Asia/Shanghai), seed 0, every other
parameter at its default, through each version's own public API (``gridplan.routing.plan_grid``).
"before" is ``--before REV`` (default 7be3882, the first wave's main, whose drive plans ran into
the 120 s time cap) exported with ``git archive`` into ``benchmarks/.scratch/``; "after" is this
tree. Every (version, grid) runs in a fresh process, one after another, after one untimed plan per
tree (the after tree's compiled arc-routing kernels are cached on disk on first use: ≈15 s once);
only the ``plan_grid`` call is timed (wall and CPU seconds), network loading is not. Reported:
wall s, CPU s, longest route (minutes), coverage of required passes, whether the time cap stopped
the search, and the ratio before ÷ after. A grid either version refuses (e.g. its station is off
the drive network) is skipped and the reason printed.

    .venv/bin/python -m benchmarks.drive_plans [--grids 3] [--before 7be3882]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "benchmarks" / ".scratch"
BEFORE = "7be3882"

# Runs inside the tree on PYTHONPATH; only names both versions export.
_ONE_PLAN = r"""
import json, sys, time
from datetime import datetime
from zoneinfo import ZoneInfo
from geodata import sample
from geodata.grids import grids_to_model
from gridplan.errors import InfeasibleError
from gridplan.model import Shift
from gridplan.routing import PatrolParams, plan_grid

code = sys.argv[1]
net = sample.network("drive")
grid = next(g for g in grids_to_model(sample.grids(), metric_crs=str(net.crs)) if g.code == code)
tz = ZoneInfo("Asia/Shanghai")
shift = Shift(datetime(2026, 11, 25, 8, 0, tzinfo=tz), datetime(2026, 11, 25, 12, 0, tzinfo=tz))
wall, cpu = time.perf_counter(), time.process_time()
try:
    plan = plan_grid(net, grid, officers=2, shift=shift, params=PatrolParams(seed=0))
except InfeasibleError as refused:  # e.g. the station is off the drive network
    print(json.dumps({"refused": str(refused).splitlines()[0]}))
    sys.exit(0)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
capped = any("time cap" in text for text in (plan.method, *plan.notes))
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "longest_min": plan.longest_min,
                  "coverage": plan.coverage, "capped": capped, "method": plan.method}))
"""


def grid_codes() -> list[str]:
    from geodata import sample

    return sorted(sample.grids()["code"].astype(str))


def exported(revision: str) -> Path:
    """The tree of ``revision`` (``git archive``) under ``benchmarks/.scratch/``."""
    out = SCRATCH / f"drive_plans_{revision.replace('/', '_')}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def one_plan(tree: Path, code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    run = subprocess.run([sys.executable, "-c", _ONE_PLAN, code], cwd=tree, env=env,
                         capture_output=True, text=True, check=False)
    if run.returncode:
        raise RuntimeError(f"{tree} grid {code}: {run.stderr.strip()[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def row(code: str, b: dict, a: dict) -> str:
    def cap(r: dict) -> str:
        return "yes" if r["capped"] else "no"

    return (f"| {code} | {b['wall_s']:.1f} | {a['wall_s']:.1f} | ×{b['wall_s'] / a['wall_s']:.1f} "
            f"| {b['cpu_s']:.1f} | {a['cpu_s']:.1f} | ×{b['cpu_s'] / a['cpu_s']:.1f} "
            f"| {b['longest_min']:.1f} | {a['longest_min']:.1f} "
            f"| {b['coverage']:.1%} | {a['coverage']:.1%} | {cap(b)} | {cap(a)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=3,
                        help="first N sample grids (by code) that both versions can plan")
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' code")
    args = parser.parse_args()
    old = exported(args.before)
    print(f"before = {args.before} (git archive in {old}), after = {ROOT}")
    print("| grid | wall s before | wall s after | ratio | CPU s before | CPU s after | ratio "
          "| longest min before | longest min after | coverage before | coverage after "
          "| time cap before | time cap after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    try:
        codes = grid_codes()
        for tree in (old, ROOT):  # untimed: fills a tree's compiled-kernel cache, if it has one
            one_plan(tree, codes[-1])
        measured = 0
        for code in codes:
            if measured == args.grids:
                break
            before = one_plan(old, code)
            after = one_plan(ROOT, code) if "refused" not in before else {}
            if "refused" in before or "refused" in after:
                print(f"<!-- {code} skipped: {before.get('refused') or after.get('refused')} -->")
                continue
            measured += 1
            print(row(code, before, after), flush=True)
            print(f"<!-- {code}: before {before['method']!r}; after {after['method']!r} -->",
                  flush=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    main()
