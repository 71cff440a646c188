"""Incident points from CSV or GeoJSON exports (12319 hotline, 数字城管, patrol apps).

Columns are mapped explicitly (``lon_col``/``lat_col`` or ``x_col``/``y_col``, ``time_col``,
``category_col``, ``id_col``); times may be ISO 8601 strings or epoch seconds / milliseconds and
are read as local time (Asia/Shanghai by default, ``tz=``) when they carry no offset; every time
comes back in that zone, the zone hotspot profiles, peak windows and weeks are counted in. Points
given in GCJ-02 or BD-09 are shifted to WGS-84. Every problem in the file is collected into one
report.

Output columns: ``id``, ``time`` (tz-aware), ``category`` (original label), ``event_class``
(national class), ``geometry`` (WGS-84 points); non-fatal findings come back as warnings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.coords import COORD_SYSTEMS, to_wgs84
from geodata.tables import Loaded, missing_column, read_csv, read_vector, require_file, row_label
from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.events import classify
from gridplan.network import StreetNetwork
from gridplan.timezones import is_time_zone

INCIDENT_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg")
MAX_ROWS_LISTED = 8  # per kind of problem; the count says how many more


def load_incidents(
    path: str | os.PathLike[str],
    *,
    lon_col: str | None = None,
    lat_col: str | None = None,
    x_col: str | None = None,
    y_col: str | None = None,
    xy_crs: str | None = None,
    time_col: str = "time",
    category_col: str | None = None,
    id_col: str | None = None,
    coords: str = "wgs84",
    tz: str = "Asia/Shanghai",
    category_map: Mapping[str, str] | None = None,
    area_wgs84: tuple[float, float, float, float] | None = None,
    area_margin_km: float = 5.0,
    drop_outside: bool = False,
) -> Loaded:
    """Load incidents; see the module docstring for columns.

    ``x_col``/``y_col`` with ``xy_crs`` read projected coordinates (e.g. a CGCS2000 Gauss–Krüger
    export). ``area_wgs84`` (west, south, east, north) flags points farther than
    ``area_margin_km`` outside the loaded area — an error unless ``drop_outside``.
    """
    path = require_file(path, kinds=INCIDENT_SUFFIXES, what="CSV or GeoJSON incident file")
    src = str(path)
    table = read_csv(path) if src.lower().endswith(".csv") else read_vector(path)
    issues = ProblemCollector(src)
    _check_columns(
        table,
        issues,
        lon_col=lon_col,
        lat_col=lat_col,
        x_col=x_col,
        y_col=y_col,
        xy_crs=xy_crs,
        time_col=time_col,
        category_col=category_col,
        id_col=id_col,
        coords=coords,
        tz=tz,
    )
    issues.raise_if_any(f"{src}: the column mapping does not fit the file")

    lon, lat = _positions(
        table, issues, lon_col=lon_col, lat_col=lat_col, x_col=x_col, y_col=y_col, xy_crs=xy_crs
    )
    times = _times(table[time_col], issues, tz=tz)
    ids = (
        table[id_col].astype(str)
        if id_col
        else pd.Series([str(i + 1) for i in range(len(table))], index=table.index)
    )
    _duplicates(ids, issues, id_col)
    warnings: list[Problem] = []
    ok = ~(np.isnan(lon) | np.isnan(lat))
    if area_wgs84 is not None:
        outside = _outside(lon, lat, area_wgs84, area_margin_km) & ok
        if outside.any():
            problem = _outside_problem(
                src, table.index[outside], lon[outside], lat[outside], area_wgs84, area_margin_km
            )
            if drop_outside:
                warnings.append(problem)
                ok &= ~outside
            else:
                issues.problems.append(problem)
    issues.raise_if_any(f"{src}: {len(issues)} problem(s) in the incident table")

    wlon, wlat = to_wgs84(lon[ok], lat[ok], coords=coords)
    labels = table[category_col].astype(str) if category_col else pd.Series("", index=table.index)
    frame = gpd.GeoDataFrame(
        {
            "id": ids[ok].to_numpy(),
            "time": times[ok].to_numpy() if len(times) else times,
            "category": labels[ok].to_numpy(),
            "event_class": [classify(c, category_map).value for c in labels[ok]],
        },
        geometry=gpd.points_from_xy(wlon, wlat),
        crs="EPSG:4326",
    )
    frame["time"] = pd.to_datetime(frame["time"], utc=True).dt.tz_convert(tz)
    return Loaded(frame, warnings, src)


def _check_columns(
    table,
    issues: ProblemCollector,
    *,
    lon_col,
    lat_col,
    x_col,
    y_col,
    xy_crs,
    time_col,
    category_col,
    id_col,
    coords,
    tz,
) -> None:
    src = issues.source
    has_lonlat, has_xy = bool(lon_col or lat_col), bool(x_col or y_col)
    geo = isinstance(table, gpd.GeoDataFrame) and table.geometry.notna().any()
    if not (has_lonlat or has_xy or geo):
        issues.add(
            "header",
            expected="--lon-col and --lat-col (or --x-col/--y-col)",
            found="no position columns given",
            fix="name the longitude and latitude columns",
        )
    if has_lonlat and has_xy:
        issues.add("options", expected="lon/lat OR x/y columns", found="both", fix="give one pair")
    if has_xy and not xy_crs:
        issues.add(
            "options",
            expected="--xy-crs with --x-col/--y-col",
            found="no CRS",
            fix="e.g. --xy-crs EPSG:4549 for CGCS2000 3-degree Gauss–Krüger 120°E",
        )
    for option, col in (
        ("--lon-col", lon_col),
        ("--lat-col", lat_col),
        ("--x-col", x_col),
        ("--y-col", y_col),
        ("--time-col", time_col),
        ("--category-col", category_col),
        ("--id-col", id_col),
    ):
        if col and col not in table.columns:
            issues.problems.append(missing_column(src, option, col, table.columns))
    if not is_time_zone(tz):
        issues.add(
            "options",
            expected="--tz an IANA time zone (Asia/Shanghai, America/Los_Angeles, UTC …)",
            found=repr(tz),
            fix="name the zone the export's clock times are in",
        )
    if coords not in COORD_SYSTEMS:
        issues.add(
            "options",
            expected=f"--coords one of {', '.join(COORD_SYSTEMS)}",
            found=coords,
            fix="gcj02 for Amap/Tencent exports, bd09 for Baidu",
        )


def _numbers(series: pd.Series, issues: ProblemCollector, option: str) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(float)
    bad = np.isnan(values)
    _rows(
        issues,
        series.index[bad],
        expected=f"a number in {option} '{series.name}'",
        found=[repr(v) for v in series[bad]],
        fix="remove the row or correct the value",
    )
    return values


def _positions(table, issues, *, lon_col, lat_col, x_col, y_col, xy_crs):
    if lon_col and lat_col:
        lon = _numbers(table[lon_col], issues, "--lon-col")
        lat = _numbers(table[lat_col], issues, "--lat-col")
        _check_lonlat(table.index, lon, lat, issues)
        return lon, lat
    if x_col and y_col:
        x = _numbers(table[x_col], issues, "--x-col")
        y = _numbers(table[y_col], issues, "--y-col")
        pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=xy_crs).to_crs("EPSG:4326")
        return pts.x.to_numpy(float), pts.y.to_numpy(float)
    pts = table.geometry.to_crs("EPSG:4326")
    not_points = pts.geom_type != "Point"
    _rows(
        issues,
        table.index[not_points.to_numpy()],
        expected="point geometries",
        found=list(pts.geom_type[not_points]),
        fix="use point features (one per incident)",
    )
    pts = pts.where(~not_points)
    return pts.x.to_numpy(float), pts.y.to_numpy(float)


def _check_lonlat(index, lon, lat, issues: ProblemCollector) -> None:
    valid = ~(np.isnan(lon) | np.isnan(lat))
    swapped = valid & (np.abs(lat) > 90) & (np.abs(lon) <= 90)
    if valid.any() and swapped.sum() >= 0.5 * valid.sum():
        issues.add(
            "all rows",
            expected="longitude in --lon-col and latitude in --lat-col",
            found=f"{int(swapped.sum())} of {int(valid.sum())} rows have |lat| > 90 "
            "and a valid latitude in the longitude column",
            fix="swap the columns: --lon-col and --lat-col are the other way round",
        )
        return
    out = valid & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    _rows(
        issues,
        index[out],
        expected="longitude within ±180 and latitude within ±90",
        found=[f"({a}, {b})" for a, b in zip(lon[out], lat[out], strict=True)],
        fix="check the coordinates; projected x/y need --x-col/--y-col with --xy-crs",
    )


def _times(series: pd.Series, issues: ProblemCollector, *, tz: str) -> pd.Series:
    text = series.astype(str).str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    is_num = numeric.notna()
    if is_num.any():  # epoch: milliseconds when too large to be seconds (after year 5138)
        ms = numeric[is_num].abs() > 1e11
        secs = numeric[is_num].where(~ms, numeric[is_num] / 1000.0)
        out[is_num] = pd.to_datetime(secs, unit="s", utc=True)
    if (~is_num).any():
        out[~is_num] = _parse_texts(text[~is_num], tz)
    bad = out.isna()
    _rows(
        issues,
        series.index[bad.to_numpy()],
        expected=f"a time in '{series.name}' (ISO 8601 like 2026-11-25 21:30, or epoch s/ms)",
        found=[repr(v) for v in series[bad]],
        fix="correct or remove the value",
    )
    return out


#: An ISO 8601 time that says its own offset (``Z``, ``+08:00``, ``-0700``).
_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"


def _parse_texts(text: pd.Series, tz: str) -> pd.Series:
    """Text times as UTC, all at once (a per-row parse took seconds on 20k rows); unparsable
    ones become NaT (reported by the caller)."""
    text = text.str.replace("/", "-", regex=False)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    aware = text.str.contains(_OFFSET, regex=True)
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], errors="coerce", utc=True, format="mixed")
    if (~aware).any():
        naive = pd.to_datetime(text[~aware], errors="coerce", format="mixed")
        # Wall-clock times at a daylight-saving change: an hour that happens twice is read as
        # its first (summer-time) occurrence, an hour that never happens as the hour after.
        local = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool),
                                     nonexistent="shift_forward")
        out[~aware] = local.dt.tz_convert("UTC")
    return out


def parse_time_text(text: str, tz: str) -> pd.Timestamp:
    """One text time as UTC (NaT when unparsable), by the same rules as a whole column
    (:mod:`geodata.tracks` reads GPS fixes one by one)."""
    return _parse_texts(pd.Series([text]), tz).iloc[0]


def _duplicates(ids: pd.Series, issues: ProblemCollector, id_col: str | None) -> None:
    dup = ids.duplicated(keep="first") & (ids != "")
    _rows(
        issues,
        ids.index[dup.to_numpy()],
        expected=f"unique ids in '{id_col}'",
        found=[f"id {v} repeated" for v in ids[dup]],
        fix="remove the duplicate rows",
    )


def _rows(issues: ProblemCollector, index, *, expected: str, found: list[str], fix: str) -> None:
    """Add one problem per bad row, the first few listed and the rest counted."""
    index = list(index)
    for i, f in list(zip(index, found, strict=True))[:MAX_ROWS_LISTED]:
        issues.add(row_label(i), expected=expected, found=f, fix=fix)
    if len(index) > MAX_ROWS_LISTED:
        issues.add(
            f"{len(index) - MAX_ROWS_LISTED} more rows",
            expected=expected,
            found="the same problem",
            fix=fix,
        )


def _outside(lon, lat, area, margin_km: float) -> np.ndarray:
    w, s, e, n = area
    dlat = margin_km / 111.0
    dlon = margin_km / (111.0 * max(np.cos(np.radians((s + n) / 2)), 0.1))
    with np.errstate(invalid="ignore"):
        return (lon < w - dlon) | (lon > e + dlon) | (lat < s - dlat) | (lat > n + dlat)


def _outside_problem(src, index, lon, lat, area, margin_km) -> Problem:
    first = ", ".join(
        f"{row_label(i)} ({a:.5f}, {b:.5f})"
        for i, a, b in list(zip(index, lon, lat, strict=True))[:5]
    )
    return Problem(
        src,
        f"{len(index)} rows",
        f"points within {margin_km:g} km of the loaded "
        f"area ({area[0]:.4f}, {area[1]:.4f}, {area[2]:.4f}, {area[3]:.4f})",
        f"far outside: {first}",
        "check the coordinates (swapped? another city?) or pass --drop-outside to exclude them",
    )


def diagnose_datum(
    incidents: gpd.GeoDataFrame,
    network: StreetNetwork,
    *,
    coords_used: str = "wgs84",
    threshold_m: float = 60.0,
    min_gap_m: float = 15.0,
) -> Problem | None:
    """Warn when the points fit the streets much better read in another datum.

    Real incidents are reported on or beside streets. Points exported in GCJ-02 or BD-09 but read
    as WGS-84 sit 100–700 m off: in the suburbs hundreds of metres from every street, downtown
    (streets every 100 m) still a few tens of metres off, but either way the median distance to
    the nearest street drops sharply once the points are read in the right datum. The warning
    names the ``--coords`` that fits best; without a better fit it warns past ``threshold_m``.
    """
    if incidents.empty:
        return None
    tree = shapely.STRtree([d["geometry"] for _, _, d in network.graph.edges(data=True)])

    def median_gap(points: gpd.GeoSeries) -> float:
        metric = points.to_crs(network.crs).values
        _, dist = tree.query_nearest(metric, return_distance=True, all_matches=False)
        return float(np.median(dist))

    base = median_gap(incidents.geometry)
    if base <= min_gap_m:
        return None
    lon, lat = incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    best, best_gap = None, base
    for system in ("gcj02", "bd09"):
        if system != coords_used:
            wlon, wlat = to_wgs84(lon, lat, coords=system)
            gap = median_gap(gpd.GeoSeries(gpd.points_from_xy(wlon, wlat), crs="EPSG:4326"))
            if gap < best_gap:
                best, best_gap = system, gap
    expected = "points on or beside streets"
    if best is not None and best_gap < 0.5 * base:
        return Problem(
            "incidents",
            "all rows",
            f"{expected} as read with --coords {coords_used}",
            f"median {base:.0f} m from the nearest street; read as {best.upper()} "
            f"the median is {best_gap:.0f} m",
            f"the export looks like {best.upper()}: pass --coords {best}",
        )
    if base > threshold_m:
        return Problem(
            "incidents",
            "all rows",
            f"{expected} (median under {threshold_m:.0f} m)",
            f"median {base:.0f} m",
            "check the export's coordinate system and area",
        )
    return None


def incidents_summary(frame: gpd.GeoDataFrame) -> dict:
    """Count, bbox (WGS-84), time span and counts by national class."""
    if frame.empty:
        raise InvalidInputError(
            "no incidents to summarise",
            [
                Problem(
                    "incidents", "", "at least one incident", "none", "check the file and filters"
                )
            ],
        )
    w, s, e, n = frame.total_bounds
    return {
        "count": int(len(frame)),
        "bbox_wgs84": [
            round(float(w), 6),
            round(float(s), 6),
            round(float(e), 6),
            round(float(n), 6),
        ],
        "time_first": frame["time"].min().isoformat(),
        "time_last": frame["time"].max().isoformat(),
        "by_class": {k: int(v) for k, v in frame["event_class"].value_counts().items()},
    }
