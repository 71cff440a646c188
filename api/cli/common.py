"""Helpers shared by the CLI modules: JSON output, warnings, the input-file options (declared
once here), and library errors phrased with the options the user typed."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import click

from geodata.coords import COORD_SYSTEMS
from gridplan.errors import GridPlanError, Problem
from gridplan.network import MODES

mode_option = click.option(
    "--mode",
    type=click.Choice(MODES),
    default="walk",
    show_default=True,
    help="walk: every street both ways, no motorways; drive: one-way kept.",
)
coords_option = click.option(
    "--coords",
    type=click.Choice(COORD_SYSTEMS),
    default="wgs84",
    show_default=True,
    help="Datum of the input points: gcj02 (Amap, Tencent), bd09 (Baidu).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def echo_warnings(warnings: Iterable[Problem]) -> None:
    for w in warnings:
        click.echo(f"warning: {w}", err=True)


def echo_table(title: str, rows: Iterable[tuple[str, object]]) -> None:
    click.echo(title)
    rows = list(rows)
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        click.echo(f"  {key:<{width}}  {value}")


#: The column mapping every command that reads an incident export takes, in this order.
INCIDENT_OPTION_KEYS = ("lon_col", "lat_col", "time_col", "category_col", "id_col", "coords", "tz")
_INCIDENT_OPTIONS = (
    click.option("--lon-col", help="Incident longitude column (degrees)."),
    click.option("--lat-col", help="Incident latitude column (degrees)."),
    click.option("--time-col", default="time", show_default=True,
                 help="Incident time column: ISO 8601 or epoch seconds/milliseconds."),
    click.option("--category-col", help="Incident category label (kept; mapped to the national "
                                        "classes)."),
    click.option("--id-col", help="Incident id column (default: row number)."),
    coords_option,
    click.option("--tz", default="Asia/Shanghai", show_default=True,
                 help="Time zone of the incidents: times without an offset are read in it; "
                      "hotspot profiles, peak windows and weeks are counted in it."),
)


def incident_options(command: Callable) -> Callable:
    """Add the incident column options; the command receives them as one ``incident_options``
    dict (keys :data:`INCIDENT_OPTION_KEYS`, ready for ``load_incidents(path, **...)``)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        options = {k: kwargs.pop(k) for k in INCIDENT_OPTION_KEYS}
        return command(*args, incident_options=options, **kwargs)

    for option in reversed(_INCIDENT_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


# ---- input files: one declaration each --------------------------------------------------------
def _file_option(flag: str, dest: str, what: str) -> Callable[..., Callable]:
    # existence is checked by the loaders, whose report says what was expected and how to fix it
    def option(*, help: str = "", required: bool = False,  # noqa: A002
               named: tuple[str, str] | None = None) -> Callable:
        """``named``: another (flag, dest) for the same kind of file, e.g. ``--current``."""
        name, target = named or (flag, dest)
        return click.option(name, target, type=click.Path(dir_okay=False, path_type=Path),
                            required=required, help=" ".join(p for p in (what, help) if p))
    return option


#: ``--network FILE`` (→ ``network_file``): an OSM extract
network_option = _file_option("--network", "network_file", "OSM file (.osm, .osm.pbf, …).")
#: ``--jurisdictions FILE`` (→ ``jurisdictions_file``): district / town / community polygons
jurisdictions_option = _file_option(
    "--jurisdictions", "jurisdictions_file",
    "Jurisdiction polygons (GeoJSON/GPKG/Shapefile with a code column).")
#: ``--grids FILE`` (→ ``grids_file``): a grid layout (code, parent_code, optional staff)
grids_option = _file_option("--grids", "grids_file",
                            "Grid polygons (GeoJSON/GPKG: code, parent_code, optional staff).")
#: ``--incidents FILE`` (→ ``incidents_file``): an incident export (CSV / GeoJSON)
incidents_option = _file_option("--incidents", "incidents_file",
                                "Incident export (CSV/GeoJSON; columns: see the incident options).")
out_option = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                          required=True, help="Output folder.")


# ---- library errors in the CLI's words --------------------------------------------------------
_IDENT = re.compile(r"(?<!['\"])\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!['\"])")


def option_names(ctx: click.Context) -> dict[str, str]:
    """Parameter name → the option spelling the user types, for the command and its parents."""
    names: dict[str, str] = {}
    while ctx is not None:
        for param in ctx.command.params:
            if isinstance(param, click.Option) and param.name and param.opts:
                names.setdefault(param.name, min(param.opts, key=len)
                                 if len(param.opts) > 1 else param.opts[0])
        ctx = ctx.parent
    return names


def in_option_words(problems: list[Problem], names: dict[str, str]) -> list[Problem]:
    """``problems`` with the library's parameter names replaced by the options that set them:
    ``pass n_grids=N`` → ``pass --grids N``. Whole ``source``/``where`` fields and snake_case
    names anywhere are replaced; plain words ("codes") only where they are a whole field.
    Quoted names and problems of a TOML file keep the file's own keys."""

    def words(text: str) -> str:
        text = re.sub(r"\b([a-z][a-z0-9_]*)=", lambda m: f"{names[m[1]]} " if m[1] in names
                      else m[0], text)
        return _IDENT.sub(lambda m: names.get(m[0], m[0]), text)

    def field(text: str) -> str:
        return " / ".join(names.get(p.strip(), words(p.strip())) for p in text.split(" / "))

    return [p if ".toml" in p.source else
            dataclasses.replace(p, source=field(p.source), where=field(p.where),
                                expected=words(p.expected), fix=words(p.fix)) for p in problems]


def echo_option_warnings(warnings: Iterable[Problem]) -> None:
    """Warnings of a library call, phrased with the current command's options."""
    echo_warnings(in_option_words(list(warnings), option_names(click.get_current_context())))


def library_errors_in_option_words(command: Callable) -> Callable:
    """Decorator for commands that call the library: its errors name the options to change."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GridPlanError as exc:
            names = option_names(click.get_current_context())
            exc.problems[:] = in_option_words(exc.problems, names)
            raise

    return wrapper
