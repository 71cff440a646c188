"""Helpers shared by the CLI modules: JSON output, warnings, file options."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable

import click

from geodata.coords import COORD_SYSTEMS
from gridplan.errors import Problem
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
