import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridplan.boundary import (
    BoundaryRankWeights,
    ZoneParams,
    boundary_zone,
    boundary_zones,
    flag_boundary_hotspots,
    zones_frame,
)
from gridplan.errors import InvalidInputError
from gridplan.hotspots.analysis import analyse_hotspots

from .conftest import UTM51N, planted_incidents

WEST, EAST = shapely.box(0, 0, 2000, 2000), shapely.box(2000, 0, 4000, 2000)


def test_two_adjacent_squares():
    zone = boundary_zone("A", WEST, "B", EAST)
    assert zone.line.equals(shapely.LineString([(2000, 0), (2000, 2000)]))
    assert zone.shared_length_m == pytest.approx(2000)
    assert zone.zone.area == pytest.approx(2000 * 100)  # 50 m each side, flat ends
    assert zone.side_a.area == pytest.approx(2000 * 50) and zone.side_b.area == pytest.approx(2000 * 50)
    assert zone.side_a.within(WEST.buffer(1e-9)) and zone.side_b.within(EAST.buffer(1e-9))
    assert zone.sides() == {"A": zone.side_a, "B": zone.side_b}


def test_width_is_configurable_and_sources_need_not_match():
    # B from another source: 3 m gap and different vertices along the shared side
    east = shapely.Polygon([(2003, -500), (4000, -500), (4000, 2500), (2003, 2500), (2003, 1000)])
    zone = boundary_zone("A", WEST, "B", east, params=ZoneParams(zone_width_m=30))
    assert zone.shared_length_m == pytest.approx(2000, abs=2 * 5)
    assert zone.side_a.area == pytest.approx(zone.shared_length_m * 30, rel=1e-6)
    assert zone.side_b.area == pytest.approx(zone.shared_length_m * 27, rel=1e-6)  # minus the gap


def test_non_touching_pairs_are_empty_and_explained():
    zone = boundary_zone("A", WEST, "B", shapely.box(2100, 0, 4000, 2000))
    assert zone.is_empty and zone.zone.is_empty and "100 m apart" in zone.explanation
    corner = boundary_zone("A", WEST, "B", shapely.box(2000, 2000, 4000, 4000))
    assert corner.is_empty and "only at points" in corner.explanation


def test_bad_polygons_are_reported():
    with pytest.raises(InvalidInputError) as info:
        boundary_zone("A", shapely.LineString([(0, 0), (1, 1)]), "B", shapely.Polygon())
    assert len(info.value.problems) == 2
    with pytest.raises(InvalidInputError):
        boundary_zones(gpd.GeoDataFrame({"code": ["A"]}, geometry=[WEST], crs=4326))


def test_fengxian_jinshan_real_polygons(data_dir):
    districts = gpd.read_file(data_dir / "fengxian_jinshan_wgs84.geojson").to_crs(UTM51N)
    zones = boundary_zones(districts, code_column="adcode")
    assert len(zones) == 1
    zone = zones[0]
    assert {zone.code_a, zone.code_b} == {"310120", "310116"}
    assert zone.shared_length_m == pytest.approx(30_000, rel=0.05)  # ≈ 30 km per SOURCE.md
    outlines = districts.set_index("adcode").geometry
    for code, side in zone.sides().items():
        assert side.area == pytest.approx(zone.shared_length_m * 50, rel=0.05)
        assert side.difference(outlines[code]).area < 1
    frame = zones_frame(zones, crs=districts.crs)
    assert list(frame["side"]) == [zone.code_a, zone.code_b]


def test_boundary_hotspot_flagged_with_both_sides_and_ranked(two_districts):
    incidents = planted_incidents(1)
    # a second, smaller cluster deep inside A: a hotspot, but not a boundary one
    far = planted_incidents(2, n_background=0, n_hot=60, centre=(600.0, 1000.0))
    both = gpd.GeoDataFrame(pd.concat([incidents, far], ignore_index=True), crs=incidents.crs)
    result = analyse_hotspots(both, two_districts)
    assert result.ok and len(result.hotspots) >= 2
    zones = boundary_zones(two_districts)
    flagged = flag_boundary_hotspots(result, zones)
    assert len(flagged) == 1
    top = flagged[0]
    assert (top.rank, top.code_a, top.code_b) == (1, "A", "B")
    assert set(top.hotspot.incidents_by_jurisdiction) == {"A", "B"}
    assert top.hotspot.peak.start_hour in (21, 22, 23, 0)
    assert 0 < top.score <= 1 and 0 < top.zone_share <= 1
    info = top.as_dict()
    assert info["jurisdictions"] == ["A", "B"] and info["lead"] in ("A", "B")
    # risk enters the score through the documented weight
    risky = flag_boundary_hotspots(result, zones, risk=np.ones(len(result.units)))
    assert risky[0].score == pytest.approx(top.score + 0.20 * 1.0)
    only_risk = BoundaryRankWeights(score_count=0, score_significance=0, score_trend=0,
                                    score_risk=1)
    only_count = flag_boundary_hotspots(result, zones, weights=only_risk)
    assert only_count[0].score == 0
