"""Files for phones and GIS: GPX, KML, GeoJSON, GeoPackage and CSV turn lists.

Every file is WGS-84 longitude/latitude (EPSG:4326; GeoJSON's CRS84 axis order) — never GCJ-02,
whatever the map tiles were — names that CRS, and carries the attribution:

=========== ====================================================================================
GPX 1.1     ``<metadata>``: ``<copyright author="OpenStreetMap contributors">`` with the ODbL
            licence, ``<link>`` to the OSM copyright page; CRS in ``<desc>`` and ``<keywords>``.
KML 2.2     the Document ``<description>`` (KML is WGS-84 by definition).
GeoJSON     RFC 7946 FeatureCollection with foreign members ``"attribution"`` and ``"crs_note"``;
            polygons follow the right-hand rule (exterior counter-clockwise); each feature has a
            ``"layer"`` property naming the layer it came from.
GeoPackage  one table per layer, SRS EPSG:4326; the attribution is each layer's description
            (``gpkg_contents.description``). Officer turn lists go in a layer ``officers`` (point
            at the route start, turns joined by newlines).
CSV         UTF-8 with BOM (Excel shows Chinese); the header is the first line, the attribution
            and CRS are an ``attribution`` column; a key point visit is an instruction
            line of its officer ("到达重点点位 …").
=========== ====================================================================================

All writes are atomic (:mod:`geodata.files`): a failure never leaves a half-written file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import gpxpy.gpx
import numpy as np
import pandas as pd
import shapely
import simplekml

from geodata.files import atomic_path, write_text
from gridplan.errors import InvalidInputError, Problem
from maps.labels import labels
from maps.layers import SCHEMAS, WGS84, validate_layer
from maps.route_map import window_text
from maps.routes import endpoints, line_coords, officer_colors, prepare_routes

OSM_NOTICE = "© OpenStreetMap contributors (ODbL 1.0)"
OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
CRS_NOTE = "WGS-84 longitude/latitude (EPSG:4326)"
GAP_M = 1.0  # consecutive segments further apart than this start a new GPX track segment


def _attribution(extra: str) -> str:
    return OSM_NOTICE + (f"; {extra}" if extra else "")


# ----------------------------------------------------------------------------------------- GPX

def _gap_m(a: np.ndarray, b: np.ndarray) -> float:
    dx = (b[0] - a[0]) * 111_320.0 * np.cos(np.radians(a[1]))
    return float(np.hypot(dx, (b[1] - a[1]) * 110_540.0))


def _track(officer: str, segs: gpd.GeoDataFrame, info: pd.Series, text: dict) -> gpxpy.gpx.GPXTrack:
    track = gpxpy.gpx.GPXTrack(name=f"{text['officer']} {officer}", description=(
        f"{text['length']} {info['length_m'] / 1000:.2f} km; {text['minutes']} "
        f"{info['minutes']:.0f} {text['min']}"))
    track.type = "patrol"
    segment, last = gpxpy.gpx.GPXTrackSegment(), None
    for geom in segs.geometry:
        xy = line_coords(geom)
        if last is not None and _gap_m(last, xy[0]) > GAP_M:
            track.segments.append(segment)
            segment = gpxpy.gpx.GPXTrackSegment()
        for lon, lat in (xy[1:] if last is not None and _gap_m(last, xy[0]) <= GAP_M else xy):
            segment.points.append(gpxpy.gpx.GPXTrackPoint(latitude=round(float(lat), 7),
                                                          longitude=round(float(lon), 7)))
        last = xy[-1]
    track.segments.append(segment)
    return track


def gpx_document(routes: gpd.GeoDataFrame, *, key_points: gpd.GeoDataFrame | None = None,
                 officers: pd.DataFrame | None = None, name: str = "gridplan patrol",
                 lang: str = "zh", attribution: str = "") -> gpxpy.gpx.GPX:
    """A GPX 1.1 document: one track per officer, one waypoint per key point (window in desc)."""
    text = labels(lang)
    routes, officers = prepare_routes(routes, officers, text)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "gridplan"
    gpx.name = name
    gpx.description = f"{_attribution(attribution)}. CRS: {CRS_NOTE}."
    gpx.keywords = "patrol, WGS84, EPSG:4326"
    gpx.copyright_author = "OpenStreetMap contributors"
    gpx.copyright_license = ODBL_URL
    gpx.link, gpx.link_text = OSM_COPYRIGHT_URL, "© OpenStreetMap contributors"
    if key_points is not None and len(key_points):
        for _, row in validate_layer(key_points, "key_points").iterrows():
            gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(
                latitude=round(row.geometry.y, 7), longitude=round(row.geometry.x, 7),
                name=str(row["name"]), symbol="Flag, Blue", type="key point",
                description=(f"{text['window']}: {window_text(row['window'], text)}; "
                             f"{text['dwell']} {row['dwell_minutes']:.0f} {text['min']}; "
                             f"ID {row['id']}{_visit_text(row, text)}")))
    summary = officers.set_index("officer")
    for officer, segs in routes.groupby("officer", sort=False):
        gpx.tracks.append(_track(str(officer), segs, summary.loc[officer], text))
    return gpx


def _visit_text(row: pd.Series, text: dict[str, str]) -> str:
    """"; 队员 A 09:05" when the key point row says who visits it and when."""
    officer, arrival = row.get("officer"), row.get("arrival")
    if not isinstance(officer, str) or not officer:
        return ""
    return f"; {text['officer']} {officer}" + (f" {arrival}" if isinstance(arrival, str) else "")


def write_gpx(routes: gpd.GeoDataFrame, path: str | os.PathLike[str], **options) -> Path:
    """:func:`gpx_document` written as GPX 1.1 to ``path``."""
    return write_text(path, gpx_document(routes, **options).to_xml(version="1.1"))


# ----------------------------------------------------------------------------------------- KML

def _kml_color(hex_color: str, alpha: int = 230) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return simplekml.Color.rgb(r, g, b, alpha)


def write_kml(routes: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
              key_points: gpd.GeoDataFrame | None = None,
              uncovered: gpd.GeoDataFrame | None = None, officers: pd.DataFrame | None = None,
              name: str = "gridplan patrol", lang: str = "zh", attribution: str = "") -> Path:
    """KML: one folder per officer (styled lines per segment), key points, uncovered streets."""
    text = labels(lang)
    routes, officers = prepare_routes(routes, officers, text)
    kml = simplekml.Kml(name=name)
    kml.document.description = f"{_attribution(attribution)}. CRS: {CRS_NOTE}."
    colors = officer_colors(list(officers["officer"]))
    summary = officers.set_index("officer")
    for officer, segs in routes.groupby("officer", sort=False):
        info = summary.loc[officer]
        folder = kml.newfolder(name=f"{text['officer']} {officer}", description=(
            f"{info['length_m'] / 1000:.2f} km, {info['minutes']:.0f} {text['min']}\n"
            + "\n".join(info["turns"])))
        style = simplekml.Style()
        style.linestyle.color, style.linestyle.width = _kml_color(colors[officer]), 4
        for _, seg in segs.iterrows():
            line = folder.newlinestring(name=seg["name"] or text["unnamed_street"],
                                        coords=[tuple(c) for c in line_coords(seg.geometry)])
            line.description = f"#{int(seg['seq'])}, {seg['length_m']:.0f} m"
            line.style = style
    if key_points is not None and len(key_points):
        folder = kml.newfolder(name=text["key_points"])
        for _, row in validate_layer(key_points, "key_points").iterrows():
            point = folder.newpoint(name=str(row["name"]), coords=[(row.geometry.x,
                                                                    row.geometry.y)])
            point.description = f"{text['window']}: {window_text(row['window'], text)}"
    if uncovered is not None and len(uncovered):
        folder = kml.newfolder(name=text["uncovered"])
        style = simplekml.Style()
        style.linestyle.color, style.linestyle.width = _kml_color("#e41a1c"), 3
        for _, row in validate_layer(uncovered, "uncovered").iterrows():
            for part in getattr(row.geometry, "geoms", [row.geometry]):
                line = folder.newlinestring(name=row["name"] or text["unnamed_street"],
                                            coords=list(part.coords))
                line.description, line.style = str(row["reason"]), style
    with atomic_path(path) as tmp:
        kml.save(str(tmp))
    return Path(path)


# ------------------------------------------------------------------------- GeoJSON / GeoPackage

def _plain_layers(layers: Mapping[str, gpd.GeoDataFrame | None]) -> dict[str, gpd.GeoDataFrame]:
    """Validated WGS-84 layers (known names checked against their schema), empties dropped."""
    out: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    for name, frame in layers.items():
        if frame is None or len(frame) == 0:
            continue
        if name in SCHEMAS and SCHEMAS[name].geometry_types:
            out[name] = validate_layer(frame, name)
        elif isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
            out[name] = frame.to_crs(WGS84)
        else:
            problems.append(Problem(name, "", expected="a GeoDataFrame with a CRS",
                                    found=type(frame).__name__, fix="set its CRS"))
    if problems:
        raise InvalidInputError("layers cannot be exported", problems)
    return out


def _right_hand(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["geometry"] = shapely.orient_polygons(frame.geometry.to_numpy(), exterior_cw=False)
    return out


def _json_ready(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists joined by newlines, times as ISO text: values GeoJSON and GeoPackage both hold."""
    out = frame.copy()
    for column in out.columns.drop("geometry"):
        if out[column].map(lambda v: isinstance(v, list | tuple)).any():
            out[column] = out[column].map(lambda v: "\n".join(map(str, v))
                                          if isinstance(v, list | tuple) else v)
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(lambda t: None if pd.isna(t) else t.isoformat())
    return out


def geojson_document(layers: Mapping[str, gpd.GeoDataFrame | None], *,
                     attribution: str = "") -> dict:
    """One RFC 7946 FeatureCollection holding every layer (property ``layer``)."""
    features = []
    for name, frame in _plain_layers(layers).items():
        frame = _json_ready(_right_hand(frame))
        for feature in json.loads(frame.to_json(drop_id=True, na="null"))["features"]:
            feature["properties"] = {"layer": name, **feature["properties"]}
            features.append(feature)
    return {"type": "FeatureCollection", "attribution": _attribution(attribution),
            "crs_note": f"{CRS_NOTE}, RFC 7946", "features": features}


def write_geojson(layers: Mapping[str, gpd.GeoDataFrame | None], path: str | os.PathLike[str],
                  *, attribution: str = "") -> Path:
    doc = geojson_document(layers, attribution=attribution)
    return write_text(path, json.dumps(doc, ensure_ascii=False))


def officers_layer(routes: gpd.GeoDataFrame, officers: pd.DataFrame | None = None, *,
                   lang: str = "zh") -> gpd.GeoDataFrame:
    """Officer summaries as points at each route's start (for GeoPackage and GeoJSON)."""
    routes, officers = prepare_routes(routes, officers, labels(lang))
    starts = {o: shapely.Point(endpoints(s)[0]) for o, s in routes.groupby("officer", sort=False)}
    return gpd.GeoDataFrame(officers.copy(), geometry=[starts[o] for o in officers["officer"]],
                            crs=WGS84)


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame | None], path: str | os.PathLike[str], *,
               attribution: str = "") -> Path:
    """Every non-empty layer as its own table of one GeoPackage, each described with the
    attribution and CRS."""
    plain = _plain_layers(layers)
    if not plain:
        raise InvalidInputError("nothing to export", [Problem(
            "layers", "", expected="at least one non-empty layer", found="none",
            fix="pass the grids, routes or hotspots to export")])
    description = f"{_attribution(attribution)}. CRS: {CRS_NOTE}."
    with atomic_path(path) as tmp, tempfile.TemporaryDirectory(dir=Path(tmp).parent) as stage:
        staged = Path(stage) / "layers.gpkg"  # GDAL wants the .gpkg extension while writing
        for name, frame in plain.items():
            _json_ready(frame).to_file(staged, layer=name, driver="GPKG", engine="pyogrio",
                                       layer_options={"DESCRIPTION": description})
        os.replace(staged, tmp)
    return Path(path)


# ----------------------------------------------------------------------------------------- CSV

def write_turn_csv(routes: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
                   officers: pd.DataFrame | None = None, lang: str = "zh",
                   attribution: str = "") -> Path:
    """Turn lists, one row per instruction: officer, step, instruction, route length and minutes,
    and the data's attribution (a column, so the header is the first line for spreadsheets and
    ``pandas.read_csv``). UTF-8 with BOM."""
    text = labels(lang)
    routes, officers = prepare_routes(routes, officers, text)
    source = f"{_attribution(attribution)}; CRS: {CRS_NOTE}"
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["officer", "step", "instruction", "route_length_m", "route_minutes",
                         "attribution"])
        for _, row in officers.iterrows():
            for step, instruction in enumerate(row["turns"], 1):
                writer.writerow([row["officer"], step, instruction, f"{row['length_m']:.1f}",
                                 f"{row['minutes']:.1f}", source])
    return Path(path)
