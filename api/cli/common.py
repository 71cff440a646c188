"""Helpers shared by the CLI modules: JSON output, warnings, file options."""

from __future__ import annotations

import json
from collections.abc import Iterable

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
