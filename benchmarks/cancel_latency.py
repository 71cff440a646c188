"""Cancel latency of a running route search: how long after ``should_cancel()`` turns true
``plan_grid`` (what the service's routes job runs) gives up.

A sample grid with three officers and a large iteration budget (so the search is still running
when the cancel comes); the cancel is asked ``--after`` seconds into the run. Reported: the
seconds from the request to the ``Cancelled`` exception (or to the end of planning, when the
engine cannot be interrupted), over ``--runs`` runs.

    .venv/bin/python -m benchmarks.cancel_latency [--after 3] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from datetime import date

from geodata import sample
from geodata.grids import grids_to_model
from gridplan.progress import Cancelled
from gridplan.routing import PatrolParams, plan_grid, shift_on


def one_run(after_s: float) -> tuple[float, bool]:
    net = sample.network("walk")
    grid = grids_to_model(sample.grids(), metric_crs=str(net.crs))[0]
    asked: list[float] = []
    flag = threading.Event()

    def ask() -> None:
        asked.append(time.perf_counter())
        flag.set()

    threading.Timer(after_s, ask).start()
    try:
        plan_grid(net, grid, officers=3, shift=shift_on(date(2026, 11, 25), "08:00-12:00"),
                  params=PatrolParams(max_iterations=100_000, time_limit_s=60),
                  should_cancel=flag.is_set)
        cancelled = False
    except Cancelled:
        cancelled = True
    return time.perf_counter() - asked[0], cancelled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    latencies = []
    for _ in range(args.runs):
        latency, cancelled = one_run(args.after)
        latencies.append(latency)
        print(f"cancel latency {latency:6.2f} s ({'cancelled' if cancelled else 'ran to its end'})")
    print(f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s over "
          f"{len(latencies)} runs")


if __name__ == "__main__":
    main()
