"""Planning all grids and shifts: wall time and peak memory, on the sample and a scale fixture.

For every grid a day plan with two shifts (day 08:00–12:00 with min(3, staff) officers, night
19:00–23:00 with 2), walking. Reported per fixture: plans, wall time, time per plan, peak RSS,
plans that pass ``is_valid``, mean and worst gap of the longest route to its lower bound (the
bound is the reference value: no peer tool plans whole grids), mean coverage.

Fixtures: the bundled central-Shanghai sample (real OSM streets, illustrative grids) and a k × k
**mosaic of the sample** — the walk network copied k × k times, neighbouring tiles stitched by
short connector streets, the sample's grid polygons shifted with each tile. It is a scale
fixture, not a real city. Nothing here needs ../shared.

    .venv/bin/python -m benchmarks.plan_all [--k 2] [--time-limit 1] [--iterations 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import time
from datetime import date

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree
from shapely import affinity
from shapely.geometry import LineString

from geodata import sample
from geodata.grids import grids_to_model
from gridplan.model import Grid
from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import day_plan
from gridplan.routing.shifts import shift_on

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


def plan_everything(net: StreetNetwork, grids: list[Grid], params: PatrolParams) -> dict:
    day = date(2026, 11, 25)
    shifts = [shift_on(day, "08:00-12:00", name="day"),
              shift_on(day, "19:00-23:00", name="night")]
    began = time.perf_counter()
    plans = []
    for grid in grids:
        crews = [max(1, min(3, grid.officers)), 2]
        plans += day_plan(net, grid, shifts=shifts, officers=crews, params=params).plans
    wall = time.perf_counter() - began
    gaps = [p.gap for p in plans if p.routes and p.longest_min > 0]
    return {"grids": len(grids), "plans": len(plans), "wall_s": wall,
            "per_plan_s": wall / max(1, len(plans)),
            "valid": sum(p.is_valid(net.graph) for p in plans),
            "mean_gap": statistics.fmean(gaps) if gaps else 0.0,
            "worst_gap": max(gaps, default=0.0),
            "coverage": statistics.fmean(p.coverage for p in plans),
            "edges": net.graph.number_of_edges()}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", type=int, default=2, help="mosaic size (k x k tiles)")
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per solve")
    parser.add_argument("--iterations", type=int, default=200, help="search iterations per solve")
    args = parser.parse_args()
    params = PatrolParams(time_limit_s=args.time_limit, max_iterations=args.iterations,
                          estimate_officers_needed=False)
    net = sample.network("walk")
    grids = grids_to_model(sample.grids(), metric_crs=str(net.crs))
    rows = [("sample (real OSM, illustrative grids)", plan_everything(net, grids, params),
             _peak_rss_mb())]
    big, big_grids = mosaic_network(net, grids, args.k)
    rows.append((f"mosaic {args.k}x{args.k} of the sample (scale fixture)",
                 plan_everything(big, big_grids, params), _peak_rss_mb()))
    print(f"Planning all grids x 2 shifts (walk; search {args.time_limit:g} s / "
          f"{args.iterations} iterations per solve)")
    print(f"{'fixture':<42} {'edges':>6} {'grids':>5} {'plans':>5} {'wall s':>7} {'s/plan':>6} "
          f"{'peak RSS MB':>11} {'valid':>5} {'gap mean':>8} {'gap max':>7} {'coverage':>8}")
    for name, r, rss in rows:
        print(f"{name:<42} {r['edges']:>6} {r['grids']:>5} {r['plans']:>5} {r['wall_s']:>7.1f} "
              f"{r['per_plan_s']:>6.2f} {rss:>11.0f} {r['valid']:>5} {r['mean_gap']:>8.1%} "
              f"{r['worst_gap']:>7.1%} {r['coverage']:>8.1%}")
    base, scaled = rows[0][1], rows[1][1]
    print(f"scale ratio: {scaled['plans'] / base['plans']:.1f}x plans, "
          f"{scaled['wall_s'] / base['wall_s']:.2f}x wall time, "
          f"{scaled['per_plan_s'] / base['per_plan_s']:.2f}x time per plan")


if __name__ == "__main__":
    main()
