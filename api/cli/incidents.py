"""``gridplan incidents …``: load and inspect incident exports."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import (
    echo_json,
    echo_table,
    echo_warnings,
    incident_options,
    json_option,
    network_option,
)
from geodata.incidents import diagnose_datum, incidents_summary, load_incidents
from geodata.osm import load_network, network_summary


@click.group()
def incidents() -> None:
    """Incident points from CSV or GeoJSON exports."""


@incidents.command("summary")
@click.argument("incident_file", type=click.Path(path_type=Path))
@click.option("--x-col", help="Projected x column (with --xy-crs).")
@click.option("--y-col", help="Projected y column (with --xy-crs).")
@click.option("--xy-crs", help="CRS of --x-col/--y-col, e.g. EPSG:4549.")
@incident_options
@network_option(help="Flags points far outside the area or off every street.")
@click.option("--drop-outside", is_flag=True, help="Exclude points far outside the network area.")
@json_option
def summary(
    incident_file: Path,
    x_col,
    y_col,
    xy_crs,
    network_file,
    drop_outside,
    as_json,
    incident_options: dict,
) -> None:
    """Count, bbox, time span and counts by national event class of INCIDENT_FILE."""
    net = load_network(network_file, mode="walk") if network_file else None
    area = tuple(network_summary(net)["bbox_wgs84"]) if net else None
    loaded = load_incidents(incident_file, x_col=x_col, y_col=y_col, xy_crs=xy_crs,
                            area_wgs84=area, drop_outside=drop_outside, **incident_options)
    warnings = list(loaded.warnings)
    if net is not None:
        datum = diagnose_datum(loaded.frame, net, coords_used=incident_options["coords"])
        warnings += [datum] if datum else []
    echo_warnings(warnings)
    info = incidents_summary(loaded.frame)
    if as_json:
        echo_json(info | {"warnings": [str(w) for w in warnings]})
        return
    echo_table(
        f"Incidents {incident_file}",
        [
            ("count", info["count"]),
            ("time span", f"{info['time_first']} … {info['time_last']}"),
            ("bbox (WGS-84)", ", ".join(map(str, info["bbox_wgs84"]))),
            *((f"  {k}", v) for k, v in info["by_class"].items()),
        ],
    )
