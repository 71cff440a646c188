"""A patrol plan's files for the squad: GeoJSON, GPX, turn-list CSV and the HTML route map."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from gridplan.model import Grid
from gridplan.network import StreetNetwork
from gridplan.routing.plan_result import PatrolPlan
from maps.common import save_map, streets_near
from maps.export import write_geojson, write_gpx, write_turn_csv
from maps.route_map import route_map

#: key-point columns that are the plan's checks, not what the files show
CHECK_COLUMNS = ["on_time", "missed"]


def write_plan_files(plan: PatrolPlan, out: Path, *, stem: str, attribution: str,
                     network: StreetNetwork, grid: Grid, lang: str = "zh",
                     html: bool = True) -> list[Path]:
    """``<stem>.geojson``, ``.gpx``, ``_turns.csv`` and (optionally) ``_map.html`` in ``out``;
    the map draws the streets around ``grid`` and its outline, so it reads with no tiles.

    Key points carry the officer who visits them and the arrival time (GeoJSON properties, GPX
    waypoint descriptions, a line of that officer's turn list)."""
    frames = plan.to_frames(lang=lang)
    routes, officers = frames["routes"], frames["officers"]
    if routes.empty:
        return []
    key_points = frames["key_points"].drop(columns=CHECK_COLUMNS)
    written = [
        write_geojson({"routes": routes, "officers": None, "key_points": key_points,
                       "uncovered": frames["uncovered"]}, out / f"{stem}.geojson",
                      attribution=attribution),
        write_gpx(routes, out / f"{stem}.gpx", key_points=key_points, officers=officers,
                  name=f"gridplan {plan.grid_code}", lang=lang, attribution=attribution),
        write_turn_csv(routes, out / f"{stem}_turns.csv", officers=officers, lang=lang,
                       attribution=attribution),
    ]
    if html:
        area = gpd.GeoDataFrame({"code": [grid.code]}, geometry=[grid.geometry], crs=network.crs)
        fmap = route_map(routes, streets=streets_near(network, area), grid=area,
                         officers=officers, key_points=key_points,
                         uncovered=frames["uncovered"], tiles="none", lang=lang,
                         title=f"{plan.grid_code} {plan.shift.start:%Y-%m-%d %H:%M}–"
                               f"{plan.shift.end:%H:%M}")
        written.append(save_map(fmap, out / f"{stem}_map.html"))
    return written
