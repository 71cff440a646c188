import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from maps.labels import all_label_sets, check_lang
from maps.layers import SCHEMAS, validate_layer


def test_both_languages_have_the_same_labels():
    sets = all_label_sets()
    assert set(sets["zh"]) == set(sets["en"])
    assert all(v or k == "persons" for v_ in sets.values() for k, v in v_.items())


def test_unknown_language_is_refused():
    with pytest.raises(InvalidInputError, match="unsupported language"):
        check_lang("fr")


def test_every_missing_column_is_reported_at_once():
    frame = gpd.GeoDataFrame({"officer": ["A"]}, geometry=[shapely.LineString([(0, 0), (1, 1)])],
                             crs="EPSG:4326")
    with pytest.raises(InvalidInputError) as err:
        validate_layer(frame, "routes")
    missing = {p.where for p in err.value.problems}
    assert missing == {f"column {c!r}" for c in ("seq", "name", "deadhead", "length_m", "minutes")}


def test_bad_values_geometry_and_crs_are_all_reported():
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["x", "y"], "window": ["8-9", None],
         "dwell_minutes": [5.0, "ten"]},
        geometry=[shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(InvalidInputError) as err:
        validate_layer(frame, "key_points", source="points.geojson")
    text = str(err.value)
    assert "points.geojson" in text
    wheres = " | ".join(p.where for p in err.value.problems)
    assert "'window'" in wheres and "'dwell_minutes'" in wheres and "geometry" in wheres
    assert any(p.where == "CRS" for p in err.value.problems)


def test_gi_bin_out_of_range_is_refused():
    frame = gpd.GeoDataFrame({"gi_z": [1.0], "gi_p": [0.1], "gi_bin": [4], "count": [3]},
                             geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:32651")
    with pytest.raises(InvalidInputError, match="not a valid hotspots layer"):
        validate_layer(frame, "hotspots")


def test_not_a_frame_is_refused():
    with pytest.raises(InvalidInputError):
        validate_layer([1, 2], "grids")
    with pytest.raises(InvalidInputError):
        validate_layer(pd.DataFrame({"label": ["x"]}), "meeting_points")


@settings(max_examples=30, deadline=None)
@given(x=st.floats(300_000, 400_000), y=st.floats(3_400_000, 3_500_000),
       label=st.text(min_size=0, max_size=8))
def test_valid_layers_come_back_in_wgs84_unchanged_otherwise(x, y, label):
    frame = gpd.GeoDataFrame({"label": [label]}, geometry=[shapely.Point(x, y)],
                             crs="EPSG:32651")
    out = validate_layer(frame, "meeting_points")
    assert out.crs.to_epsg() == 4326 and out["label"].iloc[0] == label
    back = out.to_crs("EPSG:32651").geometry.iloc[0]
    assert back.distance(shapely.Point(x, y)) < 1e-3
    assert frame.crs.to_epsg() == 32651  # input untouched


def test_sample_inputs_pass(grids, routes, key_points, uncovered, zones, hotspots,
                            meeting_points, jurisdictions):
    for frame, layer in [(grids, "grids"), (routes, "routes"), (key_points, "key_points"),
                         (uncovered, "uncovered"), (zones, "zones"), (hotspots, "hotspots"),
                         (meeting_points, "meeting_points"), (jurisdictions, "jurisdictions")]:
        assert layer in SCHEMAS
        assert len(validate_layer(frame, layer)) == len(frame)
