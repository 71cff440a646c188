import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplan.errors import InvalidInputError
from gridplan.hotspots.analysis import HotspotParams, analyse_hotspots
from gridplan.hotspots.cells import CellParams, segment_table

from .conftest import UTM51N, planted_incidents, small_network


def test_planted_cluster_is_the_hotspot(two_districts):
    incidents = planted_incidents(1)
    result = analyse_hotspots(incidents, two_districts)
    assert result.ok and result.is_valid()
    assert result.n_outside == int((~incidents.geometry.intersects(two_districts.union_all())).sum())
    assert result.n_outside > 0 and len(result.incidents) == result.n_input - result.n_outside
    best = max(result.hotspots, key=lambda h: h.max_z)
    assert best.geometry.distance(shapely.Point(2000, 1000)) == 0
    assert best.gi_bin == 3 and best.incident_count >= 100
    assert best.peak.hours <= 4 and best.peak.share >= 0.6
    assert best.profile.shape == (7, 24) and best.profile.sum() == best.incident_count
    assert str(best.trend) in {"persistent", "sporadic", "intensifying", "diminishing", "new"}
    assert "hot" in result.summary()


def test_same_input_same_result(two_districts):
    a = analyse_hotspots(planted_incidents(3), two_districts)
    b = analyse_hotspots(planted_incidents(3), two_districts)
    np.testing.assert_array_equal(a.units["gi_z"], b.units["gi_z"])
    assert [h.unit_ids for h in a.hotspots] == [h.unit_ids for h in b.hotspots]


def test_no_cluster_no_hotspot(two_districts):
    uniform = planted_incidents(5, n_background=800, n_hot=0)
    result = analyse_hotspots(uniform, two_districts, params=HotspotParams(
        neighbour_distance_m=450), cells=CellParams(cell_shape="square", cell_size_m=200))
    assert result.ok and result.is_valid()
    assert len(result.hotspots) <= 1  # FDR keeps false alarms rare on pure noise


def test_too_few_incidents_says_so(two_districts):
    few = planted_incidents(1, n_background=10, n_hot=5)
    result = analyse_hotspots(few, two_districts)
    assert result.status == "insufficient_data" and not result.hotspots
    assert "only" in result.message and result.units["gi_z"].isna().all()
    assert result.units["count"].sum() == len(result.incidents)
    with pytest.raises(InvalidInputError) as info:
        result.raise_if_insufficient()
    assert info.value.problems[0].source == "incidents"


def test_knn_row_standardised_and_recency(two_districts):
    params = HotspotParams(weights="knn", k_neighbours=6, transform="R", half_life_days=14)
    result = analyse_hotspots(planted_incidents(1), two_districts, params=params)
    assert result.ok and result.is_valid()
    assert (result.units["weighted"] <= result.units["count"] + 1e-12).all()
    assert any(h.geometry.distance(shapely.Point(2000, 1000)) == 0 for h in result.hotspots)


def test_street_segments_as_units():
    network = small_network()
    segments = segment_table(network.graph)
    area = gpd.GeoDataFrame({"code": ["X"]}, geometry=[shapely.box(-50, -50, 450, 550)], crs=UTM51N)
    rng = np.random.default_rng(8)
    spur = int(segments.index[segments["name"] == ""][0])
    # 10 incidents per street, 60 more on the unnamed spur, all within 8 m of their street,
    # plus 5 in the middle of blocks (too far to snap)
    street = np.concatenate([np.repeat(segments.index.to_numpy(), 10), np.full(60, spur)])
    along = shapely.line_interpolate_point(segments.geometry.values[street], rng.uniform(0, 1, len(street)),
                                           normalized=True)
    xy = shapely.get_coordinates(along) + rng.uniform(-8, 8, (len(street), 2))
    xy = np.vstack([xy, rng.uniform(70, 130, (5, 2))])
    times = planted_incidents(8, n_background=len(xy), n_hot=0)["time"].to_numpy()
    incidents = gpd.GeoDataFrame({"time": times}, geometry=shapely.points(xy), crs=UTM51N)
    # 13 streets only: Gi* cannot reach FDR-corrected significance with so few units
    params = HotspotParams(neighbour_distance_m=150, max_snap_m=30, min_units_with_incidents=3,
                           fdr=False)
    result = analyse_hotspots(incidents, area, params=params, segments=segments)
    assert result.ok and result.is_valid()
    assert result.n_unassigned == 5
    assert result.units.loc[spur, "count"] >= 60
    assert result.units["gi_z"].idxmax() == spur
    assert result.units.loc[spur, "gi_bin"] > 0


def test_bad_inputs_are_listed_together(two_districts):
    incidents = planted_incidents(1).drop(columns="time").to_crs(4326)
    with pytest.raises(InvalidInputError) as info:
        analyse_hotspots(incidents, two_districts.rename(columns={"code": "id"}))
    assert len(info.value.problems) >= 4
    with pytest.raises(InvalidInputError):
        HotspotParams().replace(min_weeks_for_trend=2)


def test_study_area_limits_cells(two_districts):
    from gridplan.hotspots.cells import street_area

    segments = segment_table(small_network().graph)
    area = street_area(segments, buffer_m=60)
    assert area.bounds == pytest.approx((-60, -60, 460, 560))
    incidents = planted_incidents(1)
    full = analyse_hotspots(incidents, two_districts)
    limited = analyse_hotspots(incidents, two_districts, study_area=area)
    assert len(limited.units) < len(full.units) / 10
    assert limited.units.geometry.intersects(area).all()
    assert limited.is_valid() and limited.n_unassigned > 0  # incidents away from the streets
