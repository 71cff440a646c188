import json

import geopandas as gpd
import pytest
from shapely.geometry import box, mapping

from geodata import sample
from geodata.jurisdictions import load_jurisdictions
from gridplan.errors import InvalidInputError
from gridplan.jurisdictions import shared_boundaries, sibling_gaps


def write_features(path, features):
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": props, "geometry": geom}
                    for props, geom in features
                ],
            }
        )
    )
    return path


def square(x0, y0, size=0.01):
    return mapping(box(x0, y0, x0 + size, y0 + size))


def test_sample_districts_and_shared_boundary():
    j = sample.jurisdictions()
    assert list(j["code"]) == ["310101", "310106"]
    assert set(j["level"]) == {3}
    shared = shared_boundaries(j.to_crs(sample.METRIC_CRS))
    assert len(shared) == 1
    assert 5000 < shared.iloc[0]["length_m"] < 6500


def test_hierarchy_inferred_from_containment(tmp_path):
    f = write_features(
        tmp_path / "j.geojson",
        [
            ({"code": "310101", "name": "D"}, square(121.0, 31.0, 0.02)),
            ({"code": "310101001", "name": "T1"}, square(121.0, 31.0, 0.01)),
            ({"code": "310101002", "name": "T2"}, square(121.01, 31.0, 0.01)),
        ],
    )
    frame = load_jurisdictions(f).frame.set_index("code")
    assert frame.loc["310101001", "parent_code"] == "310101"
    assert frame.loc["310101001", "level"] == 4
    assert frame.loc["310101", "parent_code"] is None


def test_invalid_polygon_repaired_with_report_and_bad_features_refused(tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[121, 31], [121.01, 31.01], [121.01, 31], [121, 31.01], [121, 31]]],
    }
    ok = write_features(tmp_path / "repair.geojson", [({"code": "310101", "name": "x"}, bowtie)])
    loaded = load_jurisdictions(ok)
    assert loaded.frame.geometry.iloc[0].is_valid
    assert any("Self-intersection" in w.found for w in loaded.warnings)

    bad = write_features(
        tmp_path / "bad.geojson",
        [
            ({"code": "310101", "name": "a"}, square(121, 31)),
            ({"code": "310101", "name": "dup"}, square(121.1, 31)),
            ({"code": "", "name": "nocode"}, square(121.2, 31)),
            (
                {"code": "310104", "name": "line"},
                {"type": "LineString", "coordinates": [[121, 31], [121.1, 31]]},
            ),
        ],
    )
    with pytest.raises(InvalidInputError) as e:
        load_jurisdictions(bad)
    found = " | ".join(p.where + ": " + p.found for p in e.value.problems)
    assert len(e.value.problems) == 3, found
    assert "feature 2" in found and "feature 3" in found and "LineString" in found


def test_overlapping_siblings_reported(tmp_path):
    f = write_features(
        tmp_path / "o.geojson",
        [
            ({"code": "310101", "name": "a"}, square(121.0, 31.0)),
            ({"code": "310104", "name": "b"}, square(121.005, 31.0)),
        ],
    )
    loaded = load_jurisdictions(f)
    assert any("overlap" in w.found for w in loaded.warnings)


def test_gap_between_siblings_found():
    ring = box(0, 0, 300, 300).difference(box(100, 100, 200, 200))
    frame = gpd.GeoDataFrame(
        {"code": ["a", "b"], "name": ["a", "b"], "level": [3, 3], "parent_code": ["p", "p"]},
        geometry=[ring.intersection(box(0, 0, 150, 300)), ring.intersection(box(150, 0, 300, 300))],
        crs=32651,
    )
    problems = sibling_gaps(frame, min_area_m2=100)
    assert len(problems) == 1 and "10,000 m²" in problems[0].found


def test_not_touching_gives_no_shared_boundary():
    frame = gpd.GeoDataFrame(
        {"code": ["a", "b"], "name": ["a", "b"], "level": [3, 3]},
        geometry=[box(0, 0, 10, 10), box(100, 0, 110, 10)],
        crs=32651,
    )
    assert shared_boundaries(frame).empty


def test_gcj02_polygons_are_shifted(tmp_path):
    f = write_features(
        tmp_path / "g.geojson", [({"code": "310101", "name": "a"}, square(121.47, 31.23))]
    )
    wgs = load_jurisdictions(f).frame.geometry.iloc[0]
    gcj = load_jurisdictions(f, coords="gcj02").frame.geometry.iloc[0]
    assert 0.003 < wgs.bounds[0] - gcj.bounds[0] < 0.006


def test_unknown_code_column(tmp_path):
    f = write_features(
        tmp_path / "c.geojson", [({"adcode": "310101", "name": "a"}, square(121, 31))]
    )
    with pytest.raises(InvalidInputError) as e:
        load_jurisdictions(f, code_col="gbcode")
    assert "did you mean 'adcode'" in e.value.report()


@pytest.mark.parametrize(("lon", "lat"), [(24.94, 60.17), (116.35, 40.0)])  # Helsinki, Beijing
def test_overlaps_are_measured_in_square_metres_wherever_the_city_is(tmp_path, lon, lat):
    """The overlap area is the true one (an equal-area projection agrees), not the area a
    Shanghai UTM zone would give far from its meridian."""
    import re

    import shapely

    a, b = box(lon, lat, lon + 0.01, lat + 0.01), box(lon + 0.004, lat, lon + 0.014, lat + 0.01)
    f = write_features(tmp_path / "o.geojson", [({"code": "110108", "name": "a"}, mapping(a)),
                                                ({"code": "110105", "name": "b"}, mapping(b))])
    (warning,) = [w for w in load_jurisdictions(f).warnings if "overlap" in w.found]
    said = float(re.match(r"([\d,]+) m²", warning.found).group(1).replace(",", ""))
    equal_area = gpd.GeoSeries([shapely.intersection(a, b)], crs=4326).to_crs(
        f"+proj=laea +lon_0={lon} +lat_0={lat}").area.iloc[0]
    assert said == pytest.approx(equal_area, rel=0.005)
