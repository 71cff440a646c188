import datetime as dt
import json

import pytest

from geodata.coords import from_wgs84
from gridplan.errors import InvalidInputError
from maps import boundary_map, grid_map, route_map, save_map
from maps.assets import external_resources


def _has(html: str, text: str) -> bool:
    """Text appears literally or JSON-escaped (folium escapes non-ASCII inside scripts)."""
    return text in html or json.dumps(text)[1:-1] in html


def _page(fmap, tmp_path, name="m.html", *, offline=True):
    path = save_map(fmap, tmp_path / name, offline=offline)
    return path.read_text(encoding="utf-8")


def test_offline_grid_map_is_self_contained(grids, streets, tmp_path):
    html = _page(grid_map(grids, proposed=grids.iloc[:5], streets=streets, tiles="none"),
                 tmp_path)
    assert external_resources(html) == []
    assert "leaflet.js (vendored)" in html and "leaflet.css (vendored)" in html
    assert "gridplan-legend" in html and _has(html, "现行网格") and _has(html, "调整方案")
    assert "L.tileLayer(" not in html and "sourceMappingURL" not in html
    assert "OpenStreetMap" in html


def test_online_map_links_cdn_and_tiles(grids, tmp_path):
    html = _page(grid_map(grids, streets=None, lang="en"), tmp_path, offline=False)
    assert any("leaflet" in url for url in external_resources(html))
    assert "tile.openstreetmap.org" in html and _has(html, "Current grids")


def test_gcj02_tiles_shift_the_data(grids, tmp_path):
    plain = _page(grid_map(grids, streets=None, tiles="none"), tmp_path, "a.html")
    shifted = _page(grid_map(grids, streets=None, tiles="amap"), tmp_path, "b.html")
    assert "autonavi" in shifted
    lon, lat = grids.iloc[0]["station_lon"], grids.iloc[0]["station_lat"]
    glon, glat = from_wgs84(lon, lat, coords="gcj02")
    assert f"{lat:.5f}" in plain.replace("\n", "") or str(round(lat, 6))[:8] in plain
    assert str(float(glat))[:8] in shifted and str(float(glat))[:8] not in plain
    # the shift is the GCJ-02 offset: hundreds of metres
    assert 100 < abs(glon - lon) * 95_000 + abs(glat - lat) * 111_000 < 1500


def test_route_map_has_arrows_panel_and_key_point_windows(routes, key_points, uncovered,
                                                          tmp_path):
    html = _page(route_map(routes, streets=None, key_points=key_points, uncovered=uncovered,
                           tiles="none"),
                 tmp_path)
    assert external_resources(html) == []
    assert "leaflet.textpath.js (vendored)" in html and "setText" in html
    assert "gridplan-panel" in html and _has(html, "07:30–08:30")
    arrows = json.dumps("►")[1:-1]
    assert html.count(arrows) + html.count("►") == routes["officer"].nunique()
    assert _has(html, "未覆盖街道")


def test_boundary_map_has_title_date_parties_and_gi_classes(jurisdictions, grids, zones,
                                                             hotspots, routes, meeting_points,
                                                             tmp_path):
    fmap = boundary_map(jurisdictions, date=dt.date(2026, 11, 25), grids=grids, zones=zones,
                        hotspots=hotspots, joint_routes=routes, meeting_points=meeting_points,
                        streets=None, tiles="none", lang="en")
    html = _page(fmap, tmp_path)
    assert "2026-11-25" in html and _has(html, "黄浦区 and 静安区")
    for label in ("Hot spot 99%", "Hot spot 95%", "Hot spot 90%", "Cold spot 99%",
                  "Boundary zone", "Meeting points"):
        assert _has(html, label)
    assert "OpenStreetMap" in html


def test_unknown_tiles_are_refused(grids):
    with pytest.raises(InvalidInputError, match="unknown tile provider"):
        grid_map(grids, streets=None, tiles="google")


def test_missing_columns_fail_before_drawing(grids):
    with pytest.raises(InvalidInputError, match="enforcement"):
        grid_map(grids.drop(columns=["enforcement"]), streets=None)


def test_grids_without_workload_are_drawn_in_one_neutral_colour(grids, tmp_path):
    html = _page(grid_map(grids.drop(columns=["workload_h"]), streets=None), tmp_path)
    assert "#b9c7d6" in html and _has(html, "未估算")
