"""``gridplan tracks``: officers' GPS tracks → streets actually patrolled → coverage.

``gridplan tracks coverage --tracks a.gpx b.csv …`` reads the tracks (GPX 1.0/1.1, CSV
``officer,time,lon,lat[,accuracy]``, GeoJSON; ``--coords gcj02``/``bd09`` for Chinese platform
exports), matches them to the street network (HMM map matching), prints the coverage summary
and writes under ``--out``: ``coverage_map.html`` (streets walked / partly / missed, tracks,
key points), ``coverage_streets.csv`` (one row per street of the grids) and ``coverage.json``.
With no ``--network`` / ``--grids`` it uses the bundled central-Shanghai sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.common import coords_option, echo_json, echo_warnings, json_option, mode_option
from api.cli.params_options import params_options
from api.cli.routes import load_inputs
from geodata import sample
from geodata.files import write_text
from geodata.grids import grids_to_model
from geodata.tracks import (
    load_planned_routes,
    load_tracks,
    tracks_to_metric,
    write_coverage_csv,
    write_tracks_csv,
)
from gridplan.coverage import CoverageReport, TrackParams, planned_routes, track_coverage
from gridplan.coverage.simulate import plan_tracks
from gridplan.model import Grid
from maps import save_map
from maps.coverage_map import coverage_map


@click.group()
def tracks() -> None:
    """Officers' GPS tracks: coverage of the streets and key points, plan against actual."""


@tracks.command()
@click.option("--tracks", "track_files", multiple=True, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Track file (GPX, CSV officer,time,lon,lat[,accuracy], GeoJSON); repeat or "
                   "give several.")
@click.argument("more_tracks", nargs=-1, type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path))
@click.option("--network", "network_file", type=click.Path(exists=True, path_type=Path),
              help="OSM file (.osm/.pbf) [default: the bundled sample].")
@click.option("--grids", "grids_file", type=click.Path(exists=True, path_type=Path),
              help="Grid polygons (GeoJSON/GeoPackage) [default: the bundled sample's].")
@click.option("--grid", "grid_codes", multiple=True,
              help="Only these grids [default: each officer's grid, the one holding most of "
                   "their points].")
@click.option("--plan", "plan_file", type=click.Path(exists=True, path_type=Path),
              help="Plan to compare with: the <grid>.geojson written by gridplan routes.")
@click.option("--key-points", "key_points_file", type=click.Path(exists=True, path_type=Path),
              help="Key points (CSV id,name,lon,lat,dwell_minutes,window[,grid] or GeoJSON).")
@coords_option
@click.option("--tz", default="Asia/Shanghai", show_default=True,
              help="Time zone of times without an offset (and of the report).")
@mode_option
@params_options(TrackParams)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the map and CSV.")
@json_option
def coverage(track_files, more_tracks, network_file, grids_file, grid_codes, plan_file,
             key_points_file, coords, tz, mode, params, lang, out, as_json) -> None:
    """Coverage of streets and key points by officers' tracks (see gridplan tracks --help)."""
    settings: TrackParams = params[TrackParams]  # type: ignore[assignment]
    net, grids, _, attribution = load_inputs(network_file, grids_file, mode)
    loaded = load_tracks([*track_files, *more_tracks], coords=coords, tz=tz, network=net,
                         params=settings)
    echo_warnings(loaded.warnings)
    points = tracks_to_metric(loaded, net.crs)
    chosen = _grids(grids, grid_codes, points)
    kps = []
    if key_points_file:  # each key point to its grid, by the routes' own rule
        from geodata.key_points import read_key_points
        from gridplan.routing.workflow import assign_key_points

        owned = assign_key_points(read_key_points(key_points_file, crs=net.crs), grids)
        kps = [(g.code, k) for g in chosen for k in owned[g.code]]
    plan = load_planned_routes(plan_file) if plan_file else None
    report = track_coverage(net, chosen, points, plan=plan, key_points=kps, params=settings)
    files = write_coverage_files(report, out, lang=lang, attribution=attribution) if out else []
    if as_json:
        echo_json(report.to_dict() | {"files": [str(f) for f in files]})
        return
    click.echo(report.summary())
    if files:
        click.echo("  wrote " + ", ".join(str(f) for f in files))


def _grids(grids: list[Grid], codes: tuple[str, ...], points) -> list[Grid]:
    if codes:
        chosen = [g for g in grids if g.code in codes]
        unknown = sorted(set(codes) - {g.code for g in chosen})
        if unknown:
            raise click.UsageError(f"no grid {', '.join(unknown)}; known: "
                                   + ", ".join(g.code for g in grids))
        return chosen
    good = points[points["flag"] == ""]
    own = set()
    for _, rows in good.groupby("officer"):
        inside = [int(rows.geometry.within(g.geometry).sum()) for g in grids]
        if inside and max(inside):
            own.add(grids[inside.index(max(inside))].code)
    return [g for g in grids if g.code in own] or grids


def write_coverage_files(report: CoverageReport, out: Path, *, lang: str = "zh",
                         attribution: str = "", stem: str = "coverage") -> list[Path]:
    """The coverage map (HTML, offline), the per-street CSV and the JSON figures."""
    kps = None
    if len(report.key_points):
        kps = report.key_points.dissolve(by="id", aggfunc={"name": "first", "ok": "any"})
        kps = kps.reset_index()
    fmap = coverage_map(report.streets, report.tracks, key_points=kps, lang=lang,
                        simulated=report.simulated,
                        subtitle=f"{report.start:%Y-%m-%d %H:%M} – {report.end:%Y-%m-%d %H:%M}"
                                 + (f" · {attribution}" if attribution else ""))
    return [save_map(fmap, out / f"{stem}_map.html"),
            write_coverage_csv(report.streets, out / f"{stem}_streets.csv"),
            write_text(out / f"{stem}.json", json.dumps(report.to_dict(), ensure_ascii=False,
                                                         indent=1, default=str))]


def simulated_coverage(network, grid: Grid, plan, out: Path, *, seed: int, lang: str = "zh",
                       attribution: str = "") -> tuple[CoverageReport, list[Path]]:
    """SIMULATED tracks of ``plan``'s officers (15 s fixes, 10 m noise, dropouts, each stopping
    15 % before the end of their route), exported as a GCJ-02 CSV like a patrol app's, read
    back through :func:`load_tracks` and turned into a coverage report with the plan compared."""
    points = plan_tracks(plan, sample_s=15, noise_m=10, seed=seed, dropout_rate_per_h=2,
                         skip_share=0.15)
    csv = write_tracks_csv(points, out / f"SIMULATED_tracks_{grid.code}_gcj02.csv",
                           coords="gcj02")
    loaded = load_tracks([csv], coords="gcj02", network=network)
    report = track_coverage(network, [grid], tracks_to_metric(loaded, network.crs),
                            plan=planned_routes(plan), simulated=True)
    return report, [csv, *write_coverage_files(report, out, lang=lang, attribution=attribution,
                                               stem=f"coverage_{grid.code}")]


def demo_step(ctx) -> None:
    """The demo's tracks step: coverage of the first planned grid from SIMULATED tracks."""
    plans = ctx.results.get("routes") or {}
    if not plans:
        return
    code, plan = next(iter(plans.items()))
    grid = next(g for g in grids_to_model(ctx.grids, metric_crs=ctx.crs) if g.code == code)
    report, files = simulated_coverage(ctx.network, grid, plan, ctx.out / "tracks",
                                       seed=ctx.seed, attribution=sample.ATTRIBUTION)
    for path in files:
        ctx.wrote(path)
    ctx.summary["tracks"] = report.to_dict() | {"grid": code}
    click.echo(f"Patrol coverage of grid {code} from SIMULATED tracks (not real officers)")
    click.echo(report.summary())
