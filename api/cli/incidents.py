"""``gridplan incidents …``: load and inspect incident exports."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import coords_option, echo_json, echo_table, echo_warnings, json_option
from geodata.incidents import diagnose_datum, incidents_summary, load_incidents
from geodata.osm import load_network, network_summary


@click.group()
def incidents() -> None:
    """Incident points from CSV or GeoJSON exports."""


@incidents.command("summary")
@click.argument("incident_file", type=click.Path(path_type=Path))
@click.option("--lon-col", help="Longitude column (degrees).")
@click.option("--lat-col", help="Latitude column (degrees).")
@click.option("--x-col", help="Projected x column (with --xy-crs).")
@click.option("--y-col", help="Projected y column (with --xy-crs).")
@click.option("--xy-crs", help="CRS of --x-col/--y-col, e.g. EPSG:4549.")
@click.option(
    "--time-col",
    default="time",
    show_default=True,
    help="ISO 8601 times or epoch seconds/milliseconds.",
)
@click.option("--category-col", help="Original category label column.")
@click.option("--id-col", help="Incident id column (default: row number).")
@coords_option
@click.option(
    "--tz", default="Asia/Shanghai", show_default=True, help="Time zone of times without an offset."
)
@click.option(
    "--network",
    "osm_file",
    type=click.Path(path_type=Path),
    help="OSM file of the area: flags points far outside it or off every street.",
)
@click.option("--drop-outside", is_flag=True, help="Exclude points far outside the network area.")
@json_option
def summary(
    incident_file: Path,
    lon_col,
    lat_col,
    x_col,
    y_col,
    xy_crs,
    time_col,
    category_col,
    id_col,
    coords,
    tz,
    osm_file,
    drop_outside,
    as_json,
) -> None:
    """Count, bbox, time span and counts by national event class of INCIDENT_FILE."""
    net = load_network(osm_file, mode="walk") if osm_file else None
    area = tuple(network_summary(net)["bbox_wgs84"]) if net else None
    loaded = load_incidents(
        incident_file,
        lon_col=lon_col,
        lat_col=lat_col,
        x_col=x_col,
        y_col=y_col,
        xy_crs=xy_crs,
        time_col=time_col,
        category_col=category_col,
        id_col=id_col,
        coords=coords,
        tz=tz,
        area_wgs84=area,
        drop_outside=drop_outside,
    )
    warnings = list(loaded.warnings)
    if net is not None:
        datum = diagnose_datum(loaded.frame, net, coords_used=coords)
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
