"""The densest mosaic's walking postman tour, timed alone (issue 15: "under 20 s").

    GRIDPLAN_SHARED=../shared .venv/bin/python -m benchmarks.postman_densest [--k 8] [--runs 2]

``benchmarks.postman`` times the same tour beside the textbook matching, which takes minutes on
the 8x8 mosaic (25,664 odd nodes); this prints only ours: wall and CPU seconds of one
``postman_tour`` per run, after a warm-up solve that loads the compiled kernels.
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.fixtures import largest_part, mosaic, shanghai_drive, walking_view
from gridplan.routing import postman_tour


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=8, help="mosaic of k x k copies of the sample")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    drive = shanghai_drive()
    if drive is None:
        print("../shared/data/osm-shanghai-central is absent: nothing to benchmark.")
        return
    postman_tour(largest_part(walking_view(drive)))  # warm-up: the compiled kernels load once
    graph = largest_part(walking_view(mosaic(drive, k=args.k)))
    odd = sum(1 for _, degree in graph.degree() if degree % 2)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"mosaic {args.k}x{args.k}: {graph.number_of_nodes()} nodes, "
          f"{graph.number_of_edges()} edges, {odd} odd nodes; load average {load}")
    for run in range(1, args.runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        tour = postman_tour(graph)
        print(f"run {run}: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU, length {tour.length_m:.3f} m")


if __name__ == "__main__":
    main()
