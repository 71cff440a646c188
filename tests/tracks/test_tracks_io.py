"""Reading tracks: GPX 1.0/1.1, CSV, GeoJSON, datums, and one report of every bad point."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geodata.coords import from_wgs84
from geodata.tracks import flagged_points, load_tracks
from gridplan.errors import InvalidInputError

GPX10 = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.0" creator="test" xmlns="http://www.topografix.com/GPX/1/0">
<wpt lat="31.2305" lon="121.4705"><time>2026-11-25T00:10:00Z</time><name>巡更点</name></wpt>
<trk><name>张三</name><trkseg>
<trkpt lat="31.2300" lon="121.4700"><time>2026-11-25T00:00:00Z</time></trkpt>
<trkpt lat="31.2301" lon="121.4701"><time>2026-11-25T00:00:15Z</time></trkpt>
</trkseg><trkseg>
<trkpt lat="31.2302" lon="121.4702"><time>2026-11-25T00:05:00Z</time></trkpt>
</trkseg></trk>
<rte><rtept lat="31.25" lon="121.48"/></rte>
</gpx>"""

GPX11 = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><trkseg>
<trkpt lat="31.2300" lon="121.4700"><time>2026-11-25T08:00:00+08:00</time></trkpt>
<trkpt lat="31.2301" lon="121.4701"><time>2026-11-25T08:00:15+08:00</time></trkpt>
</trkseg></trk></gpx>"""


def test_gpx_10_and_11_tracks_segments_and_timed_waypoints(tmp_path):
    a, b = tmp_path / "a.gpx", tmp_path / "李四.gpx"
    a.write_text(GPX10, encoding="utf-8")
    b.write_text(GPX11, encoding="utf-8")
    loaded = load_tracks([a, b])
    f = loaded.frame
    assert sorted(f["officer"].unique()) == ["a", "张三", "李四"]  # waypoint → file name
    assert len(f) == 6 and (f["flag"] == "").all() and not loaded.warnings
    assert str(f["time"].dt.tz) == "Asia/Shanghai"
    assert f.loc[f["officer"] == "李四", "time"].iloc[0] == pd.Timestamp(
        "2026-11-25 00:00:00", tz="UTC")


def test_csv_with_accuracy_and_local_times(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("officer_id,timestamp,lng,lat,acc\nA,2026-11-25 08:00:00,121.47,31.23,8\n"
                    "A,1795564815,121.4701,31.2301,12\n", encoding="utf-8")
    f = load_tracks([path]).frame
    assert list(f["accuracy"]) == [8.0, 12.0]
    assert f["time"].iloc[0] == pd.Timestamp("2026-11-25 00:00:00", tz="UTC")


def test_geojson_points_and_timed_lines(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"officer": "A", "time": "2026-11-25T08:00:00+08:00"},
         "geometry": {"type": "Point", "coordinates": [121.47, 31.23]}},
        {"type": "Feature", "properties": {"name": "B", "coordTimes": [
            "2026-11-25T00:00:00Z", "2026-11-25T00:00:10Z"]},
         "geometry": {"type": "LineString", "coordinates": [[121.47, 31.23],
                                                            [121.4701, 31.2301]]}}]}
    path = tmp_path / "t.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    f = load_tracks([path]).frame
    assert sorted(f["officer"]) == ["A", "B", "B"]


def test_every_bad_point_is_flagged_in_one_report_not_fatal(tmp_path, sample_walk):
    rows = ["officer,time,lon,lat",
            "A,2026-11-25 08:00:00,121.4700,31.2300",
            "A,2026-11-25 08:00:15,121.4701,31.2301",
            "A,2026-11-25 08:00:15,121.4701,31.2301",  # duplicate time
            "A,yesterday,121.4702,31.2302",  # unparseable time
            "A,2026-11-25 08:00:30,121.4900,31.2302",  # 2 km in 15 s: a jump
            "A,2026-11-25 08:00:45,abc,31.2303",  # bad position
            "A,2026-11-25 08:01:00,121.4703,31.2303",
            "B,2026-11-25 08:00:00,116.40,39.90",  # Beijing: outside the network
            "B,2026-11-25 08:05:00,116.40,39.91"]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    loaded = load_tracks([path], network=sample_walk)
    flags = dict(zip(loaded.frame["where"], loaded.frame["flag"], strict=True))
    assert flags == {"row 2": "", "row 3": "", "row 4": "duplicate time", "row 5": "time",
                     "row 6": "jump", "row 7": "position", "row 8": "",
                     "row 9": "outside", "row 10": "outside"}
    found = {w.found.split(":")[0] for w in loaded.warnings if w.source == str(path)}
    assert found == {"duplicate time", "time", "jump", "position", "outside"}
    assert all("row" in w.found for w in loaded.warnings if w.source == str(path))
    # an unreadable point's report says what it holds
    assert any("row 7 ('abc', 31.2303)" in w.found for w in loaded.warnings)
    assert any("row 5 ('yesterday')" in w.found for w in loaded.warnings)
    # the same as stable codes, for doors that say it in their own language
    assert {(f["flag"], f["points"], tuple(f["places"])) for f in flagged_points(loaded.frame)
            } == {("duplicate time", 1, ("row 4",)), ("time", 1, ("row 5",)),
                  ("jump", 1, ("row 6",)), ("position", 1, ("row 7",)),
                  ("outside", 2, ("row 9", "row 10"))}


def test_unusable_files_are_one_error_with_every_problem(tmp_path):
    bad_csv = tmp_path / "t.csv"
    bad_csv.write_text("who,when,lng,lat\nA,2026-11-25 08:00,121.47,31.23\n", encoding="utf-8")
    bad_gpx = tmp_path / "t.gpx"
    bad_gpx.write_text("<gpx><trk>", encoding="utf-8")
    with pytest.raises(InvalidInputError) as err:
        load_tracks([bad_csv, bad_gpx, tmp_path / "missing.gpx", tmp_path / "t.kml"])
    text = err.value.report()
    assert "officer" in text and "time" in text and "not readable GPX" not in text.split("\n")[0]
    assert len(err.value.problems) == 5  # 2 columns, the GPX, the missing file, the suffix


def test_gcj02_round_trip_and_datum_diagnosis(tmp_path, sample_walk):
    nodes = list(sample_walk.graph.nodes(data=True))[:200:10]
    lon = np.array([d["lon"] for _, d in nodes])
    lat = np.array([d["lat"] for _, d in nodes])
    glon, glat = from_wgs84(lon, lat, coords="gcj02")
    times = pd.date_range("2026-11-25 08:00", periods=len(lon), freq="30min")
    frame = pd.DataFrame({"officer": "A", "time": times.strftime("%Y-%m-%d %H:%M:%S"),
                          "lon": glon, "lat": glat})
    path = tmp_path / "gcj.csv"
    frame.to_csv(path, index=False, float_format="%.9f")
    right = load_tracks([path], coords="gcj02", network=sample_walk)
    back = right.frame.geometry
    assert np.max(np.abs(back.x.to_numpy() - lon)) < 1e-7
    assert np.max(np.abs(back.y.to_numpy() - lat)) < 1e-7
    assert not right.warnings
    wrong = load_tracks([path], network=sample_walk)
    assert any("--coords gcj02" in w.fix for w in wrong.warnings)
