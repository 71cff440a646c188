"""``gridplan network …``: load and inspect street networks."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import echo_json, echo_table, json_option, mode_option
from geodata.osm import download_network, load_network, network_summary


@click.group()
def network() -> None:
    """Street networks from local OSM files (.osm, .osm.bz2, .osm.gz, .osm.pbf)."""


@network.command("summary")
@click.argument("osm_file", type=click.Path(path_type=Path))
@mode_option
@click.option(
    "--crs",
    default="utm",
    show_default=True,
    help="utm (local UTM zone), cgcs2000 (CGCS2000 Gauss–Krüger zone) or an EPSG code.",
)
@click.option("--no-cache", is_flag=True, help="Parse the file even if a cached copy exists.")
@json_option
def summary(osm_file: Path, mode: str, crs: str, no_cache: bool, as_json: bool) -> None:
    """Nodes, edges, street km by management grade, CRS and bbox of OSM_FILE."""
    net = load_network(osm_file, mode=mode, crs=crs, use_cache=not no_cache)
    _print(network_summary(net), as_json)


@network.command("download")
@click.option("--place", help="A place name Nominatim knows, e.g. '黄浦区, 上海市'.")
@click.option("--bbox", help="west,south,east,north in WGS-84 degrees.")
@mode_option
@json_option
def download(place: str | None, bbox: str | None, mode: str, as_json: bool) -> None:
    """Download a network from the Overpass API (needs the internet; never used implicitly)."""
    box = tuple(float(v) for v in bbox.split(",")) if bbox else None
    _print(network_summary(download_network(place=place, bbox=box, mode=mode)), as_json)


def _print(info: dict, as_json: bool) -> None:
    if as_json:
        echo_json(info)
        return
    grades = ", ".join(f"grade {g}: {km:.1f} km" for g, km in info["street_km_by_grade"].items())
    echo_table(
        f"Street network {info['source']} ({info['mode']})",
        [
            (
                "nodes / edges",
                f"{info['nodes']:,} / {info['edges']:,} ({info['streets']:,} streets)",
            ),
            ("street length", f"{info['street_km_total']:.1f} km — {grades}"),
            ("CRS", f"{info['crs']} ({info['crs_name']})"),
            ("bbox (WGS-84)", ", ".join(map(str, info["bbox_wgs84"]))),
            ("waterways", info["waterways"]),
        ],
    )
