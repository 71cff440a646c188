"""Planning all grids × shifts of a city on the engine: 1 vs 2 local workers, same run.

For every grid a day plan with two shifts (day 08:00–12:00, night 19:00–23:00), walking, run as
one engine task per grid (:func:`gridplan.routing.day_plan` on the grid's network slice, see
:mod:`gridplan.slicing` and :mod:`api.engine.batch`). Reported per configuration — in this
process on the whole network (the reference), an embedded cluster of 1 and of 2 worker processes —
wall time, speed-up over 1 worker, peak RSS of the driver and of each worker, and whether every
plan equals the reference (same seed → same plan). Then the per-grid costs the scaling model in
``docs/scaling.md`` is built from: compute seconds per grid-day, slice and result sizes.

Fixture: a k × k **mosaic of the bundled sample** (default 4 × 4 = 16 tiles, 176 grids) — the
walk network copied k × k times, neighbouring tiles stitched by short connector streets, the
sample's grid polygons shifted with each tile (:func:`mosaic_network`; the drive-only mosaic of
``benchmarks/fixtures.py`` has no street geometry to plan on). A scale fixture, not a real city.
Nothing here needs ../shared.

    .venv/bin/python -m benchmarks.plan_all [--k 4] [--officers 1] [--iterations 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import resource
import statistics
import time
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree
from shapely import affinity
from shapely.geometry import LineString

from api.engine.batch import Task, run_batch
from api.engine.cluster import engine_client
from geodata import sample
from geodata.grids import grids_to_model
from gridplan.model import Grid
from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import day_plan
from gridplan.routing.shifts import shift_on
from gridplan.slicing import NetworkSlicer

SEAM_BAND_M = 60.0


def mosaic_network(net: StreetNetwork, grids: list[Grid], k: int
                   ) -> tuple[StreetNetwork, list[Grid]]:
    """k × k copies of ``net`` and ``grids``, tiles stitched by two-way connector streets."""
    g = net.graph
    xy = np.array([[d["x"], d["y"]] for _, d in g.nodes(data=True)])
    nodes = list(g.nodes)
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    width, height = x1 - x0 + SEAM_BAND_M, y1 - y0 + SEAM_BAND_M
    out = nx.MultiDiGraph(crs=g.graph["crs"])
    max_sid = max(d["street_id"] for *_, d in g.edges(data=True)) + 1
    tiles, tile_grids = {}, []
    for i in range(k):
        for j in range(k):
            t = i * k + j
            dx, dy = i * width, j * height
            tiles[(i, j)] = t
            for n, d in g.nodes(data=True):
                out.add_node((t, n), **{**d, "x": d["x"] + dx, "y": d["y"] + dy})
            for u, v, key, d in g.edges(keys=True, data=True):
                out.add_edge((t, u), (t, v), key=key, **{
                    **d, "street_id": t * max_sid + d["street_id"],
                    "geometry": affinity.translate(d["geometry"], dx, dy)})
            for grid in grids:
                tile_grids.append(dataclasses.replace(
                    grid, code=f"{grid.code}-t{t}",
                    geometry=affinity.translate(grid.geometry, dx, dy),
                    station=affinity.translate(grid.station, dx, dy) if grid.station else None))
    sid = k * k * max_sid
    tree = cKDTree(xy)
    for (i, j), t in tiles.items():
        for (ni, nj), step in (((i + 1, j), (width, 0.0)), ((i, j + 1), (0.0, height))):
            if (ni, nj) not in tiles:
                continue
            for a in range(len(nodes)):
                shifted = xy[a] - np.asarray(step)  # this node seen from the next tile
                dist, b = tree.query(shifted, distance_upper_bound=2 * SEAM_BAND_M)
                if not np.isfinite(dist) or dist < 1.0:
                    continue
                u, v = (t, nodes[a]), (tiles[(ni, nj)], nodes[b])
                line = LineString([(out.nodes[u]["x"], out.nodes[u]["y"]),
                                   (out.nodes[v]["x"], out.nodes[v]["y"])])
                if line.length > 2 * SEAM_BAND_M:
                    continue
                attrs = {"length": line.length, "grade": 4, "highway": "connector", "name": "",
                         "oneway": False, "lanes": None, "street_id": sid}
                out.add_edge(u, v, key=0, geometry=line, **attrs)
                out.add_edge(v, u, key=0, geometry=line.reverse(), **attrs)
                sid += 1
    return StreetNetwork(out, "walk", source=f"mosaic {k}x{k} of the sample"), tile_grids


DAY = date(2026, 11, 25)


def _shifts() -> list:
    return [shift_on(DAY, "08:00-12:00", name="day"),
            shift_on(DAY, "19:00-23:00", name="night")]


def _crews(grid: Grid, officers: int | None) -> list[int]:
    return [officers, officers] if officers else [max(1, min(3, grid.officers)), 2]


def _figures(day: Any) -> list[dict]:
    out = []
    for plan in day.plans:
        found = plan.to_dict()
        found.pop("runtime_s")
        out.append(found)
    return out


def in_process(net: StreetNetwork, grids: list[Grid], params: PatrolParams,
               officers: int | None) -> dict[str, Any]:
    """The reference: every grid's day in this process on the whole network."""
    began, cpu = time.perf_counter(), time.process_time()
    days = {g.code: day_plan(net, g, shifts=_shifts(), officers=_crews(g, officers),
                             params=params) for g in grids}
    return {"wall_s": time.perf_counter() - began, "cpu_s": time.process_time() - cpu,
            "days": days, "workers_mb": [], "workers_cpu_s": []}


def grid_tasks(net: StreetNetwork, grids: list[Grid], params: PatrolParams,
               officers: int | None) -> list[Task]:
    """One task per grid: its day plan on its own network slice (scattered once)."""
    slicer = NetworkSlicer.of(net, params)
    return [Task(g.code, day_plan, {"grid": g, "shifts": _shifts(), "officers": _crews(
        g, officers), "params": params}, {"network": slicer.cut(g)}) for g in grids]


def on_engine(net: StreetNetwork, grids: list[Grid], params: PatrolParams, officers: int | None,
              workers: int) -> dict[str, Any]:
    with engine_client(workers=workers) as client:
        client.run(lambda: __import__("gridplan.routing"))  # warm: imports are not planning
        cpu = client.run(time.process_time)
        began = time.perf_counter()
        days = run_batch(client, grid_tasks(net, grids, params, officers))
        wall = time.perf_counter() - began
        cpu_after = client.run(time.process_time)
        rss = client.run(_peak_rss_mb)
    by_worker = [cpu_after[w] - cpu[w] for w in sorted(cpu)]  # each worker's process time
    return {"wall_s": wall, "cpu_s": sum(by_worker), "days": days,
            "workers_mb": [rss[w] for w in sorted(rss)], "workers_cpu_s": by_worker}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def per_grid_costs(net: StreetNetwork, grids: list[Grid], params: PatrolParams,
                   days: dict[str, Any]) -> dict[str, float]:
    """What the scaling model needs: compute per grid-day, bytes moved per grid."""
    slicer = NetworkSlicer.of(net, params)
    compute = [sum(p.runtime_s for p in days[g.code].plans) for g in grids]
    slices = [len(pickle.dumps(slicer.cut(g))) for g in grids[:20]]
    results = [len(pickle.dumps(days[g.code])) for g in grids[:20]]
    return {"grid_day_s_mean": statistics.fmean(compute),
            "grid_day_s_p95": sorted(compute)[int(0.95 * (len(compute) - 1))],
            "slice_kb": statistics.fmean(slices) / 1024,
            "result_kb": statistics.fmean(results) / 1024,
            "edges_per_slice": statistics.fmean(slicer.cut(g).graph.number_of_edges()
                                                for g in grids[:20])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", type=int, default=4, help="mosaic size (k x k tiles)")
    parser.add_argument("--officers", type=int, default=None,
                        help="officers in each shift [default: min(3, staff) by day, 2 at night]")
    parser.add_argument("--iterations", type=int, default=20, help="search iterations per solve")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="embedded cluster sizes to compare")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the in-process run; plans are compared with the first "
                             "cluster's")
    args = parser.parse_args()
    load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    params = PatrolParams(max_iterations=args.iterations, time_limit_s=3600,
                          estimate_officers_needed=False)
    base = sample.network("walk")
    net, grids = mosaic_network(base, grids_to_model(sample.grids(), metric_crs=str(base.crs)),
                                args.k)
    rows = {} if args.no_reference else {
        "in process": in_process(net, grids, params, args.officers)}
    driver_mb = _peak_rss_mb()
    for n in args.workers:
        rows[f"{n} worker(s)"] = on_engine(net, grids, params, args.officers, n)
    first = next(iter(rows.values()))
    reference = {code: _figures(day) for code, day in first["days"].items()}
    one = rows.get("1 worker(s)", first)
    print(f"Plan all grids x 2 shifts: mosaic {args.k}x{args.k} of the sample (scale fixture), "
          f"{net.graph.number_of_edges()} edges, {len(grids)} grids, walk, "
          f"{args.iterations} iterations/solve, officers {args.officers or 'by staff'}; "
          f"load average {load_at_start} at the start")
    print(f"{'run':<14} {'wall s':>8} {'speed-up':>9} {'CPU s':>8} {'CPU/wall':>8} "
          f"{'CPU vs 1w':>9} {'CPU s per worker':>18} {'worker peak RSS MB':>20} "
          f"{'same plans':>10}")
    for name, r in rows.items():
        same = all(_figures(r["days"][code]) == figures for code, figures in reference.items())
        workers = ", ".join(f"{m:.0f}" for m in r["workers_mb"]) or "-"
        cpus = ", ".join(f"{c:.1f}" for c in r["workers_cpu_s"]) or "-"
        print(f"{name:<14} {r['wall_s']:>8.1f} {one['wall_s'] / r['wall_s']:>8.2f}x "
              f"{r['cpu_s']:>8.1f} {r['cpu_s'] / r['wall_s']:>8.2f} "
              f"{r['cpu_s'] / one['cpu_s']:>8.2f}x {cpus:>18} {workers:>20} "
              f"{'yes' if same else 'NO':>10}")
    print("(CPU/wall: cores the run actually got; on a machine shared with other work the wall "
          "speed-up is bounded by it, not by the engine. CPU vs 1w: the engine's CPU overhead "
          "(o in docs/scaling.md); CPU s per worker: how evenly the grids were shared. Both hold "
          "on a busy machine, where wall seconds do not.)")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    print(f"driver peak RSS {driver_mb:.0f} MB (whole mosaic network and grids in memory)")
    costs = per_grid_costs(net, grids, params, first["days"])
    print("per grid-day (2 shifts): CPU {cpu:.2f} s (first run's CPU / grids); plan runtime "
          "{grid_day_s_mean:.2f} s mean / {grid_day_s_p95:.2f} s p95 (wall, inflated on a busy "
          "machine); slice {slice_kb:.0f} KiB ({edges_per_slice:.0f} edges) scattered once; "
          "result {result_kb:.0f} KiB".format(cpu=first["cpu_s"] / len(grids), **costs))


if __name__ == "__main__":
    main()
