import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from gridplan.hotspots.cells import (
    CellParams,
    assign_to_cells,
    assign_to_segments,
    count_per_unit,
    make_cells,
    recency_weights,
    segment_table,
)
from gridplan.hotspots.risk import RiskParams, dead_end_points, patrol_priority, risk_terrain

from .conftest import UTM51N, small_network

AREA = shapely.Polygon([(0, 0), (1000, 0), (1000, 700), (300, 900), (0, 700)])
SHAPES = [CellParams(cell_shape=s, cell_orientation=o, cell_size_m=size) for s in ("hexagon", "square")
          for o in ("pointy", "flat") for size in (100.0, 73.0)]


@pytest.mark.parametrize("params", SHAPES, ids=str)
def test_cells_cover_area_with_the_right_size(params):
    cells = make_cells(AREA, params, crs=UTM51N)
    # cover: every point of the area falls in a cell (checked on a dense sample, because a
    # GEOS union of hundreds of cells with float vertices is not a robust oracle)
    xy = np.random.default_rng(0).uniform(0, 1000, (20_000, 2))
    xy = xy[shapely.contains_xy(AREA, xy[:, 0], xy[:, 1])]
    tree = shapely.STRtree(cells.geometry.values)
    assert len(np.unique(tree.query(shapely.points(xy), predicate="intersects")[0])) == len(xy)
    expected = params.cell_size_m**2 * (np.sqrt(3) / 2 if params.cell_shape == "hexagon" else 1)
    np.testing.assert_allclose(cells.geometry.area, expected)
    assert (cells.geometry.intersection(AREA).area > 0).all()
    # cells tile without overlap: centres at least one cell width apart
    centres = cells[["x", "y"]].to_numpy()
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() == pytest.approx(params.cell_size_m)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), which=st.integers(0, len(SHAPES) - 1))
def test_assignment_is_exact(seed, which):
    cells = make_cells(AREA, SHAPES[which], crs=UTM51N)
    xy = np.random.default_rng(seed).uniform(-300, 1300, (400, 2))
    ids = assign_to_cells(xy, cells)
    inside = ids >= 0
    assert shapely.intersects_xy(cells.geometry.values[ids[inside]], xy[inside, 0], xy[inside, 1]).all()
    hits = shapely.STRtree(cells.geometry.values).query(shapely.points(xy[~inside]), predicate="intersects")
    assert hits.shape[1] == 0  # unassigned points really are outside every cell


def test_counts_and_recency_weights():
    times = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-29"]).tz_localize("Asia/Shanghai"))
    w = recency_weights(times, half_life_days=14)
    np.testing.assert_allclose(w, [0.25, 0.5, 1.0])
    np.testing.assert_allclose(count_per_unit(np.array([0, 2, -1]), 3, weights=w), [0.25, 0, 0.5])
    with pytest.raises(InvalidInputError):
        recency_weights(times, half_life_days=0)


def test_bad_area_is_explained():
    with pytest.raises(InvalidInputError) as info:
        make_cells(gpd.GeoSeries([AREA], crs=4326))
    assert "projected" in str(info.value)
    with pytest.raises(InvalidInputError):
        CellParams(cell_shape="triangle", cell_size_m=-1)


def test_segments_snap_within_limit():
    segments = segment_table(small_network().graph)
    assert len(segments) == 13 and segments.crs.to_epsg() == UTM51N
    ids, dist = assign_to_segments(np.array([[100, 10], [100, 100], [410, 480]]), segments, max_snap_m=30)
    assert segments.iloc[ids[0]].geometry.distance(shapely.Point(100, 10)) == pytest.approx(10)
    assert ids[1] == -1 and np.isnan(dist[1])  # 100 m from every street
    assert segments.iloc[ids[2]]["name"] == ""  # the spur
    assert dist[2] == pytest.approx(10)


def test_risk_components():
    network = small_network()
    ends = dead_end_points(network)
    np.testing.assert_array_equal(ends, [[400, 500]])  # the spur's far end only
    units = gpd.GeoDataFrame(geometry=shapely.points([[400, 500], [0, 0], [400, 420]]), crs=UTM51N)
    water = gpd.GeoSeries([shapely.LineString([(-50, -100), (-50, 300)])], crs=UTM51N)
    line = gpd.GeoSeries([shapely.LineString([(0, 400), (500, 400)])], crs=UTM51N)
    scores = risk_terrain(units, network, waterways=water, boundary_lines=line,
                          params=RiskParams(dead_end_radius_m=100, boundary_radius_m=200))
    assert scores["dead_end"].iloc[0] == pytest.approx(1 - np.exp(-1))
    assert scores["dead_end"].iloc[1] == 0
    assert scores["dead_end"].iloc[2] == pytest.approx(1 - np.exp(-0.2))
    assert scores["waterway"].iloc[1] == pytest.approx(0.5) and scores["waterway"].iloc[0] == 0
    assert scores["minor_road"].iloc[0] == 1 and scores["minor_road"].iloc[1] == 0
    assert scores["boundary"].iloc[1] == 0 and scores["boundary"].iloc[2] == pytest.approx(0.9)
    assert scores["risk"].between(0, 1).all()
    assert scores["risk"].iloc[0] > scores["risk"].iloc[1]


def test_risk_without_layers_and_crs_mismatch():
    network = small_network()
    units = gpd.GeoDataFrame(geometry=shapely.points([[0, 0]]), crs=UTM51N)
    scores = risk_terrain(units, network, waterways=gpd.GeoSeries([], crs=UTM51N))
    assert scores[["waterway", "boundary"]].sum().sum() == 0
    with pytest.raises(InvalidInputError):
        risk_terrain(units.to_crs(3857), network)
    with pytest.raises(InvalidInputError):
        RiskParams(weight_dead_end=0, weight_waterway=0, weight_minor_road=0, weight_boundary=0)


def test_priority_raises_risky_quiet_places():
    p = patrol_priority(np.array([0.0, 0.0, 1.0, 0.5]), np.array([0.0, 1.0, 1.0, 0.5]))
    np.testing.assert_allclose(p, [0.0, 0.5, 1.0, 0.625])
