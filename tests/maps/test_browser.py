"""Real browser: every HTML map opens in headless Chromium with its layers and legend and no
JavaScript errors. Skips where Chromium is absent, unless GRIDPLAN_REQUIRE_BROWSER=1 (CI)."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from maps import boundary_map, grid_map, route_map, save_map, streets_near
from maps.browser import chromium, chromium_available, inspect_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver():
    missing = chromium_available()
    if missing:
        if os.environ.get("GRIDPLAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GRIDPLAN_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with chromium() as browser:
        yield browser


def _keep(screenshot: Path) -> None:
    """Copy a screenshot to GRIDPLAN_SCREENS_DIR when set (e.g. out/screens)."""
    target = os.environ.get("GRIDPLAN_SCREENS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(target) / screenshot.name)


def _open(driver, fmap, tmp_path, name, selectors):
    path = save_map(fmap, tmp_path / f"{name}.html")
    report = inspect_page(driver, path, selectors=selectors,
                          screenshot=tmp_path / f"test_{name}.png")
    _keep(report.screenshot)
    assert report.errors == [], report.errors
    assert report.screenshot.stat().st_size > 10_000
    return report


def test_grid_map_in_chromium(driver, grids, streets, tmp_path):
    report = _open(driver, grid_map(grids, proposed=grids.iloc[:6], streets=streets,
                                    tiles="none"), tmp_path, "grid_map", {
        "legend": ".gridplan-legend", "title": ".gridplan-title",
        "layers": ".leaflet-control-layers-overlays label",
        "paths": "path.leaflet-interactive", "labels": ".gridplan-label"})
    assert report.counts["legend"] == 1 and report.counts["title"] == 1
    assert report.counts["layers"] == 4  # streets, current, proposed, stations
    assert report.counts["paths"] >= len(grids)  # proposed hidden: current + station dots
    assert "现行网格" in report.texts["layers"] and "调整方案" in report.texts["layers"]
    assert report.counts["labels"] == len(grids)
    # the Chinese labels are drawn with the inlined subset of the shipped font, not tofu
    status = driver.execute_script(
        "return [...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'gridplan CJK')"
        ".map(f => f.status)")
    assert status == ["loaded"]


def test_route_map_in_chromium(driver, routes, key_points, uncovered, streets, grids, tmp_path):
    area = grids[grids.intersects(routes.to_crs(grids.crs).union_all())]
    report = _open(driver, route_map(routes, streets=streets_near(streets, area), grid=area,
                                     key_points=key_points, uncovered=uncovered,
                                     tiles="none", lang="en"), tmp_path, "route_map", {
        "legend": ".gridplan-legend", "panel": ".gridplan-panel li",
        "arrows": "textPath", "pins": ".gridplan-pin",
        "layers": ".leaflet-control-layers-overlays label",
        "paths": "path"})
    assert report.counts["legend"] == 1 and report.counts["arrows"] == 2
    assert report.counts["panel"] >= 2 and report.counts["pins"] == 4
    # streets, uncovered, two officers, key points, grid outline
    assert report.counts["layers"] == 6
    names = driver.execute_script("return [...document.querySelectorAll("
                                  "'.leaflet-control-layers-overlays label')].map(e => "
                                  "e.textContent.trim())")
    assert "Streets" in names and "Grid boundary" in names
    assert report.counts["paths"] > len(routes) + 100  # the street layer is drawn


def test_boundary_map_in_chromium(driver, jurisdictions, grids, zones, hotspots, routes,
                                  meeting_points, streets, tmp_path):
    fmap = boundary_map(jurisdictions, date=dt.date(2026, 11, 25), grids=grids, zones=zones,
                        hotspots=hotspots, joint_routes=routes[routes.officer == "A1"],
                        meeting_points=meeting_points, streets=streets, tiles="none")
    report = _open(driver, fmap, tmp_path, "boundary_map", {
        "legend": ".gridplan-legend .row", "title": ".gridplan-title",
        "layers": ".leaflet-control-layers-overlays label", "stars": ".gridplan-star",
        "attribution": ".leaflet-control-attribution"})
    assert report.counts["legend"] >= 2 + 1 + 6 + 1 + 1
    assert "2026-11-25" in report.texts["title"] and "黄浦区" in report.texts["title"]
    assert "OpenStreetMap" in report.texts["attribution"]
    assert report.counts["layers"] == 7 and report.counts["stars"] >= 1


def test_osm_tiles_map_only_fails_on_tiles_offline(driver, grids, tmp_path):
    path = save_map(grid_map(grids, streets=None), tmp_path / "online.html")
    report = inspect_page(driver, path, selectors={"legend": ".gridplan-legend"},
                          ignore=("tile.openstreetmap.org",))
    assert report.errors == [] and report.counts["legend"] == 1
