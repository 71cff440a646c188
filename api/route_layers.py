"""A stored patrol plan's layers: kept in the job result as WGS-84 GeoJSON, turned back into the
:mod:`maps.layers` frames to draw its map and write its exports.

The routing job stores ``PatrolPlan.to_frames()`` reprojected to WGS-84 (one FeatureCollection
per layer, plus the officers table), so a map or an export is drawn from the job's result without
re-running the search or reloading the street network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping

from gridplan.errors import InvalidInputError, Problem
from gridplan.model import Grid
from gridplan.network import StreetNetwork
from gridplan.routing.plan_result import PatrolPlan
from maps.plan_files import CHECK_COLUMNS

WGS84 = "EPSG:4326"
GEO_LAYERS = ("routes", "key_points", "uncovered")
OSM_ATTRIBUTION = "Streets © OpenStreetMap contributors (ODbL 1.0)"

# format -> (file suffix, media type)
ROUTE_FORMATS: dict[str, tuple[str, str]] = {
    "gpx": (".gpx", "application/gpx+xml"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "geojson": (".geojson", "application/geo+json"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "csv": (".csv", "text/csv; charset=utf-8"),
}


def plan_layers(plan: PatrolPlan, *, network: StreetNetwork, grid: Grid,
                lang: str = "zh") -> dict[str, Any]:
    """The plan's map layers, JSON-ready: WGS-84 FeatureCollections and the officers table,
    with the streets around the grid and its outline (``context``) for the map."""
    from maps import streets_near

    frames = plan.to_frames(lang=lang)
    out: dict[str, Any] = {name: _collection(frames[name]) for name in GEO_LAYERS}
    area = gpd.GeoDataFrame({"code": [grid.code]}, geometry=[grid.geometry], crs=network.crs)
    streets = streets_near(network, area)
    out["context"] = {"grid": _collection(area),
                      "streets": _collection(streets[["geometry"]]) if streets is not None
                      else _collection(gpd.GeoDataFrame(geometry=[], crs=network.crs))}
    officers = frames["officers"]
    out["officers"] = [{"officer": str(r.officer), "turns": list(r.turns),
                        "length_m": round(float(r.length_m), 1),
                        "minutes": round(float(r.minutes), 2)} for r in officers.itertuples()]
    out["title"] = (f"{plan.grid_code} {plan.shift.start:%Y-%m-%d %H:%M}–"
                    f"{plan.shift.end:%H:%M}")
    out["lang"] = lang
    return out


def _collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    return json.loads(frame.to_crs(WGS84).to_json(drop_id=True, na="null"))


def context_frames(layers: dict[str, Any]) -> dict[str, gpd.GeoDataFrame | None]:
    """The streets and grid outline stored with the plan (None for results stored before)."""
    context = layers.get("context") or {}
    return {name: _frame(context[name]) if name in context else None
            for name in ("streets", "grid")}


def route_lines(layers: dict[str, Any]) -> list[dict[str, Any]]:
    """One WGS-84 line per officer (its steps joined in order) with its length and minutes."""
    routes = layers_to_frames(layers)["routes"]
    out = []
    for officer in layers["officers"]:
        steps = routes[routes["officer"] == officer["officer"]].sort_values("seq")
        line = shapely.line_merge(shapely.MultiLineString(list(steps.geometry)))
        out.append({"officer": officer["officer"], "length_m": officer["length_m"],
                    "minutes": officer["minutes"], "geometry": dict(mapping(line))})
    return out


def layers_to_frames(layers: dict[str, Any]) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Frames in the :mod:`maps.layers` schemas from :func:`plan_layers` output (WGS-84)."""
    try:
        frames: dict[str, Any] = {
            name: _frame(layers[name]) for name in GEO_LAYERS}
        frames["officers"] = pd.DataFrame(layers["officers"],
                                          columns=["officer", "turns", "length_m", "minutes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError("the job result holds no route layers", [Problem(
            "job result", "layers", "route layers written by the routes job", repr(exc)[:100],
            "run the routes job again")]) from None
    return frames


def _frame(collection: dict[str, Any]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame.from_features(collection["features"], crs=WGS84)
    if "geometry" not in frame.columns:  # no features: keep an empty, typed frame
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    if "seq" in frame.columns:
        frame["seq"] = frame["seq"].astype(int)
    if "deadhead" in frame.columns:
        frame["deadhead"] = frame["deadhead"].astype(bool)
    return frame


def write_route_export(layers: dict[str, Any], fmt: str, folder: Path, *,
                       attribution: str = OSM_ATTRIBUTION) -> Path:
    """One export file of a stored plan in ``folder``; ``fmt`` is a key of ROUTE_FORMATS."""
    from maps import write_geojson, write_gpkg, write_gpx, write_kml, write_turn_csv
    from maps.export import officers_layer

    frames = layers_to_frames(layers)
    routes, officers = frames["routes"], frames["officers"]
    if routes.empty:
        raise InvalidInputError("the plan has no routes", [Problem(
            "job result", "routes", "at least one officer's route", "none",
            "nothing was due in this shift; see the plan's uncovered streets")])
    key_points = frames["key_points"].drop(columns=CHECK_COLUMNS, errors="ignore")
    lang, title = layers.get("lang", "zh"), str(layers.get("title", "gridplan patrol"))
    path = folder / f"routes{ROUTE_FORMATS[fmt][0]}"
    if fmt == "gpx":
        return write_gpx(routes, path, key_points=key_points, officers=officers,
                         name=f"gridplan {title}", lang=lang, attribution=attribution)
    if fmt == "kml":
        return write_kml(routes, path, key_points=key_points, uncovered=frames["uncovered"],
                         officers=officers, name=f"gridplan {title}", lang=lang,
                         attribution=attribution)
    if fmt == "csv":
        return write_turn_csv(routes, path, officers=officers, lang=lang, attribution=attribution)
    plain = {"routes": routes, "key_points": key_points, "uncovered": frames["uncovered"]}
    if fmt == "geojson":
        return write_geojson(plain, path, attribution=attribution)
    officer_points = officers_layer(routes, officers, lang=lang)
    return write_gpkg(plain | {"officers": officer_points}, path, attribution=attribution)


def write_route_map(layers: dict[str, Any], folder: Path) -> Path:
    """The stored plan's HTML route map (offline, no tiles: the service may have no internet)."""
    from maps import route_map, save_map

    frames = layers_to_frames(layers)
    key_points = frames["key_points"].drop(columns=CHECK_COLUMNS, errors="ignore")
    context = context_frames(layers)
    fmap = route_map(frames["routes"], streets=context["streets"], grid=context["grid"],
                     officers=frames["officers"], key_points=key_points,
                     uncovered=frames["uncovered"], tiles="none",
                     lang=layers.get("lang", "zh"), title=str(layers.get("title", "")))
    return save_map(fmap, folder / "routes.html")
