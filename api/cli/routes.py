"""``gridplan routes``: the squad leader's plan — one closed walk per officer from the station.

A door to :func:`gridplan.routing.plan_routes`: it reads the inputs, calls it, prints and writes.
With no ``--network`` / ``--grids`` it plans on the bundled central-Shanghai sample (with its
synthetic incidents raising street priorities). Writes, per grid and shift, under ``--out``
(atomically): ``<code>.geojson`` (routes, key points with their officer and arrival, uncovered
streets), ``<code>.gpx`` (one track per officer, key points as waypoints), ``<code>_turns.csv``
and ``<code>_map.html`` (with ``_<date>`` for a week, ``_<shift>`` for several shifts a day).
``--week 2026-W48`` plans each day of an ISO week. Batches (``--all``, ``--week``) run on the
engine (``--scheduler`` / ``--workers``, see :mod:`api.cli.engine`), one task per grid and day,
each grid on its own slice of the network, with the same plans as in one process.
Patrol-policy options come from :class:`gridplan.routing.PatrolParams` (``--params FILE.toml``
holds a ``[patrol]`` table). ``--coverage coverage.json`` (from ``gridplan tracks coverage
--out``) feeds recent coverage into the plan (:func:`gridplan.coverage.street_priority_from`;
``[tracks]`` ``priority_lookback_days``).

Key points file (CSV or GeoJSON/GeoPackage, WGS-84): ``id``, ``name``, ``lon``/``lat`` (CSV) or
point geometry, optional ``dwell_minutes`` and ``window`` ("08:00-09:00"), optional ``grid``
(code); without a grid a key point belongs to the grid that contains it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from api.cli.common import (
    echo_json,
    echo_warnings,
    grids_option,
    json_option,
    mode_option,
    network_option,
)
from api.cli.engine import batch_engine, engine_options
from api.cli.params_options import params_options
from gridplan.coverage.params import TrackParams
from gridplan.routing.params import PatrolParams
from gridplan.routing.shifts import PRESETS, week_days
from gridplan.timezones import DEFAULT_TZ

ALL_SHIFTS = "all"


def load_inputs(network_file: Path | None, grids_file: Path | None, mode: str):
    """Network, grids (metric), incidents (sample only) and the attribution to print."""
    from geodata import sample
    from geodata.grids import grids_to_model, load_grids
    from geodata.osm import load_network

    if (network_file is None) != (grids_file is None):
        raise click.UsageError("give both --network and --grids, or neither (bundled sample)")
    if network_file is None:
        net = sample.network(mode)  # type: ignore[arg-type]
        grids = grids_to_model(sample.grids(), metric_crs=str(net.crs))
        incidents = sample.incidents(net=sample.network("walk")).to_crs(net.crs)
        return net, grids, incidents, sample.ATTRIBUTION + "; incidents synthetic"
    net = load_network(network_file, mode=mode)  # type: ignore[arg-type]
    loaded = load_grids(grids_file, metric_crs=str(net.crs))
    echo_warnings(loaded.warnings)
    return net, grids_to_model(loaded.frame, metric_crs=str(net.crs)), None, \
        "Streets © OpenStreetMap contributors (ODbL 1.0)"


@click.command()
@click.option("--grid", "grid_codes", multiple=True, help="Grid code to plan (repeatable).")
@click.option("--all", "all_grids", is_flag=True, help="Plan every grid.")
@click.option("--officers", type=int, help="Officers on shift in each grid [default: the grid's "
              "enforcement staff].")
@click.option("--shift", "shift_text", default="08:00-12:00", show_default=True,
              help=f"Shift as HH:MM-HH:MM, or '{ALL_SHIFTS}' for every shift of --pattern.")
@click.option("--pattern", default="single", show_default=True,
              help="The day's shifts, so each gets its share of a street's daily passes: "
                   "'single' (this shift is the whole day), "
                   + ", ".join(f"'{k}' ({v})" for k, v in PRESETS.items())
                   + ", or name=HH:MM-HH:MM,...")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Date [default: today].")
@click.option("--week", help="Plan every day of this ISO week instead, e.g. 2026-W48 (Monday to "
              "Sunday; weekly streets on their day).")
@click.option("--tz", default=DEFAULT_TZ, show_default=True, help="Time zone of the shifts.")
@mode_option
@network_option()
@grids_option()
@click.option("--key-points", "key_points_file", type=click.Path(exists=True, path_type=Path),
              help="Key points (CSV id,name,lon,lat,dwell_minutes,window[,grid] or GeoJSON).")
@click.option("--coverage", "coverage_file", type=click.Path(exists=True, path_type=Path),
              help="Recent coverage (coverage.json of gridplan tracks coverage --out, on the same "
                   "network): streets missed in the last --priority-lookback-days before the "
                   "shift are kept first among their grade.")
@params_options(PatrolParams, TrackParams, only={TrackParams: ("priority_lookback_days",)})
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@engine_options
@json_option
def routes(grid_codes, all_grids, officers, shift_text, pattern, day, week, tz, mode,
           network_file, grids_file, key_points_file, coverage_file, params, lang, out,
           scheduler, workers, as_json) -> None:
    """Patrol routes for a grid's officers in one shift: every due street, fairly shared."""
    from api.engine.routes import plan_routes_on
    from geodata.key_points import read_key_points
    from maps.plan_files import write_plan_files

    if bool(grid_codes) == bool(all_grids):
        raise click.UsageError("give --grid CODE or --all")
    if week and day:
        raise click.UsageError("give --date or --week, not both")
    days = week_days(week, source="--week") if week else None
    net, grids, incidents, attribution = load_inputs(network_file, grids_file, mode)
    kps = read_key_points(key_points_file, crs=net.crs) if key_points_file else ()
    day = day.date() if day else date.today()
    shift = None if shift_text == ALL_SHIFTS else shift_text
    priority = None
    if coverage_file:
        from geodata.tracks import read_coverage
        from gridplan.coverage import street_priority_from

        priority = street_priority_from(read_coverage(coverage_file), day=days[0] if days else day,
                                        shift=shift, pattern=pattern, tz=tz,
                                        params=params[TrackParams])
    # batches (--all, --week) run on the engine, each grid on its own slice of the network
    with batch_engine(scheduler, workers if all_grids or week else 0) as client:
        result = plan_routes_on(
            client, net, grids, grid_codes=None if all_grids else list(grid_codes),
            shift=shift, day=day, days=days, tz=tz, pattern=pattern, officers=officers,
            key_points=kps, incidents=incidents, params=params[PatrolParams],
            street_priority=priority)
    reports, by_code = [], {g.code: g for g in grids}
    for plan in result.plans:
        files = write_plan_files(plan, out, stem=result.stem(plan), attribution=attribution,
                                 network=net, grid=by_code[plan.grid_code], lang=lang)
        reports.append((plan, files))
        if not as_json:
            click.echo(plan.summary(lang=lang))
            if priority is not None:
                click.echo(_coverage_line(coverage_file, priority, plan))
            click.echo("  wrote " + ", ".join(str(p) for p in files) + "\n")
    if as_json:
        echo_json([plan.to_dict(lang=lang) | {"files": [str(p) for p in files],
                                              "valid": plan.is_valid(net.graph)}
                   for plan, files in reports])


def _coverage_line(coverage_file: Path, priority: dict, plan) -> str:
    """What the recent coverage did to this plan: the streets it ranks first, how many of them
    the shift still leaves out entirely and how many keep their first pass but miss a repeat
    pass (a street's first pass outranks any repeat pass: :func:`gridplan.routing.plan_grid`)."""
    missed = {street for street, share in priority.items() if share > 0}
    short = {u.street_id for u in plan.uncovered} & missed
    left_out = {sid for sid in short if not plan.served.get(sid, 0)}
    return (f"  recent coverage {coverage_file}: {len(missed)} street(s) missed lately come "
            f"first within their grade; {len(left_out)} of them left out of this shift, "
            f"{len(short - left_out)} short of a repeat pass")
