"""``gridplan hotspots``: incident hotspots, boundary-zone hotspots and joint patrols.

Parses the options, reads the files (:func:`geodata.hotspots.load_hotspot_inputs`; with no
files the bundled central-Shanghai sample with SYNTHETIC incidents), runs the one workflow
:func:`gridplan.hotspot_study.study_hotspots` and prints its report. Parameters come from their
declarations in ``gridplan`` (``--params FILE.toml`` and one option each).
"""

from __future__ import annotations

import click

from api.cli.common import (
    echo_json,
    echo_table,
    echo_warnings,
    grids_option,
    incident_options,
    incidents_option,
    json_option,
    jurisdictions_option,
    network_option,
)
from api.cli.engine import batch_engine, engine_options
from api.cli.params_options import params_options
from geodata import sample
from geodata.coords import COORD_SYSTEMS
from geodata.hotspots import load_hotspot_inputs
from gridplan.hotspot_study import HotspotStudyParams, study_hotspots

# --- printing ------------------------------------------------------------------------------


def echo_report(data: dict) -> None:
    note = f" — {data['note']}" if "note" in data else ""
    inc = data["incidents"]
    echo_table(
        f"Hotspots ({data['status']}){note}",
        [
            (
                "incidents",
                f"{inc['used']} used of {inc['input']}: {inc['outside_every_jurisdiction']} "
                f"outside every jurisdiction, {inc['outside_study_area']} outside the "
                "study area",
            ),
            ("study area", data["study_area"]),
            ("time zone", f"{data['time_zone']} (profiles, peak windows, weeks)"),
            ("result", data["summary"]),
        ],
    )
    if data["hotspots"]:
        click.echo(f"\nTop hotspots ({len(data['hotspots'])} of {data['hotspot_count']}){note}")
        for h in data["hotspots"]:
            sides = ", ".join(f"{k} {v}" for k, v in h["incidents_by_jurisdiction"].items())
            click.echo(
                f"  #{h['rank']:<3} {h['incidents']:>4} incidents ({sides}), Gi_Bin "
                f"{h['gi_bin']}, trend {h['trend']}, peak {h['peak_window']}"
            )
    if "boundary" in data:
        echo_boundary(data["boundary"], note)


def echo_boundary(part: dict, note: str = "") -> None:
    click.echo(f"\nBoundary zones{note}")
    for z in part["zones"]:
        click.echo(
            f"  {z['jurisdictions'][0]} {z['names'][0]} | {z['jurisdictions'][1]} "
            f"{z['names'][1]}: shared line {z['shared_length_m'] / 1000:.2f} km, "
            f"{z['zone_width_m']:g} m each side"
        )
    for line in part.get("explanation", []):
        click.echo(f"  {line}")
    if not part["flagged"]:
        click.echo("  no boundary hotspot with incidents on both sides: no joint patrol")
        _echo_notices(part, note)
        return
    click.echo(
        f"\nJoint patrols: {len(part['flagged'])} of {part['flagged_total']} flagged "
        f"boundary hotspots{note}"
    )
    for row, f in zip(part["meeting_list"], part["flagged"], strict=True):
        joint = f["joint_patrol"]
        route = joint["route"]
        route_text = (
            f"{route['length_m'] / 1000:.2f} km on foot, ~{route['duration_min']:.0f} "
            f"min ({route['method']})"
            if route
            else joint["route_note"]
        )
        echo_table(
            f"  #{row['rank']} {row['jurisdictions']}  score {f['score']}",
            [
                ("place", row["place"]),
                ("incidents by side", f"{row['incidents_by_side']} ({row['dominant_class']})"),
                ("time window", f"{row['peak_window']} (busiest: {row['busiest_days']})"),
                ("trend / risk", f"{row['trend']} / {row['risk']}"),
                (
                    "meeting point",
                    f"{row['meeting_point']} ({joint['meeting_point']['lon']}, "
                    f"{joint['meeting_point']['lat']})",
                ),
                ("route", route_text),
                ("cadence / lead", f"{row['cadence']} / {row['lead']}"),
                ("action", row["action"]),
            ],
        )
    _echo_notices(part, note)
    blind = part.get("blind_spots")
    if blind is not None:
        click.echo(
            f"\nBlind spots across the line: {blind['uncovered_km']:.2f} km of zone "
            "streets in no grid of either side"
        )
        for z in blind["zones"]:
            click.echo(
                f"  {'/'.join(z['jurisdictions'])}: {z['uncovered_km']:.2f} of "
                f"{z['zone_street_km']:.2f} km uncovered"
            )
        for s in blind["streets"][:10]:
            click.echo(f"  {s['street']} ({s['side'] or 'between the two'}): {s['km']:.2f} km")
    for n in part.get("notes", []):
        click.echo(f"  note: {n}")


def _echo_notices(part: dict, note: str) -> None:
    if not part.get("notices"):
        return
    click.echo(f"\nNotices to neighbours: {len(part['notices'])} of {part['notices_total']} "
               f"one-sided hotspots by the line{note}")
    for n in part["notices"]:
        click.echo(f"  #{n['rank']} {n['text']}")


@click.command()
@network_option(help="Walk network: meeting points at street crossings and routes.")
@jurisdictions_option()
@click.option("--codes", help="Comma-separated jurisdiction codes to keep, e.g. 310120,310116.")
@click.option(
    "--jurisdiction-coords",
    type=click.Choice(COORD_SYSTEMS),
    default="wgs84",
    show_default=True,
    help="Datum of the jurisdiction polygons: gcj02 for Amap (高德) outlines, shifted to WGS-84 "
    "so they meet the OSM streets and the incidents.",
)
@incidents_option()
@incident_options
@grids_option(help="For blind spots across the line.")
@click.option(
    "--boundary",
    is_flag=True,
    help="List boundary hotspots with both sides, peak windows and joint patrols.",
)
@click.option("--pairs", "pair_texts", multiple=True, metavar="A/B",
              help="One boundary study per pair of neighbours, on the engine: 'all' for every "
                   "pair sharing a border, or codes A/B (repeatable).")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many hotspots to list and boundary hotspots to plan joint patrols for.")
@click.option("--sample-seed", type=int, default=sample.INCIDENT_SEED, show_default=True,
              help="Seed of the bundled sample's synthetic incidents.")
@params_options(*HotspotStudyParams.SETS)
@engine_options
@json_option
def hotspots(network_file, jurisdictions_file, codes, jurisdiction_coords, incidents_file,
             grids_file, boundary, pair_texts, top, sample_seed, scheduler, workers, as_json,
             params, incident_options: dict) -> None:
    """Getis–Ord Gi* incident hotspots; with --boundary, joint patrols across district lines.

    With --pairs, one boundary study per pair of neighbouring jurisdictions.
    With no files: the bundled central-Shanghai sample with SYNTHETIC incidents.
    """
    pairs = _pairs(pair_texts) if pair_texts else None
    inputs = load_hotspot_inputs(
        network=network_file,
        jurisdictions=jurisdictions_file,
        codes=[c.strip() for c in codes.split(",")] if codes else None,
        jurisdiction_coords=jurisdiction_coords,
        incidents=incidents_file,
        grids=grids_file,
        incident_columns=incident_options,
        sample_seed=sample_seed,
    )
    echo_warnings(inputs.warnings)
    if pair_texts:
        _study_pairs(inputs, pairs, HotspotStudyParams.from_sets(params), top,
                     scheduler, workers, as_json)
        return
    study = study_hotspots(
        inputs.jurisdictions, inputs.incidents, network=inputs.network, grids=inputs.grids,
        boundary=boundary, params=HotspotStudyParams.from_sets(params), top=top,
    )
    data = report_data(study, inputs)
    if as_json:
        echo_json(data)
    else:
        echo_report(data)


def report_data(study, inputs) -> dict:
    """The study's report with where its inputs came from (and the synthetic note)."""
    extra = {"note": inputs.note} if inputs.note else {}
    return {**extra, "inputs": inputs.sources, **study.to_dict()}


def _pairs(texts: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """``all`` → None (every pair of neighbours); ``A/B`` → (A, B)."""
    if "all" in texts:
        return None
    bad = [t for t in texts if len([c for c in t.split("/") if c.strip()]) != 2]
    if bad:
        raise click.BadParameter(f"{', '.join(bad)}: give two codes as A/B, or 'all'",
                                 param_hint="--pairs")
    return [tuple(c.strip() for c in t.split("/")) for t in texts]  # type: ignore[misc]


def _study_pairs(inputs, pairs, params: HotspotStudyParams, top: int, scheduler, workers,
                 as_json: bool) -> None:
    """One boundary study per pair on the engine, printed pair by pair."""
    from api.engine.hotspots import study_pairs_on

    with batch_engine(scheduler, workers) as client:
        studies = study_pairs_on(client, inputs.jurisdictions, inputs.incidents,
                                 network=inputs.network, grids=inputs.grids, params=params,
                                 top=top, pairs=pairs)
    reports = [{"pair": list(codes), **report_data(study, inputs)}
               for codes, study in studies.items()]
    if as_json:
        echo_json(reports)
        return
    for data in reports:
        click.echo(f"== {' | '.join(data['pair'])} ==")
        echo_report(data)
        click.echo()
