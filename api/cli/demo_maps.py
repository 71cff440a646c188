"""The maps part of ``gridplan demo``: grid, boundary and route maps, the meeting sheet, files.

Joint routes: one officer per side walks every street of the 50 m boundary zone on that side
(postman tour, :mod:`gridplan.routing`); streets a closed walk cannot reach are reported as
uncovered. Meeting points are where the top boundary hotspots meet the zone, with the hotspot's
peak window as the time to be there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import sample
from gridplan.boundary import boundary_zones, flag_boundary_hotspots, zones_frame
from gridplan.hotspots import HotspotParams, analyse_hotspots
from gridplan.routing import PostmanOptions, postman_tour
from maps import (
    boundary_map,
    grid_map,
    network_streets,
    officers_layer,
    route_map,
    routes_frame,
    save_map,
    write_geojson,
    write_gpkg,
    write_gpx,
    write_kml,
    write_turn_csv,
)
from maps.browser import chromium, chromium_available, inspect_page
from maps.sheet import write_meeting_sheet

MEETING_DWELL_MIN = 15.0
PATROLS_PER_DAY = 2  # 一日双巡: busy streets walked twice a day
WALK_SPEED_KMH = 4.5


def _with_patrol_workload(grids: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``workload_h``: hours a week to walk every street of the grid twice a day, 7 days."""
    metric = grids.to_crs(streets.crs)
    km = [streets.clip(g).length.sum() / 1000 for g in metric.geometry]
    hours = [k * PATROLS_PER_DAY / WALK_SPEED_KMH * 7 for k in km]
    return grids.assign(workload_h=hours)
TOP_HOTSPOTS = 3


def _zone_routes(net, zones: gpd.GeoDataFrame, names: dict[str, str], seed: int):
    """One postman tour per zone side; returns (routes, uncovered) in the network CRS."""
    graph = net.undirected()
    routes, uncovered = [], []
    for _, side in zones.iterrows():
        required = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                    if side.geometry.contains(d["geometry"].interpolate(0.5, normalized=True))]
        if not required:
            continue
        tour = postman_tour(graph, required=required,
                            options=PostmanOptions(on_unreachable="uncovered", seed=seed))
        officer = f"{names.get(side.side, side.side)}-1"
        routes.append(routes_frame(graph, [(s.u, s.v, s.key, s.deadhead) for s in tour.steps],
                                   officer=officer, crs=net.crs))
        for u, v, k in tour.uncovered:
            d = graph.get_edge_data(u, v, k)
            uncovered.append({"name": d.get("name") or "", "reason": "不连通（需单独安排）",
                              "geometry": d["geometry"]})
    frame = gpd.GeoDataFrame(pd.concat(routes, ignore_index=True), crs=net.crs)
    lost = gpd.GeoDataFrame(pd.DataFrame(uncovered, columns=["name", "reason", "geometry"]),
                            geometry="geometry", crs=net.crs)
    return frame, lost


def _meeting_points(flagged, units: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, crs):
    """Top boundary hotspots where they touch the zone: label, peak window as the key point."""
    zone = zones.union_all()
    rows = []
    for i, item in enumerate(flagged[:TOP_HOTSPOTS], 1):
        cells = units.loc[list(item.hotspot.unit_ids)].union_all()
        inside = cells.intersection(zone)
        point = (inside if not inside.is_empty else cells).representative_point()
        rows.append({"id": f"M{i}", "name": f"会合点 {i}", "label": f"会合点 {i}",
                     "window": item.hotspot.peak.label, "dwell_minutes": MEETING_DWELL_MIN,
                     "geometry": point})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[
        "id", "name", "label", "window", "dwell_minutes", "geometry"]), geometry="geometry",
        crs=crs)


def write_maps(ctx, *, today: dt.date | None = None) -> dict[str, Path]:
    """Every map, the meeting sheet and the files under ``ctx.out / 'maps'``; returns paths."""
    out = ctx.out / "maps"
    crs = ctx.network.crs
    streets = network_streets(ctx.network)
    juris = ctx.jurisdictions.to_crs(crs)
    names = dict(zip(ctx.jurisdictions["code"], ctx.jurisdictions["name"], strict=True))
    zone_list = boundary_zones(juris)
    zones = zones_frame(zone_list, crs=crs).assign(code=lambda z: z.code_a + "|" + z.code_b)
    result = analyse_hotspots(ctx.incidents.to_crs(crs), juris, params=HotspotParams())
    result.raise_if_insufficient()
    flagged = flag_boundary_hotspots(result, zone_list)
    hotspots = result.units[["gi_z", "gi_p", "gi_bin", "count", "geometry"]]
    routes, uncovered = _zone_routes(ctx.network, zones, names, ctx.seed)
    meeting = _meeting_points(flagged, result.units, zones, crs)
    day = today or dt.date.today()
    paths: dict[str, Path] = {}
    grids = _with_patrol_workload(ctx.grids, streets)
    paths["grid_map"] = save_map(grid_map(grids, streets=streets, tiles="osm"),
                                 out / "grid_map.html")
    paths["grid_map_offline"] = save_map(grid_map(grids, streets=streets, tiles="none"),
                                         out / "grid_map_no_tiles.html")
    common = {"date": day, "grids": ctx.grids, "zones": zones, "hotspots": hotspots,
              "joint_routes": routes, "meeting_points": meeting, "streets": streets}
    paths["boundary_map"] = save_map(boundary_map(ctx.jurisdictions, tiles="none", **common),
                                     out / "boundary_map.html")
    paths["boundary_map_amap"] = save_map(boundary_map(ctx.jurisdictions, tiles="amap",
                                                       **common), out / "boundary_map_amap.html")
    paths["route_map"] = save_map(route_map(routes, key_points=meeting, uncovered=uncovered,
                                            streets=streets, tiles="none"),
                                  out / "route_map.html")
    sheet = write_meeting_sheet(ctx.jurisdictions, out / "meeting_sheet_A4.png",
                                out / "meeting_sheet_A4.pdf", paper="A4",
                                attribution=sample.ATTRIBUTION, **common)
    paths["sheet_png"], paths["sheet_pdf"] = sheet.png, sheet.pdf
    credit = sample.ATTRIBUTION
    paths["gpx"] = write_gpx(routes, out / "joint_routes.gpx", key_points=meeting,
                             attribution=credit)
    paths["kml"] = write_kml(routes, out / "joint_routes.kml", key_points=meeting,
                             uncovered=uncovered, attribution=credit)
    layers = {"jurisdictions": ctx.jurisdictions, "grids": ctx.grids, "zones": zones,
              "hotspots": hotspots[hotspots["gi_bin"] != 0], "routes": routes,
              "officers": officers_layer(routes), "key_points": meeting.drop(columns="label"),
              "uncovered": uncovered}
    paths["geojson"] = write_geojson(layers, out / "boundary_plan.geojson", attribution=credit)
    paths["gpkg"] = write_gpkg(layers, out / "boundary_plan.gpkg", attribution=credit)
    paths["csv"] = write_turn_csv(routes, out / "joint_routes_turns.csv", attribution=credit)
    ctx.summary["maps"] = {"boundary_hotspots": len(flagged), "joint_officers":
                           int(routes["officer"].nunique()),
                           "joint_km": round(float(routes["length_m"].sum()) / 1000, 2),
                           "uncovered_streets": len(uncovered), "sheet_lang": sheet.lang}
    return paths


def screenshots(paths: dict[str, Path], folder: Path) -> tuple[list[Path], str | None]:
    """Screenshots of the tile-free HTML maps in headless Chromium (None note when done)."""
    missing = chromium_available()
    if missing:
        return [], missing
    shots = []
    with chromium() as driver:
        for key in ("grid_map_offline", "boundary_map", "route_map"):
            report = inspect_page(driver, paths[key], selectors={},
                                  screenshot=folder / f"{paths[key].stem}.png")
            if report.errors:
                return shots, f"{paths[key].name}: JavaScript errors {report.errors}"
            shots.append(report.screenshot)
    return shots, None
