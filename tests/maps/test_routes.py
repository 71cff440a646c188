import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from gridplan.errors import InvalidInputError
from maps.labels import labels
from maps.layers import validate_layer
from maps.routes import officer_summaries, routes_frame, turn_kind, turn_list

ZH, EN = labels("zh"), labels("en")


@given(a=st.floats(-180, 180), d=st.floats(35, 145))
def test_left_and_right_are_mirror_images(a, d):
    assert turn_kind(a, a + d) == "turn_left"
    assert turn_kind(a, a - d) == "turn_right"
    assert turn_kind(a, a + 5) == "continue"
    assert turn_kind(a, a + 175) == "u_turn"


def _segments(points, names, crs="EPSG:4326"):
    lines = [shapely.LineString([p, q]) for p, q in zip(points, points[1:], strict=False)]
    return gpd.GeoDataFrame({"officer": "A", "seq": range(len(lines)), "name": names,
                             "deadhead": [False] * len(lines), "length_m": 100.0,
                             "minutes": 1.5}, geometry=lines, crs=crs)


def test_turn_list_merges_a_street_and_reads_turns():
    # east along 甲路 twice, then north (left) on 乙路, then east (right) on 丙路
    pts = [(121.470, 31.23), (121.471, 31.23), (121.472, 31.23), (121.472, 31.231),
           (121.473, 31.231)]
    segs = _segments(pts, ["甲路", "甲路", "乙路", "丙路"])
    assert turn_list(segs, EN) == ["Follow 甲路 200 m", "Turn left onto 乙路 100 m",
                                   "Turn right onto 丙路 100 m"]
    assert turn_list(segs, ZH)[1].startswith("左转进入 乙路")


def test_summaries_add_up(routes):
    wgs = validate_layer(routes, "routes")
    summary = officer_summaries(wgs, ZH).set_index("officer")
    for officer, segs in routes.groupby("officer"):
        assert summary.loc[officer, "length_m"] == pytest.approx(segs["length_m"].sum())
        assert summary.loc[officer, "minutes"] == pytest.approx(segs["minutes"].sum())
        assert summary.loc[officer, "turns"]


def test_routes_frame_is_continuous_in_travel_direction(routes):
    for _, segs in routes.groupby("officer"):
        ends = [np.asarray(g.coords[-1]) for g in segs.geometry[:-1]]
        starts = [np.asarray(g.coords[0]) for g in segs.geometry[1:]]
        assert max(np.linalg.norm(e - s) for e, s in zip(ends, starts, strict=True)) < 1e-6
    minutes_per_km = routes["minutes"].sum() / (routes["length_m"].sum() / 1000)
    assert minutes_per_km == pytest.approx(60 / 4.5)


def test_routes_frame_refuses_a_non_positive_speed(network):
    with pytest.raises(InvalidInputError, match="walk speed"):
        routes_frame(network.undirected(), [], officer="A", crs=network.crs, walk_speed_kmh=0)


def test_a_gap_walked_across_is_said_in_the_lists_language():
    """The straight links across gaps of a broken walk network are named in Chinese on a
    Chinese turn list (maps and the library's own turn lines alike)."""
    from gridplan.network import BRIDGE_NAME
    from gridplan.routing.turns import Leg, Turn, describe

    pts = [(121.470, 31.23), (121.471, 31.23), (121.471, 31.231)]
    segs = _segments(pts, ["甲路", BRIDGE_NAME])
    assert turn_list(segs, ZH)[1].startswith("左转进入 断口（直线步行穿过）")
    assert turn_list(segs, EN)[1] == f"Turn left onto {BRIDGE_NAME} 100 m"
    leg = Leg(BRIDGE_NAME, True, 40.0, 90.0, 90.0, 90.0)
    assert describe(Turn("follow", leg), lang="zh") == "沿断口（直线步行穿过）（途经）向北 40 m"
    assert BRIDGE_NAME in describe(Turn("follow", leg), lang="en")
