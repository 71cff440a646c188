import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplan.boundary import (
    BoundaryRankParams,
    ZoneParams,
    boundary_score,
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
    n = top.hotspot.incident_count
    assert risky[0].score == pytest.approx(top.score + n / (n + 10) * 0.20 * 1.0)
    only_risk = BoundaryRankParams(score_count=0, score_significance=0, score_trend=0,
                                    score_risk=1)
    only_count = flag_boundary_hotspots(result, zones, params=only_risk)
    assert only_count[0].score == 0


def _cluster(seed: int, centre: tuple[float, float], n: int, spread: float) -> gpd.GeoDataFrame:
    return planted_incidents(seed, n_background=0, n_hot=n, centre=centre).assign(
        geometry=lambda f: gpd.points_from_xy(
            centre[0] + (f.geometry.x - centre[0]) * spread / 60,
            centre[1] + (f.geometry.y - centre[1]) * spread / 60))


def test_a_hotspot_where_three_jurisdictions_meet_is_listed_once():
    three = gpd.GeoDataFrame({"code": ["A", "B", "C"]}, geometry=[
        shapely.box(0, 0, 2000, 2000), shapely.box(2000, 0, 4000, 2000),
        shapely.box(0, 2000, 4000, 4000)], crs=UTM51N)
    background = planted_incidents(7, n_hot=0, n_background=900).assign(
        geometry=lambda f: gpd.points_from_xy(f.geometry.x, f.geometry.y * 2))
    corner = _cluster(8, (2000.0, 2000.0), 150, 60)
    both = gpd.GeoDataFrame(pd.concat([background, corner], ignore_index=True), crs=UTM51N)
    result = analyse_hotspots(both, three)
    zones = boundary_zones(three)
    assert len(zones) == 3
    flagged = flag_boundary_hotspots(result, zones)
    ids = [b.hotspot.id for b in flagged]
    assert len(ids) == len(set(ids)) >= 1  # once per hotspot, not once per neighbouring pair
    corner_spot = next(b for b in flagged if b.hotspot.geometry.distance(
        shapely.Point(2000, 2000)) < 1)
    assert len(corner_spot.other_zones) == 2 and corner_spot.kind == "joint"
    by = corner_spot.hotspot.incidents_by_jurisdiction
    pair = {corner_spot.code_a, corner_spot.code_b}
    assert sum(by.get(c, 0) for c in pair) == max(
        by.get(z.code_a, 0) + by.get(z.code_b, 0) for z in zones)


def test_a_one_sided_hotspot_by_the_line_is_a_notice_not_a_joint_patrol(two_districts):
    # all of it in A, its edge within the zone: A's problem, B is told
    background = planted_incidents(11, n_hot=0)
    near = _cluster(12, (1900.0, 1000.0), 150, 25)
    both = gpd.GeoDataFrame(pd.concat([background, near], ignore_index=True), crs=UTM51N)
    result = analyse_hotspots(both, two_districts)
    flagged = flag_boundary_hotspots(result, boundary_zones(two_districts))
    spot = next(b for b in flagged if b.hotspot.geometry.distance(shapely.Point(1900, 1000)) < 1)
    by = spot.hotspot.incidents_by_jurisdiction
    assert by.get("B", 0) < 2 or by.get("B", 0) < 0.1 * by["A"]
    assert spot.kind == "notice" and spot.lead_code == "A" and spot.neighbour_code == "B"
    notice = spot.notice({"A": "甲区", "B": "乙区"})
    assert notice["to"] == "B 乙区" and "no joint patrol" in notice["text"]
    assert [b.rank for b in flagged if b.kind == "notice"] == list(
        range(1, 1 + sum(b.kind == "notice" for b in flagged)))


@settings(deadline=None)  # a busy CI machine must not fail a pure arithmetic property
@given(st.integers(1, 500), st.integers(1, 500), st.floats(0, 1), st.floats(0, 1),
       st.floats(0, 1))
def test_score_grows_with_evidence_and_a_handful_stays_far_below(small, big, sig, trend, risk):
    params = BoundaryRankParams()
    small, big = sorted((small, big))
    parts = {"count": 1.0, "significance": sig, "trend": trend, "risk": risk}
    assert boundary_score(small, parts, params) <= boundary_score(big, parts, params) + 1e-12
    # a 2 / 2 pair at Gi_Bin 3, rising and risky vs a 180-incident hotspot with no extras
    tiny = boundary_score(4, {"count": 4 / 180, "significance": 1, "trend": 1, "risk": 1},
                          params)
    large = boundary_score(180, {"count": 1, "significance": 1 / 3, "trend": 0, "risk": 0},
                           params)
    assert tiny < 0.6 * large


def test_notices_are_never_planned_as_joint_patrols(two_districts):
    from gridplan.joint import plan_joint_patrols

    background = planted_incidents(11, n_hot=0)
    near = _cluster(12, (1900.0, 1000.0), 150, 25)
    both = gpd.GeoDataFrame(pd.concat([background, near], ignore_index=True), crs=UTM51N)
    result = analyse_hotspots(both, two_districts)
    zones = boundary_zones(two_districts)
    flagged = flag_boundary_hotspots(result, zones)
    plan = plan_joint_patrols(flagged, zones, result)
    assert all(p.boundary.kind == "joint" for p in plan.proposals) and plan.is_valid()
    assert any("left to notices" in n for n in plan.notes)
