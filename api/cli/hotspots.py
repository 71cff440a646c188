"""``gridplan hotspots``: incident hotspots, boundary-zone hotspots and joint patrols.

With no files it runs on the bundled central-Shanghai sample (streets, Huangpu / Jing'an,
illustrative grids, SYNTHETIC incidents — said in every output built on them). Without
``--jurisdictions`` the sample fills whatever is not given; with it, ``--incidents`` is required
and ``--network`` / ``--grids`` are optional.

Study area (cells only where incidents can be recorded; empty cells elsewhere would read as
"cold" and make every recorded place look hot):

* with a street network: the streets grown by 60 m (:func:`gridplan.hotspots.street_area`);
* without one, with ``--boundary``: the boundary zones grown by ``--study-margin-m`` (500 m) —
  the band joint patrols act in; incidents farther out are counted as outside the study area;
* otherwise: the whole jurisdictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
import geopandas as gpd
import shapely

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
from geodata import sample
from geodata.grids import load_grids
from geodata.incidents import load_incidents
from geodata.jurisdictions import load_jurisdictions
from geodata.osm import load_network
from geodata.synthetic import SYNTHETIC_NOTE
from gridplan.boundary import ZoneParams, boundary_zone, boundary_zones, flag_boundary_hotspots
from gridplan.errors import InvalidInputError, Problem
from gridplan.hotspots import (
    CellParams,
    HotspotParams,
    HotspotResult,
    analyse_hotspots,
    risk_terrain,
    segment_table,
    street_area,
)
from gridplan.joint import JointParams, JointPlan, plan_joint_patrols
from gridplan.network import StreetNetwork

MAX_PAIRS_EXPLAINED = 12


@dataclass
class HotspotInputs:
    """Everything in one metric CRS, plus where it came from."""

    jurisdictions: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    network: StreetNetwork | None
    grids: gpd.GeoDataFrame | None
    synthetic: bool
    sources: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.jurisdictions["code"], self.jurisdictions["name"], strict=True))


def sample_inputs(*, seed: int, network: StreetNetwork | None = None) -> HotspotInputs:
    """The bundled sample with synthetic incidents, in the network's metric CRS."""
    net = network or sample.network("walk")
    crs = net.crs
    return HotspotInputs(
        jurisdictions=sample.jurisdictions().to_crs(crs),
        incidents=sample.incidents(seed=seed, net=net).to_crs(crs),
        network=net,
        grids=sample.grids().to_crs(crs),
        synthetic=True,
        sources={
            "network": str(sample.OSM_FILE),
            "jurisdictions": str(sample.DISTRICTS_FILE),
            "grids": f"{sample.GRIDS_FILE} (illustrative)",
            "incidents": f"{SYNTHETIC_NOTE}, seed {seed}",
        },
    )


def load_inputs(
    *,
    network_file: Path | None,
    jurisdictions_file: Path | None,
    codes: list[str] | None,
    incidents_file: Path | None,
    grids_file: Path | None,
    incident_columns: dict,
    coords: str,
    seed: int,
) -> HotspotInputs:
    """Files given on the command line, the sample filling the gaps (module docstring)."""
    net = load_network(network_file, mode="walk") if network_file else None
    if jurisdictions_file is None:
        inputs = sample_inputs(seed=seed, network=net)
        if network_file:
            inputs.sources["network"] = str(network_file)
        if incidents_file:
            _replace_incidents(inputs, incidents_file, incident_columns, coords)
        if grids_file:
            inputs.grids = _grids(grids_file, inputs)
        return inputs
    if incidents_file is None:
        raise InvalidInputError(
            "no incidents to analyse",
            [
                Problem(
                    "options",
                    "--incidents",
                    "an incident file with --jurisdictions",
                    "none given",
                    "pass --incidents FILE (and its --lon-col/--lat-col/--time-col)",
                )
            ],
        )
    loaded = load_jurisdictions(jurisdictions_file, codes=codes)
    crs = net.crs if net else loaded.frame.estimate_utm_crs()
    inputs = HotspotInputs(
        jurisdictions=loaded.frame.to_crs(crs),
        incidents=gpd.GeoDataFrame(),
        network=net,
        grids=None,
        synthetic=False,
        sources={
            "network": str(network_file) if net else "none",
            "jurisdictions": str(jurisdictions_file),
        },
        warnings=list(loaded.warnings),
    )
    _replace_incidents(inputs, incidents_file, incident_columns, coords)
    if grids_file:
        inputs.grids = _grids(grids_file, inputs)
    return inputs


def _replace_incidents(inputs: HotspotInputs, path: Path, columns: dict, coords: str) -> None:
    loaded = load_incidents(path, coords=coords, **columns)
    inputs.incidents = loaded.frame.to_crs(inputs.jurisdictions.crs)
    inputs.synthetic = False  # a file from the user: real reports as far as we can tell
    inputs.sources["incidents"] = f"{path} (--coords {coords})"
    inputs.warnings += loaded.warnings


def _grids(path: Path, inputs: HotspotInputs) -> gpd.GeoDataFrame:
    loaded = load_grids(path, jurisdictions=inputs.jurisdictions.to_crs(4326))
    inputs.warnings += loaded.warnings
    inputs.sources["grids"] = str(path)
    return loaded.frame.to_crs(inputs.jurisdictions.crs)


@dataclass
class HotspotReport:
    data: dict
    result: HotspotResult
    plan: JointPlan | None
    zones: list  # the boundary zones the report was built on (BoundaryZone)


def build_report(
    inputs: HotspotInputs,
    *,
    cell_size_m: float = 100.0,
    zone_width_m: float = 50.0,
    boundary: bool = False,
    seed: int = 0,
    study_margin_m: float = 500.0,
    top: int = 10,
) -> HotspotReport:
    """Run the analysis (and the boundary part) and shape a JSON-ready report."""
    zone_params = ZoneParams(zone_width_m=zone_width_m)
    zones = boundary_zones(inputs.jurisdictions, params=zone_params)
    area, area_note = _study_area(inputs, zones, boundary, study_margin_m)
    params = HotspotParams(cells=CellParams(cell_size_m=cell_size_m))
    result = analyse_hotspots(
        inputs.incidents, inputs.jurisdictions, params=params, study_area=area
    )
    data = {
        "status": result.status,
        "message": result.message or "ok",
        **({"note": SYNTHETIC_NOTE} if inputs.synthetic else {}),
        "inputs": inputs.sources,
        "study_area": area_note,
        "incidents": {
            "input": result.n_input,
            "used": len(result.incidents),
            "outside_every_jurisdiction": result.n_outside,
            "outside_study_area": result.n_unassigned,
        },
        "summary": result.summary(),
        "hotspots": [
            {"rank": rank, **_hotspot_dict(h)}
            for rank, h in enumerate(_ranked(result.hotspots)[:top], 1)
        ],
    }
    data["hotspot_count"] = len(result.hotspots)
    plan = None
    if boundary:
        data["boundary"], plan = _boundary_part(inputs, zones, result, zone_params, seed, top)
    return HotspotReport(data, result, plan, zones)


def _study_area(
    inputs: HotspotInputs, zones: list, boundary: bool, margin_m: float
) -> tuple[shapely.Geometry | None, str]:
    if inputs.network is not None:
        return (
            street_area(segment_table(inputs.network.graph)),
            "streets of the network grown by 60 m (where incidents can be recorded)",
        )
    if boundary and zones:
        grown = shapely.buffer(shapely.union_all([z.zone for z in zones]), margin_m)
        return grown, (
            f"boundary zones grown by {margin_m:g} m (no street network; incidents "
            "farther from the line count as outside the study area)"
        )
    return None, "the whole jurisdictions (no street network)"


def _boundary_part(
    inputs: HotspotInputs,
    zones: list,
    result: HotspotResult,
    zone_params: ZoneParams,
    seed: int,
    top: int,
) -> tuple[dict, JointPlan | None]:
    names = inputs.names
    zone_rows = [
        {
            "jurisdictions": [z.code_a, z.code_b],
            "names": [names.get(z.code_a, ""), names.get(z.code_b, "")],
            "shared_length_m": round(z.shared_length_m, 1),
            "zone_width_m": z.zone_width_m,
        }
        for z in zones
    ]
    part: dict = {"zones": zone_rows}
    if not zones:
        part["explanation"] = _why_no_zones(inputs.jurisdictions, zone_params)
        part["flagged"] = []
        return part, None
    if not result.ok:
        part["explanation"] = [f"no hotspot statistics: {result.message}"]
        part["flagged"] = []
        return part, None
    risk = None
    if inputs.network is not None:
        lines = gpd.GeoSeries([z.line for z in zones], crs=inputs.jurisdictions.crs)
        risk = risk_terrain(result.units, inputs.network, boundary_lines=lines)["risk"]
    flagged = flag_boundary_hotspots(result, zones, risk=risk)
    plan = plan_joint_patrols(
        flagged[:top],
        zones,
        result,
        network=inputs.network,
        grids=inputs.grids,
        params=JointParams(seed=seed),
        names=names,
    )
    to_wgs = _to_wgs84(inputs.jurisdictions.crs)
    rows = []
    for b, proposal in zip(flagged[:top], plan.proposals, strict=True):
        joint = proposal.as_dict()
        joint["meeting_point"] |= to_wgs(proposal.meeting.point)
        if proposal.route is not None:
            joint["route"]["geometry_wgs84"] = to_wgs(proposal.route.line)["coordinates"]
        rows.append(
            b.as_dict()
            | {"names": [names.get(b.code_a, ""), names.get(b.code_b, "")], "joint_patrol": joint}
        )
    part |= {
        "flagged": rows,
        "flagged_total": len(flagged),
        "meeting_list": plan.meeting_list(),
        "blind_spots": plan.blind_spots.as_dict() if plan.blind_spots else None,
        "notes": list(plan.notes),
        "risk": "risk terrain from the street network"
        if risk is not None
        else "no street network: risk terrain not computed (0)",
        "plan_valid": plan.is_valid(),
    }
    return part, plan


def _to_wgs84(crs):
    def convert(geom) -> dict:
        wgs = gpd.GeoSeries([geom], crs=crs).to_crs(4326).iloc[0]
        coords = [[round(x, 6), round(y, 6)] for x, y in wgs.coords]
        if geom.geom_type == "Point":
            return {"lon": coords[0][0], "lat": coords[0][1]}
        return {"coordinates": coords}

    return convert


def _why_no_zones(jurisdictions: gpd.GeoDataFrame, params: ZoneParams) -> list[str]:
    if len(jurisdictions) < 2:
        return [
            f"only {len(jurisdictions)} jurisdiction loaded: a boundary zone needs two "
            "neighbours (check --codes)"
        ]
    rows = list(jurisdictions.itertuples())
    pairs = [(a, b) for i, a in enumerate(rows) for b in rows[i + 1 :]]
    if len(pairs) > MAX_PAIRS_EXPLAINED:
        return [f"none of the {len(rows)} jurisdictions share a border"]
    return [
        boundary_zone(a.code, a.geometry, b.code, b.geometry, params=params).explanation
        for a, b in pairs
    ]


def _ranked(hotspots) -> list:
    """Most significant first (Gi_Bin, then incidents, then peak z); ties keep analysis order."""
    return sorted(hotspots, key=lambda h: (-h.gi_bin, -h.incident_count, -h.max_z))


def _hotspot_dict(h) -> dict:
    return {
        "id": h.id,
        "incidents": h.incident_count,
        "incidents_by_jurisdiction": h.incidents_by_jurisdiction,
        "gi_bin": h.gi_bin,
        "max_z": round(h.max_z, 2),
        "trend": str(h.trend),
        "peak_window": h.peak.label,
        "peak_share": round(h.peak.share, 3),
        "cells": len(h.unit_ids),
        "trend_detail": h.trend_detail.as_dict() if h.trend_detail else None,
    }


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
        click.echo("  no boundary hotspot to propose a joint patrol for")
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


@click.command()
@network_option(help="Walk network: meeting points at street crossings and routes.")
@jurisdictions_option()
@click.option("--codes", help="Comma-separated jurisdiction codes to keep, e.g. 310120,310116.")
@incidents_option()
@incident_options
@grids_option(help="For blind spots across the line.")
@click.option(
    "--cell-size-m",
    type=float,
    default=100.0,
    show_default=True,
    help="Hexagon width across flats, metres.",
)
@click.option(
    "--zone-width-m",
    type=float,
    default=50.0,
    show_default=True,
    help="Boundary zone width on each side of the line, metres.",
)
@click.option(
    "--study-margin-m",
    type=float,
    default=500.0,
    show_default=True,
    help="Without a network: study area = boundary zones grown by this.",
)
@click.option(
    "--boundary",
    is_flag=True,
    help="List boundary hotspots with both sides, peak windows and joint patrols.",
)
@click.option("--top", type=int, default=10, show_default=True, help="How many to list.")
@click.option(
    "--seed",
    type=int,
    default=sample.INCIDENT_SEED,
    show_default=True,
    help="Seed of the synthetic sample incidents and of route improvement.",
)
@json_option
def hotspots(
    network_file,
    jurisdictions_file,
    codes,
    incidents_file,
    grids_file,
    cell_size_m,
    zone_width_m,
    study_margin_m,
    boundary,
    top,
    seed,
    as_json,
    incident_options: dict,
) -> None:
    """Getis–Ord Gi* incident hotspots; with --boundary, joint patrols across district lines.

    With no files: the bundled central-Shanghai sample with SYNTHETIC incidents.
    """
    columns = {k: v for k, v in incident_options.items() if k != "coords"}
    inputs = load_inputs(
        network_file=network_file,
        jurisdictions_file=jurisdictions_file,
        codes=[c.strip() for c in codes.split(",")] if codes else None,
        incidents_file=incidents_file,
        grids_file=grids_file,
        incident_columns=columns,
        coords=incident_options["coords"],
        seed=seed,
    )
    echo_warnings(inputs.warnings)
    report = build_report(
        inputs,
        cell_size_m=cell_size_m,
        zone_width_m=zone_width_m,
        boundary=boundary,
        seed=seed,
        study_margin_m=study_margin_m,
        top=top,
    )
    if as_json:
        echo_json(report.data)
    else:
        echo_report(report.data)
