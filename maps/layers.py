"""Input schemas of the maps and files: plain (Geo)DataFrames with documented columns.

The renderers never import result classes of routing, grids or hotspots: each result offers a
``to_frame()`` giving these columns, and anyone else can build them by hand. Frames may come in
any CRS (they must *have* one); :func:`validate_layer` reprojects them to WGS-84 (EPSG:4326),
the CRS every map and file here is drawn or written in.

Schemas (``*`` = optional):

- **jurisdictions**: ``code`` str, ``name`` str; Polygon/MultiPolygon.
- **grids**: ``code``, ``name``, ``parent_code`` str; ``enforcement`` int (officers);
  ``workload_h``\\* float (hours per week); ``station_lon``\\*, ``station_lat``\\* float (WGS-84
  degrees); Polygon/MultiPolygon. The layout (current / proposed) is given by the argument the
  frame is passed as.
- **routes**: ``officer`` str, ``seq`` int (order within the officer's route), ``name`` str
  (street name, may be empty), ``deadhead`` bool (walked without patrolling), ``length_m`` float,
  ``minutes`` float; LineString drawn in travel direction.
- **officers**\\* (plain DataFrame, no geometry): ``officer``, ``turns`` (list[str]),
  ``length_m``, ``minutes``. Derived from the routes by :func:`maps.routes.officer_summaries`
  when not given; start and end are the first and last point of the officer's route.
- **key_points**: ``id`` str, ``name`` str, ``window`` str like ``"08:00–09:00"`` or None,
  ``dwell_minutes`` float; Point.
- **uncovered**: ``name`` str, ``reason`` str; LineString/MultiLineString.
- **hotspots**: ``gi_z`` float, ``gi_p`` float, ``gi_bin`` int in −3…3, ``count`` int; Polygon.
- **zones**: ``side`` str (jurisdiction code of that side), ``code`` str (pair label, e.g.
  ``"310101|310106"``); Polygon/MultiPolygon.
- **meeting_points**: ``label`` str; Point.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from gridplan.errors import InvalidInputError, ProblemCollector

WGS84 = "EPSG:4326"
POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")
POINT = ("Point",)
_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d\s*[–—~-]\s*([01]\d|2[0-4]):[0-5]\d$")
_SHOWN_ROWS = 5  # problems listed per column before "and N more"


@dataclass(frozen=True)
class LayerSchema:
    """Columns (name → kind) a layer must or may have, and its allowed geometry types.

    Kinds: ``str`` (text, may be empty), ``int``, ``float``, ``bool``, ``list`` (list of str),
    ``window`` (``"HH:MM–HH:MM"`` or missing).
    """

    name: str
    required: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    geometry_types: tuple[str, ...] | None = None  # None: a plain DataFrame
    nullable: frozenset[str] = frozenset()


SCHEMAS: dict[str, LayerSchema] = {s.name: s for s in (
    LayerSchema("jurisdictions", {"code": "str", "name": "str"}, geometry_types=POLYGONAL),
    LayerSchema("grids", {"code": "str", "name": "str", "parent_code": "str", "enforcement": "int"},
                {"workload_h": "float", "station_lon": "float", "station_lat": "float"},
                geometry_types=POLYGONAL,
                nullable=frozenset({"workload_h", "station_lon", "station_lat"})),
    LayerSchema("routes", {"officer": "str", "seq": "int", "name": "str", "deadhead": "bool",
                           "length_m": "float", "minutes": "float"}, geometry_types=LINEAR,
                nullable=frozenset({"name"})),
    LayerSchema("officers", {"officer": "str", "turns": "list", "length_m": "float",
                             "minutes": "float"}),
    LayerSchema("key_points", {"id": "str", "name": "str", "window": "window",
                               "dwell_minutes": "float"}, geometry_types=POINT,
                nullable=frozenset({"window"})),
    LayerSchema("uncovered", {"name": "str", "reason": "str"}, geometry_types=LINEAR,
                nullable=frozenset({"name"})),
    LayerSchema("hotspots", {"gi_z": "float", "gi_p": "float", "gi_bin": "int", "count": "int"},
                geometry_types=POLYGONAL),
    LayerSchema("zones", {"side": "str", "code": "str"}, geometry_types=POLYGONAL),
    LayerSchema("meeting_points", {"label": "str"}, geometry_types=POINT),
)}


def _rows(index: pd.Index) -> str:
    shown = ", ".join(str(i) for i in index[:_SHOWN_ROWS])
    more = len(index) - _SHOWN_ROWS
    return f"rows {shown}" + (f" and {more} more" if more > 0 else "")


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _bad_values(series: pd.Series, kind: str) -> pd.Series:
    """Boolean mask of values that are present but not of ``kind``."""
    present = series.notna() if kind != "list" else pd.Series(True, index=series.index)
    if kind == "str":
        ok = series.map(lambda v: isinstance(v, str))
    elif kind == "int":
        ok = series.map(lambda v: _is_number(v) and float(v).is_integer())
    elif kind == "float":
        ok = series.map(_is_number)
    elif kind == "bool":
        ok = series.map(lambda v: isinstance(v, bool | np.bool_))
    elif kind == "list":
        ok = series.map(lambda v: isinstance(v, list | tuple)
                        and all(isinstance(t, str) for t in v))
    elif kind == "window":
        ok = series.map(lambda v: isinstance(v, str) and bool(_WINDOW.match(v.strip())))
    else:  # a programming error in SCHEMAS, not an input problem
        raise ValueError(f"unknown column kind {kind!r}")
    return present & ~ok.astype(bool)


def _check_column(frame: pd.DataFrame, column: str, kind: str, schema: LayerSchema,
                  issues: ProblemCollector) -> None:
    series = frame[column]
    missing = series.isna() if kind != "list" else series.map(lambda v: v is None)
    if column not in schema.nullable and missing.any():
        issues.add(f"column {column!r}, {_rows(frame.index[missing.to_numpy()])}",
                   expected=f"a {kind} value", found="missing value",
                   fix=f"fill {column!r} in every row")
    bad = _bad_values(series, kind)
    if bad.any():
        sample = series[bad].iloc[0]
        issues.add(f"column {column!r}, {_rows(frame.index[bad.to_numpy()])}",
                   expected=_KIND_TEXT[kind], found=f"{sample!r} ({type(sample).__name__})",
                   fix=f"convert {column!r} (e.g. frame[{column!r}].astype(...))")


_KIND_TEXT = {
    "str": "text", "int": "a whole number", "float": "a number", "bool": "True or False",
    "list": "a list of text lines", "window": "a time window like '08:00–09:00' (or None)",
}


def _check_geometry(frame: gpd.GeoDataFrame, schema: LayerSchema, issues: ProblemCollector) -> None:
    if frame.crs is None:
        issues.add("CRS", expected="a CRS on the GeoDataFrame", found="none",
                   fix="set it, e.g. frame.set_crs('EPSG:4326') for longitude/latitude")
    geoms = frame.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        issues.add(f"geometry, {_rows(frame.index[empty.to_numpy()])}",
                   expected="a geometry", found="missing or empty",
                   fix="drop those rows or give them a geometry")
    wrong = ~empty & ~geoms.geom_type.isin(schema.geometry_types)
    if wrong.any():
        found = ", ".join(sorted(set(geoms[wrong].geom_type)))
        issues.add(f"geometry, {_rows(frame.index[wrong.to_numpy()])}",
                   expected=" or ".join(schema.geometry_types), found=found,
                   fix=f"pass {schema.name} as {' / '.join(schema.geometry_types)} features")


def validate_layer(frame: pd.DataFrame | None, layer: str, *, source: str | None = None
                   ) -> pd.DataFrame:
    """Check ``frame`` against the schema of ``layer``; return it (a copy) in WGS-84.

    Raises InvalidInputError listing every missing column, wrong value type, missing value, bad
    geometry and missing CRS at once. Extra columns are kept.
    """
    schema = SCHEMAS[layer]
    issues = ProblemCollector(source or layer)
    if frame is None or not isinstance(frame, pd.DataFrame):
        issues.add("", expected="a GeoDataFrame" if schema.geometry_types else "a DataFrame",
                   found=type(frame).__name__, fix=f"pass the {layer} as a (Geo)DataFrame")
        issues.raise_if_any()
    if schema.geometry_types and not isinstance(frame, gpd.GeoDataFrame):
        issues.add("", expected="a GeoDataFrame", found=type(frame).__name__,
                   fix="wrap it: geopandas.GeoDataFrame(frame, geometry=..., crs=...)")
        issues.raise_if_any()
    for column in schema.required:
        if column not in frame.columns:
            issues.add(f"column {column!r}", expected=f"a column {column!r} "
                       f"({_KIND_TEXT[schema.required[column]]})", found="no such column",
                       fix=f"add {column!r}; present columns: {', '.join(map(str, frame.columns))}")
    for column, kind in (schema.required | schema.optional).items():
        if column in frame.columns:
            _check_column(frame, column, kind, schema, issues)
    if schema.geometry_types:
        _check_geometry(frame, schema, issues)
    if layer == "hotspots" and "gi_bin" in frame.columns and not issues:
        out_of_range = ~frame["gi_bin"].between(-3, 3)
        if out_of_range.any():
            issues.add(f"column 'gi_bin', {_rows(frame.index[out_of_range.to_numpy()])}",
                       expected="a Gi* confidence class in −3…3",
                       found=str(frame["gi_bin"][out_of_range].iloc[0]),
                       fix="use the classes of gridplan.hotspots.confidence_bins")
    issues.raise_if_any(f"{source or layer}: not a valid {layer} layer "
                        f"({len(issues)} problem{'s' if len(issues) != 1 else ''})")
    out = frame.copy()
    if schema.geometry_types:
        out = out.to_crs(WGS84)
    return out


def optional_layer(frame: pd.DataFrame | None, layer: str, *, source: str | None = None
                   ) -> pd.DataFrame | None:
    """Like :func:`validate_layer`, but None (or an empty frame) stands for 'no such layer'."""
    if frame is None or len(frame) == 0:
        return None
    return validate_layer(frame, layer, source=source)


def require_same_officers(routes: pd.DataFrame, officers: pd.DataFrame) -> None:
    """Every officer of the routes has a summary row and vice versa."""
    issues = ProblemCollector("officers")
    in_routes, in_summary = set(routes["officer"]), set(officers["officer"])
    for name in sorted(in_routes - in_summary):
        issues.add(f"officer {name!r}", expected="a summary row for every routed officer",
                   found="none", fix="add the officer or let the summary be derived from routes")
    for name in sorted(in_summary - in_routes):
        issues.add(f"officer {name!r}", expected="route segments for every summarised officer",
                   found="none", fix="drop the summary row or add the route")
    issues.raise_if_any(error=InvalidInputError)
