import numpy as np
import pandas as pd
import pytest

from geodata import sample
from geodata.coords import from_wgs84
from geodata.incidents import diagnose_datum, incidents_summary, load_incidents
from gridplan.errors import InvalidInputError
from gridplan.events import classify
from gridplan.model import EventClass

AREA = (121.46113, 31.21961, 121.48631, 31.24119)


def write_csv(tmp_path, rows, name="inc.csv", encoding="utf-8"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


def test_iso_and_epoch_times_and_classes(tmp_path):
    f = write_csv(
        tmp_path,
        [
            {
                "id": "a",
                "lng": 121.47,
                "lat": 31.23,
                "t": "2026-11-20 21:30",
                "cat": "偷倒建筑垃圾",
            },
            {"id": "b", "lng": 121.47, "lat": 31.23, "t": "1763645400", "cat": "占道经营"},
            {"id": "c", "lng": 121.47, "lat": 31.23, "t": "1763645400000", "cat": "乱张贴小广告"},
            {
                "id": "d",
                "lng": 121.47,
                "lat": 31.23,
                "t": "2026-11-20T13:30:00Z",
                "cat": "whatever",
            },
        ],
        encoding="gb18030",
    )
    frame = load_incidents(
        f, lon_col="lng", lat_col="lat", time_col="t", category_col="cat", id_col="id"
    ).frame
    assert str(frame["time"].dt.tz) == "Asia/Shanghai"
    assert frame["time"].iloc[0].hour == 21
    assert frame["time"].iloc[1] == frame["time"].iloc[2]  # seconds and milliseconds agree
    assert frame["time"].iloc[3].hour == 21  # 13:30 UTC is 21:30 in Shanghai
    assert list(frame["event_class"]) == ["市容环境", "街面秩序", "宣传广告", "其他"]
    assert list(frame["category"])[:2] == ["偷倒建筑垃圾", "占道经营"]


def test_every_problem_in_one_report(tmp_path):
    f = write_csv(
        tmp_path,
        [
            {"id": "1", "lon": 121.47, "lat": 31.23, "time": "yesterday"},
            {"id": "1", "lon": "abc", "lat": 31.23, "time": "2026-11-20 10:00"},
            {"id": "3", "lon": 121.47, "lat": 31.23, "time": "2026-13-45"},
        ],
    )
    with pytest.raises(InvalidInputError) as e:
        load_incidents(f, lon_col="lon", lat_col="lat", id_col="id")
    where = [p.where for p in e.value.problems]
    assert "row 2" in where and "row 3" in where and "row 4" in where
    text = e.value.report()
    assert "'yesterday'" in text and "'abc'" in text and "id 1 repeated" in text


def test_unknown_columns_suggest_the_right_one(tmp_path):
    f = write_csv(tmp_path, [{"longitude": 121.4, "latitude": 31.2, "time": "2026-11-20"}])
    with pytest.raises(InvalidInputError) as e:
        load_incidents(f, lon_col="lon", lat_col="latitude", time_col="tiem")
    text = e.value.report()
    assert "did you mean 'longitude'" in text and "did you mean 'time'" in text


def test_swapped_lon_lat_detected(tmp_path):
    f = write_csv(tmp_path, [{"x": 31.23, "y": 121.47, "time": "2026-11-20"}] * 3)
    with pytest.raises(InvalidInputError, match="swap the columns"):
        load_incidents(f, lon_col="x", lat_col="y")


def test_points_far_outside_area(tmp_path):
    f = write_csv(
        tmp_path,
        [
            {"lon": 121.47, "lat": 31.23, "time": "2026-11-20"},
            {"lon": 116.40, "lat": 39.90, "time": "2026-11-20"},
        ],
    )
    with pytest.raises(InvalidInputError, match="far outside"):
        load_incidents(f, lon_col="lon", lat_col="lat", area_wgs84=AREA)
    loaded = load_incidents(f, lon_col="lon", lat_col="lat", area_wgs84=AREA, drop_outside=True)
    assert len(loaded.frame) == 1 and loaded.warnings


def test_gcj02_input_converted_and_wrong_datum_diagnosed(tmp_path, sample_walk):
    synthetic = sample.incidents(n=300, net=sample_walk)
    lon, lat = synthetic.geometry.x.to_numpy(), synthetic.geometry.y.to_numpy()
    glon, glat = from_wgs84(lon, lat, coords="gcj02")
    f = write_csv(tmp_path, {"lon": glon, "lat": glat, "time": synthetic["time"].astype(str)})
    as_gcj = load_incidents(f, lon_col="lon", lat_col="lat", coords="gcj02").frame
    assert np.abs(as_gcj.geometry.x.to_numpy() - lon).max() < 1e-7
    assert diagnose_datum(as_gcj, sample_walk, coords_used="gcj02") is None
    as_wgs = load_incidents(f, lon_col="lon", lat_col="lat").frame
    warning = diagnose_datum(as_wgs, sample_walk)
    assert warning is not None and "--coords gcj02" in warning.fix


def test_geojson_points(tmp_path):
    synthetic = sample.incidents(n=20)
    path = tmp_path / "inc.geojson"
    synthetic.assign(time=synthetic["time"].astype(str)).to_file(path, driver="GeoJSON")
    frame = load_incidents(path, category_col="category", id_col="id").frame
    assert len(frame) == 20 and frame["id"].iloc[0] == synthetic["id"].iloc[0]


def test_summary_counts_by_class():
    info = incidents_summary(sample.incidents(n=200))
    assert info["count"] == 200 and sum(info["by_class"].values()) == 200


@pytest.mark.parametrize(
    ("label", "cls"),
    [
        ("暴露垃圾", EventClass.CITYSCAPE),
        ("违法搭建", EventClass.CONSTRUCTION),
        ("跨门营业", EventClass.STREET_ORDER),
        ("井盖缺失", EventClass.EMERGENCY),
        ("Illegal poster", EventClass.ADVERTISING),
        ("市容环境", EventClass.CITYSCAPE),
        ("", EventClass.OTHER),
    ],
)
def test_classify(label, cls):
    assert classify(label) is cls


def test_classify_mapping_overrides():
    assert classify("XYZ-7", {"XYZ-7": "施工管理"}) is EventClass.CONSTRUCTION
