"""Joint patrol proposals and blind spots on a small street lattice split by a district line."""

from __future__ import annotations

import json

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from gridplan.boundary import boundary_zones, flag_boundary_hotspots
from gridplan.errors import InvalidInputError
from gridplan.hotspots import HotspotParams, analyse_hotspots
from gridplan.hotspots.cells import segment_table
from gridplan.joint import (
    JointParams,
    boundary_blind_spots,
    bridge_pieces,
    clip_to_area,
    meeting_point,
    patrol_area,
    plan_joint_patrols,
    required_streets,
)
from gridplan.network import StreetNetwork

from .conftest import UTM51N

ONE_RING = HotspotParams(neighbour_distance_m=110.0)  # a small area: first neighbours only
LINE_X = 225.0  # A west of it, B east of it
XS, YS = (0.0, 150.0, 300.0, 450.0), (0.0, 200.0, 400.0)


def lattice() -> StreetNetwork:
    """4 x 3 street lattice; horizontal streets cross the district line at x = 225."""
    g = nx.MultiDiGraph(crs=f"EPSG:{UTM51N}")
    ids = {}
    for i, y in enumerate(YS):
        for j, x in enumerate(XS):
            ids[(i, j)] = len(ids)
            g.add_node(ids[(i, j)], x=x, y=y)
    pairs = [((i, j), (i, j + 1), f"横{i}路") for i in range(3) for j in range(3)]
    pairs += [((i, j), (i + 1, j), f"纵{j}路") for i in range(2) for j in range(4)]
    for sid, (a, b, name) in enumerate(pairs):
        u, v = ids[a], ids[b]
        geom = shapely.LineString(
            [(g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"])]
        )
        attrs = {
            "length": geom.length,
            "grade": 3,
            "highway": "residential",
            "name": name,
            "oneway": False,
            "lanes": None,
            "osmid": sid,
            "street_id": sid,
        }
        g.add_edge(u, v, geometry=geom, **attrs)
        g.add_edge(v, u, geometry=shapely.LineString(geom.coords[::-1]), **attrs)
    return StreetNetwork(graph=g, mode="walk", source="test lattice")


def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["A", "B"], "name": ["甲区", "乙区"]},
        geometry=[shapely.box(-100, -100, LINE_X, 500), shapely.box(LINE_X, -100, 550, 500)],
        crs=UTM51N,
    )


def incidents(
    seed: int = 0, *, centre=(LINE_X - 20, 200.0), hours=(21, 22, 23, 0), n_hot=90, weeks: int = 6
) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    background = rng.uniform([-100, -100], [550, 500], (240, 2))
    hot = rng.normal(centre, 25, (n_hot, 2))
    xy = np.vstack([background, hot])
    days = rng.integers(0, 7 * weeks, len(xy))
    hour = rng.integers(0, 24, len(xy))
    hour[len(background) :] = rng.choice(hours, n_hot)
    start = pd.Timestamp("2026-03-02", tz="Asia/Shanghai")
    times = start + pd.to_timedelta(days, unit="D") + pd.to_timedelta(hour, unit="h")
    classes = np.where(np.arange(len(xy)) >= len(background), "市容环境", "街面秩序")
    return gpd.GeoDataFrame(
        {"time": times, "event_class": classes}, geometry=shapely.points(xy), crs=UTM51N
    )


@pytest.fixture(scope="module")
def setup():
    net, j = lattice(), districts()
    result = analyse_hotspots(incidents(), j, params=ONE_RING)
    zones = boundary_zones(j)
    flagged = flag_boundary_hotspots(result, zones)
    return net, j, result, zones, flagged


def test_meeting_point_is_the_street_crossing_nearest_the_hotspot(setup):
    net, _, _, zones, flagged = setup
    assert flagged, "the planted cluster on the line must be flagged"
    streets = segment_table(net.graph)
    m = meeting_point(flagged[0].hotspot.geometry, zones[0].line, streets, max_distance_m=1000)
    assert m.crossing and m.street == "横1路"
    assert m.point.equals_exact(shapely.Point(LINE_X, 200), 1e-6)
    assert m.distance_to_line_m < 1e-9


def test_no_crossing_falls_back_to_the_nearest_point_of_the_line():
    line = shapely.LineString([(LINE_X, -100), (LINE_X, 500)])
    hotspot = shapely.Point(LINE_X - 60, 100).buffer(20)
    streets = segment_table(lattice().graph)
    far = meeting_point(hotspot, line, streets, max_distance_m=50)
    assert not far.crossing and "no street crossing within 50 m" in far.note
    assert far.point.equals_exact(shapely.Point(LINE_X, 100), 1e-6)
    bare = meeting_point(hotspot, line, None, max_distance_m=1000)
    assert not bare.crossing and bare.note == "no street network"


def test_joint_patrol_walks_both_sides_from_the_meeting_point(setup):
    net, j, result, zones, flagged = setup
    plan = plan_joint_patrols(
        flagged, zones, result, network=net, names=dict(zip(j.code, j.name, strict=True))
    )
    assert plan.is_valid(), plan.problems()
    p = plan.proposals[0]
    assert p.route is not None and p.route.checked and p.route.tour.gap < 0.05
    start = p.route.graph.nodes[p.route.start_node]
    assert (start["x"], start["y"]) == (LINE_X, 200.0)  # the walk starts at the meeting point
    xs = [x for x, _ in p.route.line.coords]
    assert min(xs) < LINE_X < max(xs)  # the walk goes to both sides
    assert p.window.startswith(("20", "21", "22")) and p.cadence in ("nightly", "3×/week")
    assert p.lead == "A" and p.dominant_class == "市容环境" and "dumping" in p.action
    row = plan.meeting_list()[0]
    assert row["jurisdictions"] == "A 甲区 / B 乙区" and row["lead"] == "A 甲区"
    json.dumps(plan.as_dict(), ensure_ascii=False)
    assert any("blind spots" in n for n in plan.notes)  # no grids given


def test_without_network_proposals_have_no_route_and_say_so(setup):
    _, _, result, zones, flagged = setup
    plan = plan_joint_patrols(flagged, zones, result)
    assert plan.is_valid()
    assert all(p.route is None and "no street network" in p.route_note for p in plan.proposals)
    assert all(not p.meeting.crossing for p in plan.proposals)
    assert any("no route" in n for n in plan.notes)


def test_cadence_rules_are_configurable(setup):
    net, _, result, zones, flagged = setup
    per_week = plan_joint_patrols(flagged, zones, result).proposals[0].incidents_per_week
    assert per_week > 0
    strict = JointParams(nightly_per_week=per_week + 10, thrice_weekly_per_week=per_week + 5)
    loose = JointParams(nightly_per_week=per_week / 2, thrice_weekly_per_week=per_week / 4)
    middle = JointParams(nightly_per_week=per_week + 1, thrice_weekly_per_week=per_week - 0.01)
    p = plan_joint_patrols(flagged[:1], zones, result, params=strict).proposals[0]
    if str(p.hotspot.trend) not in ("new", "intensifying"):
        assert p.cadence == "weekly"
        assert (
            plan_joint_patrols(flagged[:1], zones, result, params=middle).proposals[0].cadence
            == "3×/week"
        )
    assert (
        plan_joint_patrols(flagged[:1], zones, result, params=loose).proposals[0].cadence
        == "nightly"
    )


def test_daytime_hotspot_is_daily_not_nightly():
    j = districts()
    result = analyse_hotspots(incidents(1, hours=(10, 11, 12), n_hot=150), j, params=ONE_RING)
    zones = boundary_zones(j)
    plan = plan_joint_patrols(
        flag_boundary_hotspots(result, zones),
        zones,
        result,
        params=JointParams(nightly_per_week=1, thrice_weekly_per_week=0.5),
    )
    assert plan.proposals and plan.proposals[0].cadence == "daily"


def test_lead_ties_go_to_the_side_holding_more_of_the_hotspot(setup):
    _, _, _, _, flagged = setup
    b = flagged[0]
    h = b.hotspot
    from dataclasses import replace

    tied = replace(
        b,
        hotspot=replace(h, incidents_by_jurisdiction={"A": 5, "B": 5}),
        side_shares={"A": 0.1, "B": 0.3},
    )
    assert tied.lead_code == "B"
    assert replace(tied, side_shares={"A": 0.3, "B": 0.1}).lead_code == "A"


def test_blind_spots_are_the_zone_streets_no_grid_covers(setup):
    net, _, _, zones, _ = setup
    streets = segment_table(net.graph)
    grids = gpd.GeoDataFrame(
        {"code": ["A01"], "parent_code": ["A"]},
        geometry=[shapely.box(-100, -100, LINE_X, 500)],
        crs=UTM51N,
    )
    report = boundary_blind_spots(zones, streets, grids)
    # three horizontal streets cross the line; 50 m of each lies in B's half of the zone
    assert report.uncovered_m == pytest.approx(3 * (50 - 1), abs=1e-6)  # grids get 1 m of slack
    assert {s.street for s in report.spots} == {"横0路", "横1路", "横2路"}
    assert {s.side for s in report.spots} == {"B"}
    assert report.zone_street_m[("A", "B")] == pytest.approx(300, abs=1e-6)
    both = pd.concat(
        [
            grids,
            grids.assign(
                code="B01", parent_code="B", geometry=[shapely.box(LINE_X, -100, 550, 500)]
            ),
        ]
    )
    assert boundary_blind_spots(zones, streets, gpd.GeoDataFrame(both, crs=UTM51N)).spots == ()
    other = grids.assign(parent_code="C")  # grids of a third jurisdiction patrol neither side
    assert boundary_blind_spots(zones, streets, other).uncovered_m == pytest.approx(300, abs=1e-6)


def test_pieces_of_the_network_are_bridged_only_across_short_gaps():
    g = nx.MultiGraph()
    for n, x in enumerate((0.0, 100.0, 200.0, 900.0)):
        g.add_node(n, x=x, y=0.0)
    g.add_edge(0, 1, key="s0", length=100.0)
    g.add_edge(2, 3, key="s1", length=700.0)
    bridged, added = bridge_pieces(g, max_gap_m=150)
    assert added == 1 and nx.is_connected(bridged)
    data = bridged.edges[1, 2, ("bridge", 0)]
    assert data["length"] == pytest.approx(100) and data["bridge"]
    assert bridge_pieces(g, max_gap_m=50)[1] == 0


def test_bad_parameters_are_listed_together():
    with pytest.raises(InvalidInputError) as info:
        JointParams(nightly_per_week=1, thrice_weekly_per_week=2, walk_speed_kmh=0, cadence_weeks=0)
    assert len(info.value.problems) == 3


def test_no_flagged_hotspot_is_explained(setup):
    net, _, result, zones, _ = setup
    plan = plan_joint_patrols([], zones, result, network=net)
    assert plan.proposals == () and any("no hotspot touches" in n for n in plan.notes)


def test_the_cadence_window_is_a_parameter(setup):
    _, _, result, zones, flagged = setup
    counts = flagged[0].hotspot.trend_detail.counts
    assert len(counts) >= 4
    for weeks in (1, 3, len(counts), 52):
        p = plan_joint_patrols(flagged[:1], zones, result,
                               params=JointParams(cadence_weeks=weeks)).proposals[0]
        assert p.incidents_per_week == pytest.approx(np.mean(counts[-weeks:]))
    assert "cadence_weeks" in {i.name for i in JointParams.describe()}


def test_a_long_street_is_patrolled_only_where_it_is_in_the_area():
    """A 1.7 km side road with 300 m in the hotspot: 300 m are required and the walk turns back
    at the area's edge (600 m from the meeting point), not 3.4 km along the whole road."""
    from gridplan.routing import postman_tour

    g = nx.MultiGraph()
    g.add_node("w", x=0.0, y=0.0)
    g.add_node("e", x=1700.0, y=0.0)
    road = shapely.LineString([(1700, 0), (0, 0)])  # drawn from the other end on purpose
    g.add_edge("w", "e", key="s1", geometry=road, length=road.length, street_id="s1",
               name="辅路")
    area, meeting = shapely.box(700, -50, 1000, 50), shapely.Point(850, 0)
    clipped, pieces = clip_to_area(g, [("w", "e", "s1")], area, stops=[meeting])
    assert "s1" not in {k for *_, k in clipped.edges(keys=True)} and g.has_edge("w", "e", "s1")
    lengths = {k: d["length"] for *_, k, d in clipped.edges(keys=True, data=True)}
    assert sum(lengths.values()) == pytest.approx(1700.0)
    assert sorted(lengths[k] for *_, k in pieces) == pytest.approx([150.0, 150.0])
    start = next(n for n, d in clipped.nodes(data=True) if (d["x"], d["y"]) == (850.0, 0.0))
    tour = postman_tour(clipped, required=pieces, start=start)
    assert tour.is_valid(clipped, pieces) and tour.length_m == pytest.approx(600.0)
    for u, v, k, d in clipped.edges(keys=True, data=True):  # pieces run between their nodes
        ends = {(clipped.nodes[n]["x"], clipped.nodes[n]["y"]) for n in (u, v)}
        assert {d["geometry"].coords[0], d["geometry"].coords[-1]} == ends


def test_joint_route_requires_exactly_the_street_length_inside_the_patrol_area(setup):
    net, _, result, zones, flagged = setup
    params = JointParams()
    plan = plan_joint_patrols(flagged, zones, result, network=net, params=params)
    p = plan.proposals[0]
    area = patrol_area(p.hotspot.geometry, zones[0].zone, params)
    chosen = required_streets(area, segment_table(net.graph), min_inside_m=20.0)
    inside = shapely.length(shapely.intersection(chosen.geometry.values, area)).sum()
    assert p.route.tour.required_length_m == pytest.approx(inside, rel=1e-6)
    graph = p.route.graph
    for step in p.route.tour.steps:
        if not step.deadhead:
            assert graph.edges[step.u, step.v, step.key]["geometry"].within(area.buffer(1e-6))
    assert plan.is_valid() and p.meeting.crossing
