"""Every map carries the street network and the grid outline (issue 10.6): an officer sees
where to walk with no tiles. Checked end to end on a second real city (Helsinki, raw PBF) through
``gridplan routes``, and in headless Chromium."""

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from api.cli import cli
from geodata.osm import load_network
from maps import streets_near
from maps.browser import chromium, chromium_available, inspect_page
from maps.common import network_streets

PBF = Path(__file__).parents[1] / "data" / "osm" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def helsinki():
    return load_network(PBF, mode="walk")


@pytest.fixture(scope="module")
def helsinki_grid(helsinki, tmp_path_factory):
    """One grid: a 300 m disc around the network's most central street node, as a grids file
    with only the required columns (no staff counts)."""
    nodes = gpd.GeoSeries(gpd.points_from_xy(
        [d["x"] for _, d in helsinki.graph.nodes(data=True)],
        [d["y"] for _, d in helsinki.graph.nodes(data=True)]), crs=helsinki.crs)
    centre = nodes.iloc[int(nodes.distance(shapely.centroid(nodes.union_all())).argmin())]
    area = gpd.GeoDataFrame({"code": ["HEL001"], "parent_code": ["091"]},
                            geometry=[centre.buffer(300)], crs=helsinki.crs).to_crs("EPSG:4326")
    path = tmp_path_factory.mktemp("hel") / "grids.geojson"
    area.to_file(path, driver="GeoJSON")
    return path, area


def _layer_features(page: str) -> list[int]:
    """Feature counts of the GeoJSON layers folium inlined in the page."""
    return [len(json.loads(m)["features"]) for m in
            re.findall(r'geo_json_\w+_add\((\{"bbox".*?|\{"features".*?)\);\n', page)]


@pytest.fixture(scope="module")
def helsinki_route_map(helsinki_grid, tmp_path_factory):
    path, _ = helsinki_grid
    out = tmp_path_factory.mktemp("hel_out")
    result = CliRunner().invoke(cli, [
        "routes", "--network", str(PBF), "--grids", str(path), "--grid", "HEL001",
        "--officers", "1", "--shift", "09:00-11:00", "--date", "2026-11-25",
        "--time-limit-s", "1", "--max-iterations", "200", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out / "HEL001_map.html"


def test_routes_map_of_a_second_city_has_streets_and_grid_outline(helsinki_route_map,
                                                                  helsinki, helsinki_grid):
    page = helsinki_route_map.read_text("utf-8")
    for name in ("街道", "网格边界"):  # the two layers, by name (JSON-escaped in scripts)
        assert json.dumps(name)[1:-1] in page or name in page
    _, area = helsinki_grid
    near = streets_near(helsinki, area)
    assert len(near) > 50
    assert len(near) in _layer_features(page)  # every street around the grid is drawn


def test_streets_near_clips_to_the_area(helsinki, helsinki_grid):
    _, area = helsinki_grid
    everything = network_streets(helsinki)
    near = streets_near(helsinki, area, margin_m=100)
    window = area.to_crs(helsinki.crs).union_all().buffer(100.5)
    assert 0 < len(near) < len(everything)
    assert near.geometry.within(window).all()


@pytest.mark.browser
def test_second_city_route_map_in_chromium(helsinki_route_map, tmp_path):
    missing = chromium_available()
    if missing:
        pytest.skip(missing)
    with chromium() as driver:
        report = inspect_page(driver, helsinki_route_map, selectors={
            "paths": "path", "legend": ".gridplan-legend .row"},
            screenshot=tmp_path / "helsinki_route_map.png")
    assert report.errors == []
    assert report.counts["paths"] > 50  # streets, not just the route on an empty background
    assert report.screenshot.stat().st_size > 20_000
