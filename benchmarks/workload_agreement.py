"""Grid sizing vs routing: the weekly workload a grid is sized for and the week of routes
planned for it, under one patrol policy (:class:`gridplan.routing.PatrolParams`).

Sized: each grid polygon as one unit, and the land around the grids as one more (so units
tile the map, as the blocks of a redesign do), :func:`gridplan.grids.attach_streets` (a street
on a border shared half/half with the unit across it) and :func:`gridplan.grids.add_workload`.
Routed: :func:`gridplan.routing.plan_week` — seven days from Monday 2026-11-23, one officer
walking 06:00–22:00 (the exact postman tour of each day's due streets) — summed with
:func:`gridplan.routing.officer_hours`. The bundled sample (real OSM streets, illustrative
grids) or, with ``--helsinki``, the raw Helsinki PBF of the tests cut into 3 × 2 grids.

    .venv/bin/python -m benchmarks.workload_agreement [--grids N] [--helsinki]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import geopandas as gpd
import shapely

from geodata import sample
from geodata.grids import grids_to_model
from gridplan.grids import WorkloadParams, add_workload, attach_streets
from gridplan.model import Grid
from gridplan.network import StreetNetwork
from gridplan.routing import PatrolParams, officer_hours, plan_week

MONDAY = date(2026, 11, 23)


def sized_hours(net: StreetNetwork, grids: list[Grid], patrol: PatrolParams,
                workload: WorkloadParams) -> dict[str, float]:
    """Officer-hours a week each grid is sized for (street terms only: no incidents)."""
    xs, ys = zip(*((d["x"], d["y"]) for _, d in net.graph.nodes(data=True)), strict=True)
    rest = shapely.box(min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1).difference(
        shapely.union_all([g.geometry for g in grids]))
    units = gpd.GeoDataFrame({"code": [g.code for g in grids] + [""]},
                             geometry=[g.geometry for g in grids] + [rest], crs=net.crs)
    units = add_workload(attach_streets(units, net, patrol=patrol), workload)
    return dict(zip(units["code"], units["workload_h"], strict=True))


def agreement(net: StreetNetwork, grids: list[Grid], patrol: PatrolParams,
              workload: WorkloadParams) -> list[dict]:
    """Per grid: hours sized and routed, and the two split into the streets' own hours (walking
    and inspecting every due street, the policy's costs: ``street_*``) and the walking between
    them (sizing: the flat ``walking_overhead`` share; routing: the deadheading of the exact
    tours, at walking speed: ``between_*``)."""
    sized = sized_hours(net, grids, patrol, workload)
    rows = []
    for grid in grids:
        week = plan_week(net, grid, start=MONDAY, params=patrol)
        routed = officer_hours(week)
        deadhead_m = sum(r.deadhead_m for p in week for r in p.routes)
        between_routed = patrol.travel_minutes(deadhead_m, None, mode="walk") / 60
        street_sized = sized[grid.code] / (1 + workload.walking_overhead)
        rows.append({"grid": grid.code, "sized_h": sized[grid.code], "routed_h": routed,
                     "ratio": routed / sized[grid.code],
                     "deadhead": deadhead_m / max(1.0, sum(r.length_m for p in week
                                                           for r in p.routes)),
                     "street_sized_h": street_sized, "street_routed_h": routed - between_routed,
                     "street_ratio": (routed - between_routed) / street_sized,
                     "between_sized_h": sized[grid.code] - street_sized,
                     "between_routed_h": between_routed,
                     "coverage": min(p.coverage for p in week)})
    return rows


def lattice_grids(net: StreetNetwork, rows: int, cols: int) -> list[Grid]:
    """``rows`` × ``cols`` rectangular grids over the network's extent, stations at centres
    (for a city with no grid file, e.g. Helsinki's raw PBF)."""
    xs, ys = zip(*((d["x"], d["y"]) for _, d in net.graph.nodes(data=True)), strict=True)
    x0, y0, dx, dy = min(xs), min(ys), (max(xs) - min(xs)) / cols, (max(ys) - min(ys)) / rows
    out = []
    for r in range(rows):
        for c in range(cols):
            cell = shapely.box(x0 + c * dx, y0 + r * dy, x0 + (c + 1) * dx, y0 + (r + 1) * dy)
            out.append(Grid(f"R{r}C{c}", cell, "city", station=cell.centroid))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=None, help="first N grids")
    parser.add_argument("--helsinki", action="store_true",
                        help="Helsinki's raw PBF (tests/data/osm) cut into 2 x 3 grids")
    args = parser.parse_args()
    if args.helsinki:
        from pathlib import Path

        from geodata.osm import load_network

        net = load_network(Path(__file__).parents[1] / "tests/data/osm/Helsinki.osm.pbf",
                           mode="walk")
        grids = lattice_grids(net, 3, 2)[:args.grids]
    else:
        net = sample.network("walk")
        grids = grids_to_model(sample.grids(), metric_crs=str(net.crs))[:args.grids]
    began = time.perf_counter()
    rows = agreement(net, grids, PatrolParams(), WorkloadParams())
    print(f"{'grid':<16} {'sized h/wk':>10} {'routed h/wk':>11} {'routed/sized':>12} "
          f"{'streets sized/routed h':>22} {'ratio':>5} {'between sized/routed h':>22} "
          f"{'deadhead':>8} {'coverage':>8}")
    for r in rows:
        streets = f"{r['street_sized_h']:.1f} / {r['street_routed_h']:.1f}"
        between = f"{r['between_sized_h']:.1f} / {r['between_routed_h']:.1f}"
        print(f"{r['grid']:<16} {r['sized_h']:>10.1f} {r['routed_h']:>11.1f} "
              f"{r['ratio']:>12.2f} {streets:>22} {r['street_ratio']:>5.2f} {between:>22} "
              f"{r['deadhead']:>8.0%} {r['coverage']:>8.0%}")
    print(f"{len(rows)} grids in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
