"""The ``gridplan`` command line.

Each topic lives in its own module exposing one click command or group, listed in ``COMMANDS``
below with its one-line help. The root group imports a topic's module only when that command
runs, so ``gridplan --help`` and ``gridplan --version`` start at once: they load click and
nothing of geopandas, scipy, sqlalchemy or folium (``tests/cli/test_cli_startup.py`` checks
this, and that each one-line help here matches the command's own docstring).

Errors raised on purpose (:class:`gridplan.errors.GridPlanError`) are printed as a full report
with exit status 2, never as a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import NamedTuple

import click


class LazyCommand(NamedTuple):
    module: str
    attr: str
    short_help: str


#: command name → where it lives and its one-line help (shown by ``gridplan --help``)
COMMANDS: dict[str, LazyCommand] = {
    "network": LazyCommand(
        "api.cli.network",
        "network",
        "Street networks from local OSM files (.osm, .osm.bz2, .osm.gz, .osm.pbf).",
    ),
    "incidents": LazyCommand(
        "api.cli.incidents", "incidents", "Incident points from CSV or GeoJSON exports."
    ),
    "demo": LazyCommand(
        "api.cli.demo", "demo", "Run the main job on the bundled central-Shanghai sample, offline."
    ),
    "solve-instance": LazyCommand(
        "api.cli.solve",
        "solve_instance",
        "Solve a Belenguer-format CARP file (or a Corberán MM-kWRPP file with --k).",
    ),
    "pmedian": LazyCommand(
        "api.cli.pmedian",
        "pmedian",
        "Open p sites minimising the total shortest-path distance of every vertex to its nearest "
        "open site (Beasley's OR-Library pmed format).",
    ),
    "grids": LazyCommand(
        "api.cli.grids",
        "grids",
        "Responsibility grids (责任网格): redesign, hand edits, week rosters.",
    ),
    "hotspots": LazyCommand(
        "api.cli.hotspots",
        "hotspots",
        "Getis–Ord Gi* incident hotspots; with --boundary, joint patrols across district lines.",
    ),
    "routes": LazyCommand(
        "api.cli.routes",
        "routes",
        "Patrol routes for a grid's officers in one shift: every due street, fairly shared.",
    ),
    "serve": LazyCommand(
        "api.cli.serve", "serve", "Run the planning service (OpenAPI docs at /docs)."
    ),
    "db": LazyCommand("api.cli.serve", "db", "Database maintenance."),
    "users": LazyCommand("api.cli.serve", "users", "User accounts of the service."),
    "job": LazyCommand(
        "api.cli.jobs",
        "job",
        "Run the service's long jobs from the terminal (with a progress bar).",
    ),
    "tracks": LazyCommand(
        "api.cli.tracks",
        "tracks",
        "Officers' GPS tracks: coverage of the streets and key points, plan against actual.",
    ),
    "worker": LazyCommand(
        "api.cli.engine",
        "worker",
        "Join a Dask scheduler as a gridplan worker (plans grids, runs the service's jobs).",
    ),
}


class LazyGroup(click.Group):
    """A root group that imports a command's module only when the command is used, and turns a
    GridPlanError into a readable report instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        return getattr(importlib.import_module(entry.module), entry.attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # the help list reads the table, not the modules: listing must not import them
        rows = [(name, COMMANDS[name].short_help) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        from gridplan.errors import GridPlanError

        try:
            return super().invoke(ctx)
        except GridPlanError as exc:
            click.echo(f"error: {exc.report()}", err=True)
            sys.exit(2)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gridplan")
def cli() -> None:
    """gridplan — patrol planning for city-management enforcement squads (城管综合执法).

    Load streets from local OpenStreetMap files, draw grids, plan street-by-street patrol routes
    and find boundary-zone hotspots for joint patrols. Everything works offline.
    """


def main() -> None:
    cli(prog_name="gridplan")
