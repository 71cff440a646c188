"""Shared helpers for reading vector files and tables with clear problems."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridplan.errors import InputFileError, Problem

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")
ENCODINGS = ("utf-8-sig", "gb18030")  # Chinese platform exports are often GBK/GB18030


@dataclass(slots=True)
class Loaded:
    """A loaded table plus the non-fatal problems found (and repaired or excluded) on the way."""

    frame: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)
    source: str = ""


def require_file(path: str | os.PathLike[str], *, kinds: Iterable[str], what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputFileError(
            f"{path}: file not found",
            [
                Problem(
                    str(path), "", f"an existing {what}", "no such file", "check the path and name"
                )
            ],
        )
    kinds = tuple(kinds)
    if not str(path).lower().endswith(kinds):
        raise InputFileError(
            f"{path}: unsupported file type",
            [
                Problem(
                    str(path),
                    "",
                    f"a {what} ending in {', '.join(kinds)}",
                    f"'{path.suffix}'",
                    "convert the file (e.g. with ogr2ogr) or rename it",
                )
            ],
        )
    return path


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, … — all fatal here
        raise InputFileError(
            f"{path}: cannot read",
            [
                Problem(
                    str(path),
                    f"layer {layer}" if layer else "",
                    "a readable GeoJSON, GeoPackage or Shapefile",
                    f"{type(exc).__name__}: {exc}",
                    "open it in QGIS to check it",
                )
            ],
        ) from exc


def read_csv(path: Path) -> pd.DataFrame:
    last: Exception | None = None
    for enc in ENCODINGS:
        try:
            return pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False)
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputFileError(
                f"{path}: not a readable CSV",
                [
                    Problem(
                        str(path),
                        "",
                        "a comma-separated table with a header row",
                        f"{type(exc).__name__}: {exc}",
                        "re-export the table as CSV (UTF-8)",
                    )
                ],
            ) from exc
    raise InputFileError(
        f"{path}: unknown text encoding",
        [Problem(str(path), "", "UTF-8 or GB18030 text", str(last), "re-save the file as UTF-8")],
    )


def missing_column(source: str, option: str, name: str, columns: Iterable[str]) -> Problem:
    columns = [str(c) for c in columns if c != "geometry"]
    low = name.lower()
    close = (
        difflib.get_close_matches(name, columns, n=1)
        or [c for c in columns if c.lower().startswith(low) or low.startswith(c.lower())][:1]
    )
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        source,
        "header",
        f"a column '{name}' (from {option})",
        f"columns {', '.join(columns) or '(none)'}",
        f"{hint}pass {option} with one of the columns above",
    )


def row_label(index: object) -> str:
    """1-based data row number as a spreadsheet user counts it (header is row 1)."""
    return f"row {int(index) + 2}" if isinstance(index, int) else f"feature {index}"
