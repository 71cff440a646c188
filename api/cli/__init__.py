"""The ``gridplan`` command line.

Each topic lives in its own module exposing one click command or group; they are registered in
``_COMMANDS`` below. Errors raised on purpose (:class:`gridplan.errors.GridPlanError`) are printed
as a full report with exit status 2, never as a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from gridplan.errors import GridPlanError

# module path, attribute: one line per topic
_COMMANDS: list[tuple[str, str]] = [
    ("api.cli.network", "network"),
    ("api.cli.incidents", "incidents"),
    ("api.cli.demo", "demo"),
    ("api.cli.solve", "solve_instance"),
    ("api.cli.pmedian", "pmedian"),
    ("api.cli.grids", "grids"),
    ("api.cli.hotspots", "hotspots"),
    ("api.cli.routes", "routes"),
    ("api.cli.serve", "serve"), ("api.cli.serve", "db"), ("api.cli.serve", "users"),
    ("api.cli.jobs", "job"),
    ("api.cli.engine", "worker"),
]


class _Group(click.Group):
    """A root group that turns GridPlanError into a readable report instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GridPlanError as exc:
            click.echo(f"error: {exc.report()}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gridplan")
def cli() -> None:
    """gridplan — patrol planning for city-management enforcement squads (城管综合执法).

    Load streets from local OpenStreetMap files, draw grids, plan street-by-street patrol routes
    and find boundary-zone hotspots for joint patrols. Everything works offline.
    """


for _module, _attr in _COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main() -> None:
    cli(prog_name="gridplan")
