"""One street, several ways: dual carriageways and sidewalks found as the sides of one street,
credited in coverage from either side, walked once each in plans."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from gridplan.coverage import StreetIndex, TrackParams, match_track
from gridplan.coverage.intervals import by_street, length
from gridplan.coverage.sides import street_walked
from gridplan.coverage.simulate import random_walk, walk_legs, walk_truth
from gridplan.network import StreetNetwork
from gridplan.routing import PatrolParams
from gridplan.street_sides import CARRIAGEWAY, ROAD, SIDE_ROAD, SIDEWALK, street_sides
from tests.tracks.lattices import CRS, X0, Y0, random_lattice
from tests.tracks.test_matcher import exact_points


def _network(ways: list[tuple[str, list[tuple[float, float]], dict]]) -> StreetNetwork:
    """A walk network of named ways (coordinates relative to central Shanghai)."""
    g = nx.MultiDiGraph(crs=CRS)
    for sid, (_, coords, tags) in enumerate(ways):
        pts = [(X0 + x, Y0 + y) for x, y in coords]
        u, v = pts[0], pts[-1]
        for n in (u, v):
            g.add_node(n, x=n[0], y=n[1])
        geom = LineString(pts)
        attrs = {"length": geom.length, "grade": 2, "highway": "secondary", "name": "",
                 "oneway": False, "lanes": None, "street_id": sid, **tags}
        g.add_edge(u, v, key=0, geometry=geom, reversed=False, **attrs)
        g.add_edge(v, u, key=0, geometry=geom.reverse(), reversed=True, **attrs)
    return StreetNetwork(g, "walk")


EAST = {"oneway": True, "name": "人民路"}
GAP_M = 14.0  # between the carriageways of a lattice's dual road


@pytest.mark.parametrize(("other", "kind"), [
    ([(200, 14), (0, 14)], CARRIAGEWAY),  # the opposite carriageway, same name, 14 m north
    ([(0, 14), (200, 14)], SIDE_ROAD),  # same way: a side road (辅路) of the same name
    ([(200, 60), (0, 60)], None),  # a block away
    ([(100, -100), (100, 100)], None),  # a crossing street
    ([(200, 0), (400, 0)], None),  # the next piece of the same street
])
def test_ways_of_one_street_are_only_parallel_near_and_alongside(other, kind):
    sides = street_sides(_network([("a", [(0, 0), (200, 0)], EAST), ("b", other, EAST)]))
    assert sides.side_of(1) == (kind or "")
    assert sides.one_side(1) is (kind == CARRIAGEWAY)  # planned once: the pair is both sides
    assert sides.street_of(1) == (0 if kind else 1)
    assert sides.is_axis(0) and sides.is_axis(1) is (kind is None)  # its length counted once
    assert 0 not in sides.partners.get(0, ())  # never paired with itself


def test_names_classes_and_tags_decide_what_pairs():
    west = [(200, 14), (0, 14)]
    other_name = _network([("a", [(0, 0), (200, 0)], EAST),
                           ("b", west, {"oneway": True, "name": "南京路"})])
    assert not street_sides(other_name).partners
    other_class = street_sides(_network([("a", [(0, 0), (200, 0)], EAST),
                                         ("b", west, EAST | {"grade": 3,
                                                             "highway": "tertiary"})]))
    assert other_class.side_of(1) == SIDE_ROAD and not other_class.one_side(1)
    tagged = _network([("a", [(0, 0), (200, 0)], EAST | {"dual_carriageway": True}),
                       ("b", west, {"oneway": True, "name": "人民路辅路",
                                    "dual_carriageway": True})])
    assert street_sides(tagged).one_side(1)
    walk = {"highway": "footway", "grade": 4}
    sidewalk = _network([("road", [(0, 0), (200, 0)], {"name": "Unioninkatu"}),
                         ("sw", [(0, 30), (200, 30)], walk | {"footway": "sidewalk"}),
                         ("track", [(0, -9), (200, -9)], walk | {"highway": "cycleway"}),
                         ("park", [(0, -25), (200, -25)], walk),
                         ("named", [(0, 12), (200, 12)], walk | {"name": "Esplanadi"})])
    sides = street_sides(sidewalk)
    assert [sides.side_of(k) for k in range(5)] == [ROAD, SIDEWALK, SIDEWALK, "", ""]
    assert sides.is_axis(0) and not sides.is_axis(1) and not sides.one_side(1)
    assert not street_sides(sidewalk, PatrolParams(side_max_gap_m=0)).partners


def test_a_name_missing_on_one_carriageway_and_slip_roads_beside_a_road_pair():
    """OSM often leaves one carriageway of a dual road, and its ramps (``*_link``), unnamed:
    a missing name is no evidence of another street, two different names are."""
    unnamed = street_sides(_network([("a", [(0, 0), (200, 0)], EAST),
                                     ("b", [(200, 14), (0, 14)], {"oneway": True})]))
    assert unnamed.side_of(1) == CARRIAGEWAY and unnamed.one_side(1)
    ramp = {"oneway": True, "highway": "secondary_link"}
    links = street_sides(_network([
        ("road", [(0, 0), (200, 0)], EAST),
        ("slip", [(20, -10), (150, -10)], ramp),  # leaves the road beside it: a side road
        ("turn", [(200, -5), (260, -60)], ramp),  # turns off at the end: a street of its own
        ("far", [(0, -60), (200, -60)], ramp)]))  # a block away: its own
    assert [links.side_of(k) for k in range(4)] == [ROAD, SIDE_ROAD, "", ""]
    assert links.street_of(1) == 0 and not links.is_axis(1) and links.is_axis(2)


@pytest.fixture(scope="module")
def city_sides():
    from geodata.osm import load_network

    out = {}
    for city, path in (("shanghai", "geodata/sample/data/shanghai_central.osm"),
                       ("beijing", "tests/data/osm/Beijing_Haidian_CAU.osm.gz")):
        net = load_network(path, mode="walk")
        out[city] = (net, street_sides(net))
    return out


@pytest.mark.parametrize(("city", "roads"), [
    ("shanghai", ("延安东路", "重庆中路", "成都北路", "人民路")),
    ("beijing", ("学清路", "清华东路", "学院路")),
])
def test_known_dual_roads_of_real_extracts_are_paired_and_nothing_odd_is(city_sides, city,
                                                                         roads):
    net, sides = city_sides[city]
    ways = {d["street_id"]: d for _, _, d in net.graph.edges(data=True)}
    paired_names = {ways[w]["name"] for w, kind in sides.kind.items() if kind == CARRIAGEWAY}
    assert set(roads) <= paired_names
    for way, mates in sides.partners.items():
        assert way not in mates
        for mate in mates:
            a, b = ways[way], ways[mate]
            names_a, names_b = (set(filter(None, x["name"].split("/"))) for x in (a, b))
            if SIDEWALK not in (sides.kind[way], sides.kind[mate]):  # no two names differ
                assert names_a & names_b or not (names_a and names_b)
            assert a["geometry"].distance(b["geometry"]) <= 35.0
    # one-way streets a block apart in opposite directions (福州路, 汉口路, 广东路) are no dual
    # road (the sample also draws some two-way streets twice, there and back: one street)
    singles = [w for w, d in ways.items() if d["name"] in ("福州路", "汉口路", "广东路")]
    assert city != "shanghai" or not any(sides.one_side(w) for w in singles)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(2, 5), cols=st.integers(2, 5), seed=st.integers(0, 10_000),
       walk_m=st.floats(100, 1200))
def test_walking_one_carriageway_credits_its_street_and_nothing_else(rows, cols, seed, walk_m):
    net = random_lattice(rows, cols, seed=seed, dual_rows=frozenset({rows // 2}),
                         dual_gap_m=GAP_M)
    index = StreetIndex(net)
    if not len(index):
        return
    sides = street_sides(net)
    steps = random_walk(index, length_m=walk_m, seed=seed)
    xy, t = exact_points(walk_legs(index, steps, speed_mps=1.3))
    found = by_street(match_track(index, xy, t, params=TrackParams(gps_sigma_m=3.0)).pieces)
    truth = by_street(walk_truth(index, steps))
    assert set(found) == set(truth)  # each way (side) as walked
    policy = PatrolParams()
    across = street_walked(index, sides, found, reach_m=2 * policy.side_max_gap_m,
                           max_angle_deg=policy.side_max_angle_deg)
    credited = {k for k, v in across.items() if length(v) > 1.0}
    sides_of_walk = set(truth) | {index.by_id[m] for k in truth
                                  for m in sides.mates(index.streets[k].street_id)}
    assert set(truth) <= credited <= sides_of_walk  # its streets, on either side, nothing else
    for k in truth:
        s = index.streets[k]
        for m in sides.mates(s.street_id):  # the other carriageway, alongside the whole way
            # (up to the gap at its ends: on a slanting street the carriageways' ends are not
            # straight across from each other)
            other = index.streets[index.by_id[m]]
            assert length(across[index.by_id[m]]) >= other.length_m - GAP_M
        assert math.isclose(length(across[k]), s.length_m, abs_tol=1e-6)


def test_a_pass_on_the_other_carriageway_keeps_the_planned_one_on_plan():
    from gridplan.coverage.plan_compare import OFF_PLAN, ON_PLAN, PlannedRoute, compare

    same = {"n": frozenset({"s"}), "s": frozenset({"n"})}
    streets, _ = compare([PlannedRoute("A", frozenset({"n", "x"}))], {"A": {"s"}},
                         {"n": 100.0, "s": 100.0, "x": 50.0}, same)
    assert dict(zip(streets["street_id"], streets["status"], strict=True)) == {
        "n": ON_PLAN, "x": "skipped"}  # the south side walked: the street is; not off plan
    alone, _ = compare([PlannedRoute("A", frozenset({"n"}))], {"A": {"s"}},
                       {"n": 100.0, "s": 100.0})
    assert OFF_PLAN in set(alone["status"])  # without the pairing: skipped and off plan
