"""Officers' GPS tracks as phones and platforms export them.

Formats (by file name):

* **GPX 1.0 / 1.1** (``.gpx``): every point of every track segment (the track's ``<name>`` is the
  officer, else the file name); waypoints with a time (patrol check-ins, 电子巡更) are points
  too; planned ``<rte>`` routes are not tracks and are ignored.
* **CSV** (``.csv``): columns ``officer, time, lon, lat`` and optionally ``accuracy`` (metres, as
  phones report it: the radius holding 68 % of fixes, e.g. Android ``Location.getAccuracy``).
  Common spellings are accepted (``officer_id``/``user``, ``timestamp``, ``lng``/``longitude``,
  ``latitude``, ``acc``/``accuracy_m``).
* **GeoJSON** (``.geojson``/``.json``): Point features with ``officer`` and ``time`` properties,
  or LineString features with per-vertex times in ``coordTimes`` or
  ``coordinateProperties.times`` (as GPX converters write them).

Coordinates are WGS-84, GCJ-02 or BD-09 (``coords``), shifted to WGS-84. Times are ISO 8601
(with or without offset; without one they are local time in ``tz``) or epoch seconds /
milliseconds.

Bad points are **flagged, not fatal**: the frame keeps them with a non-empty ``flag`` (``time``,
``position``, ``duplicate time``, ``jump``, ``outside``) and the warnings list every kind with
where it is; the coverage workflow leaves flagged points out. A file that cannot be used at all
(unreadable, missing columns, no points) is an error, reported together with every other file's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import numpy as np
import pandas as pd

from geodata.coords import COORD_SYSTEMS, from_wgs84, to_wgs84
from geodata.files import atomic_path
from geodata.incidents import diagnose_datum, parse_time_text
from geodata.tables import Loaded, missing_column, read_csv, require_file
from gridplan.coverage.params import TrackParams
from gridplan.coverage.plan_compare import PlannedRoute
from gridplan.errors import InputFileError, Problem, ProblemCollector
from gridplan.network import StreetNetwork

TRACK_SUFFIXES = (".gpx", ".csv", ".geojson", ".json")
MAX_LISTED = 5  # places listed per kind of problem and file; the count says how many more
_ALIASES = {
    "officer": ("officer", "officer_id", "user", "user_id", "name", "person"),
    "time": ("time", "timestamp", "datetime", "ts", "gps_time"),
    "lon": ("lon", "lng", "longitude", "x"),
    "lat": ("lat", "latitude", "y"),
    "accuracy": ("accuracy", "acc", "accuracy_m", "hacc"),
}
COLUMNS = ["officer", "time", "accuracy", "flag", "source", "where", "found", "geometry"]


def load_tracks(paths: Sequence[str | os.PathLike[str]], *, coords: str = "wgs84",
                tz: str = "Asia/Shanghai", network: StreetNetwork | None = None,
                mode: str | None = None, params: TrackParams | None = None) -> Loaded:
    """Read track files into one point frame (WGS-84; see the module docstring).

    With ``network`` points far outside its extent are flagged and the datum is diagnosed
    (a warning naming the ``--coords`` that fits the streets better). ``mode`` (default the
    network's, else walk) sets the speed above which a jump is flagged.
    """
    params = params or TrackParams()
    fatal = ProblemCollector("tracks")
    if coords not in COORD_SYSTEMS:
        fatal.add("--coords", expected=f"one of {', '.join(COORD_SYSTEMS)}", found=coords,
                  fix="gcj02 for Amap/Tencent exports, bd09 for Baidu")
    raw = []
    for path in paths:
        try:
            raw.append(_read_one(Path(path), fatal))
        except InputFileError as exc:
            fatal.problems += exc.problems
    fatal.raise_if_any(f"{len(fatal)} problem(s) with the track files")
    table = pd.concat(raw, ignore_index=True)
    if table.empty:
        fatal.add("", expected="at least one track point", found="no points in "
                  f"{len(raw)} file(s)", fix="check the export (tracks, not routes)")
        fatal.raise_if_any("no track points")
    frame = _checked(table, coords=coords, tz=tz, network=network,
                     mode=mode or (network.mode if network else "walk"), params=params)
    warnings = _warnings(frame)
    if network is not None:
        good = frame[frame["flag"] == ""]
        problem = diagnose_datum(good, network, coords_used=coords) if len(good) else None
        if problem is not None:
            warnings.append(replace(problem, source="tracks"))
    return Loaded(frame, warnings, ", ".join(str(p) for p in paths))


# ---------------------------------------------------------------------------------- reading
def _read_one(path: Path, fatal: ProblemCollector) -> pd.DataFrame:
    require_file(path, kinds=TRACK_SUFFIXES, what="GPX, CSV or GeoJSON track file")
    suffix = path.suffix.lower()
    reader = {".gpx": _read_gpx, ".csv": _read_csv}.get(suffix, _read_geojson)
    table = reader(path, fatal)
    table["source"] = str(path)
    return table


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["officer", "time", "lon", "lat", "accuracy", "where"])


def _read_gpx(path: Path, fatal: ProblemCollector) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            doc = gpxpy.parse(handle)
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as exc:
        raise InputFileError(f"{path}: not readable GPX", [Problem(
            str(path), "", "a GPX 1.0 or 1.1 file", f"{type(exc).__name__}: {exc}",
            "re-export the track as GPX")]) from exc
    rows = []
    for t, track in enumerate(doc.tracks, 1):
        officer = track.name or path.stem
        for s, segment in enumerate(track.segments, 1):
            for p, point in enumerate(segment.points, 1):
                rows.append((officer, _gpx_time(point), point.longitude, point.latitude,
                             np.nan, f"track {t} segment {s} point {p}"))
    for w, point in enumerate(doc.waypoints, 1):
        if point.time is not None:
            rows.append((path.stem, _gpx_time(point), point.longitude, point.latitude, np.nan,
                         f"waypoint {w}"))
    return _frame(rows)


def _gpx_time(point) -> str:
    return point.time.isoformat() if point.time is not None else ""


def _read_csv(path: Path, fatal: ProblemCollector) -> pd.DataFrame:
    table = read_csv(path)
    found = {}
    for name, spellings in _ALIASES.items():
        hit = next((c for c in table.columns if str(c).strip().lower() in spellings), None)
        if hit is not None:
            found[name] = hit
        elif name != "accuracy":
            close = missing_column(str(path), "", name, table.columns).fix.split("?")[0]
            hint = f"{close}? " if close.startswith("did you mean") else ""
            fatal.add("header", expected=f"a column '{name}' (or {', '.join(spellings[1:])})",
                      found=f"columns {', '.join(map(str, table.columns))}",
                      fix=f"{hint}rename the column to '{name}'", source=str(path))
    if len(found) < 4:
        return _frame([])
    acc = table[found["accuracy"]] if "accuracy" in found else pd.Series(np.nan, table.index)
    return pd.DataFrame({
        "officer": table[found["officer"]].astype(str).str.strip(),
        "time": table[found["time"]], "lon": table[found["lon"]], "lat": table[found["lat"]],
        "accuracy": pd.to_numeric(acc, errors="coerce"),
        "where": [f"row {i + 2}" for i in range(len(table))]})


def _read_geojson(path: Path, fatal: ProblemCollector) -> pd.DataFrame:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not readable GeoJSON", [Problem(
            str(path), "", "a GeoJSON FeatureCollection", f"{type(exc).__name__}: {exc}",
            "re-export the tracks as GeoJSON")]) from exc
    features = doc.get("features", [doc]) if isinstance(doc, dict) else []
    rows = []
    for f, feature in enumerate(features, 1):
        rows += _feature_rows(feature, f, path, fatal)
    return _frame(rows)


def _feature_rows(feature, f: int, path: Path, fatal: ProblemCollector) -> list[tuple]:
    props = feature.get("properties") or {} if isinstance(feature, dict) else {}
    geom = feature.get("geometry") or {} if isinstance(feature, dict) else {}
    officer = str(props.get("officer") or props.get("name") or path.stem)
    kind, coords = geom.get("type"), geom.get("coordinates")
    if kind == "Point" and coords:
        return [(officer, str(props.get("time", "")), coords[0], coords[1],
                 props.get("accuracy", np.nan), f"feature {f}")]
    if kind in ("LineString", "MultiLineString") and coords:
        lines = coords if kind == "MultiLineString" else [coords]
        times = props.get("coordTimes") or (props.get("coordinateProperties") or {}).get(
            "times") or []
        times = times if kind == "MultiLineString" else [times]
        rows = []
        for part, (line, stamps) in enumerate(zip(lines, [*times, *[[]] * len(lines)],
                                                   strict=False), 1):
            if len(stamps) != len(line):
                fatal.add(f"feature {f}", expected="a time per vertex (coordTimes)",
                          found=f"{len(stamps)} times for {len(line)} vertices",
                          fix="export the track with its times", source=str(path))
                continue
            rows += [(officer, str(t), c[0], c[1], np.nan, f"feature {f} part {part} vertex "
                      f"{v}") for v, (c, t) in enumerate(zip(line, stamps, strict=True), 1)]
        return rows
    fatal.add(f"feature {f}", expected="a Point with a time or a LineString with coordTimes",
              found=str(kind), fix="export GPS fixes as points or timed lines",
              source=str(path))
    return []


# ---------------------------------------------------------------------------------- checks
def _checked(table: pd.DataFrame, *, coords: str, tz: str, network: StreetNetwork | None,
             mode: str, params: TrackParams) -> gpd.GeoDataFrame:
    lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(float)
    flag = np.full(len(table), "", dtype=object)
    bad_pos = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    flag[bad_pos] = "position"
    times = pd.Series([_parse_time(v, tz) for v in table["time"]], dtype="datetime64[ns, UTC]")
    flag[(flag == "") & times.isna().to_numpy()] = "time"
    found = _found_values(table, flag)
    wlon, wlat = to_wgs84(np.where(bad_pos, 0, lon), np.where(bad_pos, 0, lat), coords=coords)
    frame = gpd.GeoDataFrame({
        "officer": table["officer"].astype(str).to_numpy(), "time": times.dt.tz_convert(tz),
        "accuracy": pd.to_numeric(table["accuracy"], errors="coerce").to_numpy(float),
        "flag": flag, "source": table["source"].to_numpy(), "where": table["where"].to_numpy(),
        "found": found},
        geometry=gpd.GeoSeries(gpd.points_from_xy(wlon, wlat)).where(~bad_pos, None),
        crs="EPSG:4326")
    if network is not None:
        _flag_outside(frame, network, params)
    frame = frame.sort_values(["officer", "time"], kind="stable", na_position="last")
    _flag_duplicates(frame)
    _flag_jumps(frame, params.max_speed_mps(mode), params.jump_tolerance_m)
    return frame.reset_index(drop=True)[COLUMNS]


def _found_values(table: pd.DataFrame, flag: np.ndarray) -> np.ndarray:
    """What an unreadable point holds, for its report: the position or the time as written."""
    def text(value: object) -> str:
        if pd.isna(value) or str(value).strip() == "":
            return "empty"
        try:
            return str(float(str(value)))
        except ValueError:
            return repr(str(value))[:40]

    found = np.full(len(flag), "", dtype=object)
    for i in np.flatnonzero(flag == "position"):
        found[i] = f"{text(table['lon'].iat[i])}, {text(table['lat'].iat[i])}"
    for i in np.flatnonzero(flag == "time"):
        found[i] = text(table["time"].iat[i])
    return found


def _parse_time(value: object, tz: str) -> pd.Timestamp:
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return parse_time_text(text, tz) if text else pd.NaT
    if not np.isfinite(number):
        return pd.NaT
    seconds = number / 1000.0 if abs(number) > 1e11 else number  # epoch ms past year 5138
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def _flag_outside(frame: gpd.GeoDataFrame, network: StreetNetwork, params: TrackParams) -> None:
    nodes = network.graph.nodes
    xs = np.array([d["x"] for _, d in nodes(data=True)])
    ys = np.array([d["y"] for _, d in nodes(data=True)])
    ok = frame["flag"] == ""
    metric = frame.loc[ok].geometry.to_crs(network.crs)
    m = params.area_margin_m
    far = ((metric.x < xs.min() - m) | (metric.x > xs.max() + m) | (metric.y < ys.min() - m)
           | (metric.y > ys.max() + m))
    frame.loc[far.index[far.to_numpy()], "flag"] = "outside"


def _flag_duplicates(frame: gpd.GeoDataFrame) -> None:
    ok = frame["flag"] == ""
    dup = frame.loc[ok].duplicated(["officer", "time"], keep="first")
    frame.loc[dup.index[dup.to_numpy()], "flag"] = "duplicate time"


def _flag_jumps(frame: gpd.GeoDataFrame, vmax_mps: float, tolerance_m: float) -> None:
    """Flag a point reached from the last good point faster than ``vmax_mps`` (beyond
    ``tolerance_m`` of GPS noise); a track's first point is flagged instead when it is the one
    out of line (too fast to the second, which fits the third)."""
    ok = (frame["flag"] == "").to_numpy()
    rows = np.flatnonzero(ok)
    metric = frame.iloc[rows].geometry.to_crs(frame.estimate_utm_crs()) if len(rows) else None
    if metric is None:
        return
    xy = np.column_stack([metric.x, metric.y])
    t = ((frame["time"].iloc[rows] - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
         ).to_numpy(float)
    who = frame["officer"].iloc[rows].to_numpy()

    def fast(a: int, b: int) -> bool:
        dist = max(0.0, float(np.hypot(*(xy[b] - xy[a]))) - tolerance_m)
        return dist > vmax_mps * max(t[b] - t[a], 1e-9)

    flagged = []
    last = None
    for i in range(len(rows)):
        if last is None or who[last] != who[i]:
            last = i
            if i + 2 < len(rows) and who[i + 2] == who[i] and fast(i, i + 1) and not fast(
                    i + 1, i + 2):
                flagged.append(i)
                last = None
            continue
        if fast(last, i):
            flagged.append(i)
        else:
            last = i
    frame.iloc[rows[flagged], frame.columns.get_loc("flag")] = "jump"


# ---------------------------------------------------------------------------------- report
_FIXES = {
    "position": ("longitude within ±180 and latitude within ±90",
                 "correct or remove the point"),
    "time": ("a time (ISO 8601 like 2026-11-25T08:30:00+08:00, or epoch s/ms)",
             "correct the time or remove the point"),
    "duplicate time": ("one fix per officer and time",
                       "the phone logged twice; the first is kept"),
    "jump": ("moves no faster than a person walks or a car drives",
             "a GPS outlier; left out of matching"),
    "outside": ("points in or near the street network's area",
                "check the coordinates (another city? swapped?) or the network file"),
}


def flagged_points(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per file and kind of flag (a stable code: ``position``, ``time``, ``duplicate time``,
    ``jump``, ``outside``): how many points, and the first places (``row 7``, …) — what the
    loader's warnings say in words, for a door that says it in its own language."""
    return [{"source": source, "flag": flag, "points": len(rows),
             "places": list(rows["where"].head(MAX_LISTED)),
             "found": list(rows["found"].head(MAX_LISTED))}
            for (source, flag), rows in frame[frame["flag"] != ""].groupby(["source", "flag"],
                                                                           sort=True)]


def _warnings(frame: gpd.GeoDataFrame) -> list[Problem]:
    """One problem per kind of flag and file, listing the first places and counting the rest."""
    out = []
    for f in flagged_points(frame):
        expected, fix = _FIXES[f["flag"]]
        more = f" and {f['points'] - MAX_LISTED} more" if f["points"] > MAX_LISTED else ""
        places = ", ".join(f"{where} ({value})" if value else where
                           for where, value in zip(f["places"], f["found"], strict=True))
        out.append(Problem(f["source"], f"{f['points']} point(s)", expected,
                           f"{f['flag']}: {places}{more}", f"flagged and left out: {fix}"))
    return out


def tracks_to_metric(loaded: Loaded, crs: object) -> gpd.GeoDataFrame:
    """The point frame in ``crs`` (what :func:`gridplan.coverage.track_coverage` takes)."""
    return loaded.frame.to_crs(crs)


# ---------------------------------------------------------------------------------- plans, output
def read_coverage(path: str | os.PathLike[str]) -> dict:
    """A coverage report as ``gridplan tracks coverage --out`` writes it (``coverage.json``,
    or a saved ``track_coverage`` job result): what :func:`gridplan.coverage.missed_share`
    reads (its fields are checked there)."""
    path = require_file(path, kinds=(".json",), what="coverage.json from gridplan tracks coverage")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not JSON", [Problem(
            str(path), "", "the coverage.json written by gridplan tracks coverage --out",
            f"{type(exc).__name__}: {exc}", "pass that file, unchanged")]) from exc
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: not a coverage report", [Problem(
            str(path), "", "a JSON object with streets and passes", type(data).__name__,
            "pass the coverage.json written by gridplan tracks coverage --out")])
    return data


def load_planned_routes(path: str | os.PathLike[str]) -> list[PlannedRoute]:
    """The routes of a plan as ``gridplan routes`` writes it (``<grid>.geojson``: features of
    layer ``routes`` with ``officer``, ``street_id`` and ``deadhead``)."""
    path = require_file(path, kinds=(".geojson", ".json"), what="plan GeoJSON from gridplan routes")
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        steps = [f["properties"] for f in doc["features"]
                 if f.get("properties", {}).get("layer") == "routes"]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputFileError(f"{path}: not a plan", [Problem(
            str(path), "", "the GeoJSON written by gridplan routes", f"{type(exc).__name__}: "
            f"{exc}", "pass the <grid>.geojson from gridplan routes --out")]) from exc
    if not steps:
        raise InputFileError(f"{path}: no routes", [Problem(
            str(path), "", "features with layer 'routes'", "none",
            "pass the <grid>.geojson from gridplan routes --out")])
    by_officer: dict[str, tuple[set[str], set[str]]] = {}
    for p in steps:
        serve, connect = by_officer.setdefault(str(p.get("officer", "")), (set(), set()))
        (connect if p.get("deadhead") else serve).add(str(p.get("street_id")))
    return [PlannedRoute(o, frozenset(s), frozenset(c - s)) for o, (s, c) in by_officer.items()]


def write_coverage_csv(streets: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """One row per street of the report (no geometry), UTF-8 with BOM for spreadsheet apps."""
    table = pd.DataFrame(streets.drop(columns=["geometry", "street"], errors="ignore"))
    for col in ("walked_m", "length_m"):
        table[col] = table[col].round(1)
    for col in ("last_walked", "last_night", "last_weekend"):
        table[col] = table[col].map(lambda t: "" if pd.isna(t) else t.isoformat(
            timespec="seconds"))
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)


def write_tracks_csv(points: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
                     coords: str = "wgs84") -> Path:
    """Points (``officer``, ``time``, any CRS) as the CSV :func:`load_tracks` reads, in
    ``coords`` (e.g. gcj02, as Amap-based patrol apps export), times ISO 8601 with offset.
    Extra columns such as ``simulated`` are kept."""
    wgs = points.to_crs("EPSG:4326")
    lon, lat = from_wgs84(wgs.geometry.x.to_numpy(), wgs.geometry.y.to_numpy(), coords=coords)
    table = pd.DataFrame({"officer": wgs["officer"].astype(str),
                          "time": wgs["time"].map(lambda t: t.isoformat(timespec="seconds")),
                          "lon": np.round(lon, 7), "lat": np.round(lat, 7)})
    for extra in wgs.columns.difference(["officer", "time", "geometry"]):
        table[extra] = wgs[extra].to_numpy()
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8")
    return Path(path)
