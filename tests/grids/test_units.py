from datetime import UTC, datetime, timedelta

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplan.errors import InvalidInputError
from gridplan.grids.units import (
    WorkloadParams,
    add_workload,
    attach_incidents,
    attach_key_points,
    attach_streets,
    square_cells,
    street_blocks,
    workload_terms,
)
from tests.grids.units_helpers import jurisdictions, shanghai_network


@pytest.fixture(scope="module")
def blocks():
    net = shanghai_network()
    return net, street_blocks(net, jurisdictions())


def test_blocks_tile_the_jurisdictions_without_overlap(blocks):
    _, units = blocks
    jur = jurisdictions()
    assert units.index.is_unique
    assert units["area_m2"].sum() == pytest.approx(jur.area.sum(), rel=1e-9)
    assert shapely.union_all(units.geometry.values).area == pytest.approx(jur.area.sum(), rel=1e-9)
    assert set(units["jurisdiction"]) == set(jur["code"])
    for code, geom in zip(jur["code"], jur.geometry, strict=True):
        mine = units[units["jurisdiction"] == code]
        assert shapely.union_all(mine.geometry.values).symmetric_difference(geom).area < 1.0


def test_slivers_merged_unless_isolated(blocks):
    _, units = blocks
    assert (units["area_m2"] >= 400).mean() > 0.98


def test_street_length_split_half_half(blocks):
    net, units = blocks
    u = attach_streets(units, net)
    cols = [f"street_m_g{g}" for g in (1, 2, 3, 4)]
    total = u[cols].to_numpy().sum()
    # the window cuts streets: what lies inside the jurisdictions is counted once
    lines = gpd.GeoSeries([d["geometry"] for *_, d in net.undirected().edges(data=True)])
    inside = shapely.intersection(lines.values, shapely.union_all(jurisdictions().geometry.values))
    assert total == pytest.approx(shapely.length(inside).sum(), rel=0.03)


def test_square_cells_are_hectares_and_aligned():
    cells = square_cells(jurisdictions())
    assert cells["area_m2"].max() <= 10_000 + 1e-6
    full = cells[cells["area_m2"] > 9_999]
    xs = full.geometry.bounds["minx"].to_numpy()
    assert np.allclose(np.mod(xs, 100.0), 0) or np.allclose(np.mod(xs, 100.0), 100)


def test_street_blocks_refuse_jurisdiction_without_streets():
    net = shanghai_network()
    jur = jurisdictions()
    far = gpd.GeoDataFrame({"code": ["999999"]}, geometry=[shapely.box(0, 0, 500, 500)],
                           crs=jur.crs)
    with pytest.raises(InvalidInputError) as err:
        street_blocks(net, gpd.pd.concat([jur, far], ignore_index=True))
    assert any("999999" in p.where for p in err.value.problems)


def test_incidents_recency_weighting():
    box = shapely.box(0, 0, 100, 100)
    units = gpd.GeoDataFrame({"jurisdiction": ["a"]}, geometry=[box], crs=32651)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    inc = gpd.GeoDataFrame({"time": [now, now - timedelta(days=30)],
                            "event_class": ["市容环境", "市容环境"]},
                           geometry=[shapely.Point(50, 50)] * 2, crs=32651)
    out = attach_incidents(units, inc, as_of=now, half_life_days=30, window_days=30)
    weeks = 30 / np.log(2) * 0.5 / 7
    assert out["incidents_cityscape"].iloc[0] == pytest.approx(1.5 / weeks)


def test_incidents_problems_collected():
    units = gpd.GeoDataFrame({"jurisdiction": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)],
                             crs=32651)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    inc = gpd.GeoDataFrame({"time": [now + timedelta(days=1), now],
                            "event_class": ["市容环境", "乱停车"]},
                           geometry=[shapely.Point(1, 1)] * 2, crs=32651)
    with pytest.raises(InvalidInputError) as err:
        attach_incidents(units, inc, as_of=now)
    assert len(err.value.problems) == 2


def test_workload_formula_terms():
    units = gpd.GeoDataFrame({"jurisdiction": ["a"], "patrol_min_week": [600.0], "pois": [10],
                              "key_point_min_week": [120.0], "incidents_emergency": [2.0]},
                             geometry=[shapely.box(0, 0, 10, 10)], crs=32651)
    t = workload_terms(units, WorkloadParams()).iloc[0]
    assert t["patrol_h"] == pytest.approx(10 * 1.15)  # plus walking between streets
    assert t["inspection_h"] == pytest.approx(80 * 0.05 * 2 / 60)
    assert t["incident_h"] == pytest.approx(2 * 60 / 60)
    assert t["key_point_h"] == pytest.approx(2.0)
    assert add_workload(units)["workload_h"].iloc[0] == pytest.approx(t.sum())


def test_workload_params_validated():
    with pytest.raises(InvalidInputError) as err:
        WorkloadParams(walking_overhead=-1, handling_min={"NOPE": 1.0}, inspections_per_week=-1)
    assert len(err.value.problems) == 3


def test_patrol_minutes_follow_the_patrol_policy():
    """A grade-1 street of 1 km, twice a day on both sides, walked at 4.5 km/h and inspected
    10 min/km: 7 × 2 × 2 × (13.33 + 10) minutes a week."""
    from gridplan.grids.units import patrol_minutes_per_week
    from gridplan.routing import PatrolParams

    lines = gpd.GeoDataFrame({"grade": [1, 4], "lanes": [None, "6"], "length_m": [1000.0, 500.0]},
                             geometry=[shapely.LineString([(0, 0), (1000, 0)]),
                                       shapely.LineString([(0, 0), (500, 0)])], crs=32651)
    got = patrol_minutes_per_week(lines, PatrolParams())
    assert got[0] == pytest.approx(28 * (60 / 4.5 + 10))
    assert got[1] == pytest.approx(1 * 2 * 0.5 * (60 / 4.5 + 3))  # weekly, 6 lanes: both sides


def test_key_points_dwell():
    units = gpd.GeoDataFrame({"jurisdiction": ["a", "a"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
                             crs=32651)
    kp = gpd.GeoDataFrame({"dwell_minutes": [15.0, 5.0]},
                          geometry=[shapely.Point(5, 5), shapely.Point(99, 99)], crs=32651)
    out = attach_key_points(units, kp)
    assert out["key_point_min_week"].tolist() == [105.0, 0.0]
    assert out.attrs["key_points_outside"] == 1
