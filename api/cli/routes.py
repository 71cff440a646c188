"""``gridplan routes``: the squad leader's plan — one closed walk per officer from the station.

With no ``--network`` / ``--grids`` it plans on the bundled central-Shanghai sample (with its
synthetic incidents raising street priorities). Writes, per grid, under ``--out`` (atomically):
``<code>.geojson`` (routes, officers, key points, uncovered streets), ``<code>.gpx`` (one track
per officer, key points as waypoints), ``<code>_turns.csv`` and ``<code>_map.html``.

Key points file (CSV or GeoJSON/GeoPackage, WGS-84): ``id``, ``name``, ``lon``/``lat`` (CSV) or
point geometry, optional ``dwell_minutes`` and ``window`` ("08:00-09:00"), optional ``grid``
(code) to attach a point to one grid only.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from api.cli.common import echo_json, echo_warnings, json_option, mode_option
from api.cli.engine import batch_engine, engine_options
from api.engine.routes import plan_grids
from geodata import sample
from geodata.grids import grids_to_model, load_grids
from geodata.osm import load_network
from geodata.tables import read_vector
from gridplan.errors import InvalidInputError, ProblemCollector
from gridplan.model import Grid, KeyPoint, Shift
from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan_result import PatrolPlan
from maps import route_map, save_map, write_geojson, write_gpx, write_turn_csv

TZ = ZoneInfo("Asia/Shanghai")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def parse_shift(text: str, day: date, *, name: str = "") -> Shift:
    """"08:00-12:00" on ``day`` (Asia/Shanghai); an end before the start runs past midnight."""
    start, end = parse_span(text, "--shift")
    begins = datetime.combine(day, start, tzinfo=TZ)
    ends = datetime.combine(day, end, tzinfo=TZ)
    if ends <= begins:
        ends += timedelta(days=1)
    return Shift(begins, ends, name or text)


def parse_span(text: str, source: str) -> tuple[time, time]:
    match = _SPAN.match(str(text))
    if match is None or int(match[1]) > 23 or int(match[3]) > 24 or int(match[2]) > 59 or int(
            match[4]) > 59:
        issues = ProblemCollector(source)
        issues.add("", expected="HH:MM-HH:MM, e.g. 08:00-12:00", found=repr(text),
                   fix="write the start and end as 24-hour times")
        issues.raise_if_any()
    h1, m1, h2, m2 = (int(match[i]) for i in range(1, 5))  # type: ignore[index]
    return time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)


def read_key_points(path: Path, *, crs: object) -> pd.DataFrame:
    """Key points as a frame with ``grid`` (may be empty) and a ``key_point`` object column."""
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={"id": str, "grid": str})
        issues = ProblemCollector(str(path))
        for col in ("id", "lon", "lat"):
            if col not in frame.columns:
                issues.add("header", expected=f"a {col!r} column", found=", ".join(frame.columns),
                           fix="columns: id,name,lon,lat,dwell_minutes,window[,grid]")
        issues.raise_if_any()
        frame = gpd.GeoDataFrame(frame, geometry=[Point(x, y) for x, y in zip(
            frame["lon"], frame["lat"], strict=True)], crs="EPSG:4326")
    else:
        frame = read_vector(path)
    metric = frame.to_crs(crs)
    issues = ProblemCollector(str(path))
    points = []
    for i, row in metric.reset_index(drop=True).iterrows():
        window = None
        raw = row.get("window")
        if isinstance(raw, str) and raw.strip():
            try:
                window = parse_span(raw, f"{path} row {i + 1} window")
            except InvalidInputError as exc:
                issues.problems += exc.problems
        dwell = pd.to_numeric(row.get("dwell_minutes", 0), errors="coerce")
        if pd.isna(dwell) or dwell < 0:
            issues.add(f"row {i + 1}", expected="dwell_minutes >= 0", found=repr(dwell),
                       fix="minutes to stay, e.g. 10")
            dwell = 0.0
        points.append(KeyPoint(str(row["id"]), row.geometry, float(dwell), window,
                               str(row.get("name", "") or "")))
    issues.raise_if_any()
    grid = metric["grid"].astype(str) if "grid" in metric.columns else [""] * len(points)
    return pd.DataFrame({"grid": list(grid), "key_point": points})


def load_inputs(network_file: Path | None, grids_file: Path | None, mode: str
                ) -> tuple[StreetNetwork, list[Grid], gpd.GeoDataFrame | None, str]:
    """Network, grids (metric), incidents (sample only) and the attribution to print."""
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


def write_plan_files(plan: PatrolPlan, out: Path, *, stem: str, attribution: str,
                     lang: str = "zh", html: bool = True) -> list[Path]:
    """GeoJSON, GPX, turn-list CSV and (optionally) the HTML route map of one plan."""
    frames = plan.to_frames(lang=lang)
    routes, officers = frames["routes"], frames["officers"]
    if routes.empty:
        return []
    key_points = frames["key_points"].drop(columns=["officer", "on_time"])
    written = [
        write_geojson({"routes": routes, "officers": None, "key_points": key_points,
                       "uncovered": frames["uncovered"]}, out / f"{stem}.geojson",
                      attribution=attribution),
        write_gpx(routes, out / f"{stem}.gpx", key_points=key_points, officers=officers,
                  name=f"gridplan {plan.grid_code}", lang=lang, attribution=attribution),
        write_turn_csv(routes, out / f"{stem}_turns.csv", officers=officers, lang=lang,
                       attribution=attribution),
    ]
    if html:
        fmap = route_map(routes, officers=officers, key_points=key_points,
                         uncovered=frames["uncovered"], tiles="none", lang=lang,
                         title=f"{plan.grid_code} {plan.shift.start:%Y-%m-%d %H:%M}–"
                               f"{plan.shift.end:%H:%M}")
        written.append(save_map(fmap, out / f"{stem}_map.html"))
    return written


@click.command()
@click.option("--grid", "grid_code", help="Grid code to plan (see the grids file).")
@click.option("--all", "all_grids", is_flag=True, help="Plan every grid.")
@click.option("--officers", type=int, help="Officers on shift [default: the grid's enforcement "
              "staff].")
@click.option("--shift", "shift_text", default="08:00-12:00", show_default=True,
              help="Shift as HH:MM-HH:MM (Asia/Shanghai).")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Date [default: today].")
@mode_option
@click.option("--network", "network_file", type=click.Path(exists=True, path_type=Path),
              help="OSM file (.osm/.pbf).")
@click.option("--grids", "grids_file", type=click.Path(exists=True, path_type=Path),
              help="Grid polygons (GeoJSON/GeoPackage).")
@click.option("--key-points", "key_points_file", type=click.Path(exists=True, path_type=Path),
              help="Key points (CSV id,name,lon,lat,dwell_minutes,window[,grid] or GeoJSON).")
@click.option("--params", "params_file", type=click.Path(exists=True, path_type=Path),
              help="TOML file with a [patrol] table (PatrolParams).")
@click.option("--seed", type=int, help="Seed of the route search [default: params, 0].")
@click.option("--iterations", type=int,
              help="Search budget per solve, repeatable for a seed [default: params, 20].")
@click.option("--time-limit", type=float,
              help="Safety cap in seconds per solve [default: params, 120].")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@engine_options
@json_option
def routes(grid_code, all_grids, officers, shift_text, day, mode, network_file, grids_file,
           key_points_file, params_file, seed, iterations, time_limit, lang, out, scheduler,
           workers, as_json) -> None:
    """Patrol routes for a grid's officers in one shift: every due street, fairly shared."""
    if bool(grid_code) == bool(all_grids):
        raise click.UsageError("give --grid CODE or --all")
    params = _params(params_file, seed, iterations, time_limit)
    net, grids, incidents, attribution = load_inputs(network_file, grids_file, mode)
    chosen = grids if all_grids else [g for g in grids if g.code == grid_code]
    if not chosen:
        raise click.UsageError(f"no grid {grid_code!r}; known: "
                               + ", ".join(g.code for g in grids))
    shift = parse_shift(shift_text, (day.date() if day else date.today()))
    kps = read_key_points(key_points_file, crs=net.crs) if key_points_file else None
    mine = {grid.code: [] if kps is None else [
        k for g, k in zip(kps["grid"], kps["key_point"], strict=True)
        if g in ("", "nan", grid.code)] for grid in chosen}
    crews = {g.code: officers if officers is not None else max(1, g.officers) for g in chosen}
    with batch_engine(scheduler, workers if all_grids else 0) as client:
        plans = plan_grids(net, chosen, officers=crews, shift=shift, key_points=mine,
                           incidents=incidents, params=params, client=client)
    reports = []
    for plan in plans:
        files = write_plan_files(plan, out, stem=plan.grid_code, attribution=attribution,
                                 lang=lang)
        reports.append((plan, files))
        if not as_json:
            click.echo(plan.summary(lang=lang))
            click.echo("  wrote " + ", ".join(str(p) for p in files) + "\n")
    if as_json:
        echo_json([plan.to_dict(lang=lang) | {"files": [str(p) for p in files],
                                              "valid": plan.is_valid(net.graph)}
                   for plan, files in reports])


def _params(path: Path | None, seed: int | None, iterations: int | None,
            time_limit: float | None) -> PatrolParams:
    params = PatrolParams.from_toml(path.read_text(encoding="utf-8")) if path else PatrolParams()
    given = (("seed", seed), ("max_iterations", iterations), ("time_limit_s", time_limit))
    changes = {k: v for k, v in given if v is not None}
    return dataclasses.replace(params, **changes)
