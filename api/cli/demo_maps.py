"""The maps part of ``gridplan demo``: grid, boundary and route maps, the meeting sheet, files.

It draws what the earlier demo steps computed (``ctx.results``): the redesign's proposed grids
beside today's, the hotspot step's Gi* cells, boundary zones, joint patrol routes and meeting
points, and — when the routes step ran — the squad leader's routes of the first grid, all over the
street network. One computation, one set of numbers in every output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import sample
from gridplan.boundary import zones_frame
from maps import (
    boundary_map,
    grid_map,
    network_streets,
    officers_layer,
    route_map,
    routes_frame,
    save_map,
    streets_near,
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
_KEY_POINT_COLUMNS = ["id", "name", "label", "window", "dwell_minutes", "geometry"]
_ROUTE_COLUMNS = ["officer", "seq", "name", "deadhead", "length_m", "minutes", "geometry"]


def _with_patrol_workload(grids: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``workload_h``: hours a week to walk every street of the grid twice a day, 7 days."""
    metric = grids.to_crs(streets.crs)
    km = [streets.clip(g).length.sum() / 1000 for g in metric.geometry]
    hours = [k * PATROLS_PER_DAY / WALK_SPEED_KMH * 7 for k in km]
    return grids.assign(workload_h=hours)


def _grid_layers(ctx, streets) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Today's grids and, when the redesign step ran, the proposed ones (with workload)."""
    redesign = ctx.results.get("redesign")
    if redesign is None:
        return _with_patrol_workload(ctx.grids, streets), None
    from gridplan.grids.tables import current_frame, proposed_frame

    current = current_frame(redesign, illustrative=True)
    return current[current["code"].notna()], proposed_frame(redesign)


def _joint_layers(report, names: dict[str, str], crs) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Joint patrol routes (one per proposal, steps on the graph they were solved on) and
    meeting points with the hotspot's peak window."""
    routes, meeting = [], []
    proposals = report.plan.proposals if report.plan is not None else ()
    for i, p in enumerate(proposals, 1):
        meeting.append({"id": f"M{i}", "name": f"会合点 {i}", "label": f"会合点 {i}",
                        "window": p.window, "dwell_minutes": MEETING_DWELL_MIN,
                        "geometry": p.meeting.point})
        if p.route is not None:
            officer = f"联合巡查{i}（{names.get(p.lead, p.lead)}牵头）"
            steps = [(s.u, s.v, s.key, s.deadhead) for s in p.route.tour.steps]
            routes.append(routes_frame(p.route.graph, steps, officer=officer, crs=crs))
    frame = (gpd.GeoDataFrame(pd.concat(routes, ignore_index=True), crs=crs) if routes else
             gpd.GeoDataFrame(pd.DataFrame(columns=_ROUTE_COLUMNS), geometry="geometry", crs=crs))
    points = gpd.GeoDataFrame(pd.DataFrame(meeting, columns=_KEY_POINT_COLUMNS),
                              geometry="geometry", crs=crs)
    return frame, points


def _squad_routes(ctx, crs):
    """The first grid's patrol plan as map layers, when the routes step ran."""
    plans = ctx.results.get("routes")
    if not plans:
        return None
    code, plan = next(iter(plans.items()))
    return code, plan.to_frames()


def write_maps(ctx, *, today: dt.date | None = None) -> dict[str, Path]:
    """Every map, the meeting sheet and the files under ``ctx.out / 'maps'``; returns paths."""
    out = ctx.out / "maps"
    crs = ctx.network.crs
    report = ctx.results["hotspots"]
    streets = network_streets(ctx.network)
    names = dict(zip(ctx.jurisdictions["code"], ctx.jurisdictions["name"], strict=True))
    zones = zones_frame(report.zones, crs=crs).assign(code=lambda z: z.code_a + "|" + z.code_b)
    hotspots = report.result.units[["gi_z", "gi_p", "gi_bin", "count", "geometry"]]
    joint, meeting = _joint_layers(report, names, crs)
    day = today or dt.date.today()
    paths: dict[str, Path] = {}
    current, proposed = _grid_layers(ctx, streets)
    paths["grid_map"] = save_map(grid_map(current, proposed=proposed, streets=streets,
                                          tiles="osm"), out / "grid_map.html")
    paths["grid_map_offline"] = save_map(grid_map(current, proposed=proposed, streets=streets,
                                                  tiles="none"), out / "grid_map_no_tiles.html")
    common = {"date": day, "grids": ctx.grids, "zones": zones, "hotspots": hotspots,
              "joint_routes": joint, "meeting_points": meeting, "streets": streets}
    paths["boundary_map"] = save_map(boundary_map(ctx.jurisdictions, tiles="none", **common),
                                     out / "boundary_map.html")
    paths["boundary_map_amap"] = save_map(boundary_map(ctx.jurisdictions, tiles="amap",
                                                       **common), out / "boundary_map_amap.html")
    squad = _squad_routes(ctx, crs)
    if squad is not None:
        code, frames = squad
        grid = ctx.grids[ctx.grids["code"].astype(str) == str(code)]
        paths["route_map"] = save_map(route_map(frames["routes"], officers=frames.get("officers"),
                                                key_points=frames.get("key_points"),
                                                uncovered=frames.get("uncovered"), grid=grid,
                                                streets=streets_near(streets, grid),
                                                tiles="none"),
                                      out / f"route_map_{code}.html")
    paths["joint_route_map"] = save_map(route_map(joint, key_points=meeting, streets=streets,
                                                  tiles="none"), out / "joint_route_map.html")
    meeting_list = pd.DataFrame(report.plan.meeting_list()) if report.plan is not None else None
    sheet = write_meeting_sheet(ctx.jurisdictions, out / "meeting_sheet_A4.png",
                                out / "meeting_sheet_A4.pdf", paper="A4",
                                attribution=sample.ATTRIBUTION, meeting_list=meeting_list,
                                **common)
    paths["sheet_png"], paths["sheet_pdf"] = sheet.png, sheet.pdf
    credit = sample.ATTRIBUTION
    paths["gpx"] = write_gpx(joint, out / "joint_routes.gpx", key_points=meeting,
                             attribution=credit)
    paths["kml"] = write_kml(joint, out / "joint_routes.kml", key_points=meeting,
                             attribution=credit)
    layers = {"jurisdictions": ctx.jurisdictions, "grids": ctx.grids, "zones": zones,
              "hotspots": hotspots[hotspots["gi_bin"] != 0], "routes": joint,
              "officers": officers_layer(joint), "key_points": meeting.drop(columns="label")}
    paths["geojson"] = write_geojson(layers, out / "boundary_plan.geojson", attribution=credit)
    paths["gpkg"] = write_gpkg(layers, out / "boundary_plan.gpkg", attribution=credit)
    paths["csv"] = write_turn_csv(joint, out / "joint_routes_turns.csv", attribution=credit)
    ctx.summary["maps"] = {"boundary_hotspots": len(meeting),
                           "joint_officers": int(joint["officer"].nunique()),
                           "joint_km": round(float(joint["length_m"].sum()) / 1000, 2),
                           "squad_route_map": squad[0] if squad else None,
                           "sheet_lang": sheet.lang}
    return paths


def screenshots(paths: dict[str, Path], folder: Path) -> tuple[list[Path], str | None]:
    """Screenshots of the tile-free HTML maps in headless Chromium (None note when done)."""
    missing = chromium_available()
    if missing:
        return [], missing
    shots = []
    with chromium() as driver:
        for key in ("grid_map_offline", "boundary_map", "route_map", "joint_route_map"):
            if key not in paths:
                continue
            report = inspect_page(driver, paths[key], selectors={},
                                  screenshot=folder / f"{paths[key].stem}.png")
            if report.errors:
                return shots, f"{paths[key].name}: JavaScript errors {report.errors}"
            shots.append(report.screenshot)
    return shots, None
