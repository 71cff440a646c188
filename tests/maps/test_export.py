import json
import sqlite3
import warnings
from pathlib import Path

import geopandas as gpd
import gpxpy
import numpy as np
import pandas as pd
import pytest
import shapely
from lxml import etree

from maps import (
    officers_layer,
    write_geojson,
    write_gpkg,
    write_gpx,
    write_kml,
    write_turn_csv,
)
from maps.layers import validate_layer

XSD = Path(__file__).parents[1] / "data" / "maps" / "gpx11.xsd"


def _wgs_coords(frame):
    return [np.asarray(g.coords) for g in validate_layer(frame, "routes").geometry]


def test_gpx_validates_and_round_trips(routes, key_points, tmp_path):
    path = write_gpx(routes, tmp_path / "r.gpx", key_points=key_points, lang="en")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log
    gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
    assert [t.name for t in gpx.tracks] == ["Officer A1", "Officer A2"]
    assert gpx.copyright_author == "OpenStreetMap contributors" and "EPSG:4326" in gpx.description
    assert [w.name for w in gpx.waypoints] == ["学校门口", "菜市场"]
    assert "07:30–08:30" in gpx.waypoints[0].description
    for officer, track in zip(["A1", "A2"], gpx.tracks, strict=True):
        expected = np.vstack(_wgs_coords(routes[routes.officer == officer]))
        expected = expected[np.r_[True, np.any(np.abs(np.diff(expected, axis=0)) > 1e-9, axis=1)]]
        got = np.array([(p.longitude, p.latitude) for s in track.segments for p in s.points])
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() < 1e-6  # 7 decimals written


def test_geojson_round_trips_with_rfc7946_members(routes, zones, hotspots, tmp_path):
    path = write_geojson({"routes": routes, "zones": zones, "hotspots": hotspots},
                         tmp_path / "all.geojson", attribution="test data")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in doc and "OpenStreetMap" in doc["attribution"]
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326
    assert back["layer"].value_counts().to_dict() == {
        "hotspots": len(hotspots), "routes": len(routes), "zones": len(zones)}
    got = back[back.layer == "routes"].geometry.reset_index(drop=True)
    want = validate_layer(routes, "routes").geometry.reset_index(drop=True)
    assert all(g.equals_exact(w, 1e-9) for g, w in zip(got, want, strict=True))
    for feature in doc["features"]:  # right-hand rule: exterior rings counter-clockwise
        if feature["geometry"]["type"] == "Polygon":
            assert shapely.Polygon(feature["geometry"]["coordinates"][0]).exterior.is_ccw


def test_gpkg_holds_every_layer_with_crs_and_description(routes, zones, grids, tmp_path):
    layers = {"grids": grids, "routes": routes, "zones": zones,
              "officers": officers_layer(routes)}
    path = write_gpkg(layers, tmp_path / "plan.gpkg")
    import pyogrio

    names = {row[0] for row in pyogrio.list_layers(path)}
    assert names == set(layers)
    for name, frame in layers.items():
        back = gpd.read_file(path, layer=name)
        assert back.crs.to_epsg() == 4326 and len(back) == len(frame)
    back = gpd.read_file(path, layer="routes")
    want = validate_layer(routes, "routes")
    assert all(g.equals_exact(w, 1e-9) for g, w in zip(back.geometry, want.geometry, strict=True))
    assert list(back["name"]) == list(want["name"])
    with sqlite3.connect(path) as db:
        descriptions = dict(db.execute("SELECT table_name, description FROM gpkg_contents"))
    assert all("OpenStreetMap" in descriptions[n] for n in layers)
    officers = gpd.read_file(path, layer="officers")
    assert officers["turns"].str.contains("\n").any()


def test_turn_csv_opens_in_excel_encoding(routes, tmp_path):
    path = write_turn_csv(routes, tmp_path / "turns.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfofficer,")  # header first: no comment line
    table = pd.read_csv(path, encoding="utf-8-sig")
    assert list(table.columns) == ["officer", "step", "instruction", "route_length_m",
                                   "route_minutes", "attribution"]
    assert table["attribution"].str.contains("OpenStreetMap").all()
    assert table["instruction"].iloc[0].startswith("沿 ")
    assert set(table["officer"]) == {"A1", "A2"}


def test_kml_has_one_folder_per_officer(routes, key_points, uncovered, tmp_path):
    path = write_kml(routes, tmp_path / "r.kml", key_points=key_points, uncovered=uncovered)
    doc = etree.parse(str(path))
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    folders = [f.findtext("k:name", namespaces=ns) for f in doc.iterfind(".//k:Folder", ns)]
    assert folders == ["队员 A1", "队员 A2", "重点点位", "未覆盖街道"]
    assert "OpenStreetMap" in doc.findtext("k:Document/k:description", namespaces=ns)
    assert len(doc.findall(".//k:LineString", ns)) == len(routes) + 1


def test_a_failed_write_leaves_no_file(routes, tmp_path):
    bad = routes.drop(columns=["minutes"])
    with pytest.raises(ValueError):
        write_gpx(bad, tmp_path / "x.gpx")
    assert list(tmp_path.iterdir()) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_gpx(routes, tmp_path / "x.gpx")
