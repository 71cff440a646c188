"""On foot, pieces of a drive-only extract are joined by straight walking links (bridge_gaps_m)."""

from __future__ import annotations

import networkx as nx
from shapely import affinity

from gridplan.network import BRIDGE_NAME, StreetNetwork, bridge_pieces
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan import plan_grid
from tests.routing.plan_data import lattice, shift, whole_grid


def two_pieces(gap_m: float) -> StreetNetwork:
    """Two 2×3 lattices side by side, ``gap_m`` apart, with distinct nodes and street ids."""
    left = lattice(2, 3, seed=1).graph
    right = lattice(2, 3, seed=2).graph
    shift_x = 200.0 + gap_m
    moved = nx.relabel_nodes(right, {n: ("r", *n) for n in right.nodes})
    for _, d in moved.nodes(data=True):
        d["x"] += shift_x
    for _, _, d in moved.edges(data=True):
        d["geometry"] = affinity.translate(d["geometry"], xoff=shift_x)
        d["street_id"] = ("r", d["street_id"])
    return StreetNetwork(nx.compose(left, moved), "walk")


def test_bridge_pieces_joins_close_pieces_both_ways():
    net = two_pieces(80.0)
    joined, links = bridge_pieces(net.graph, max_gap_m=150.0)
    assert links == 1 and nx.is_strongly_connected(joined)
    bridge = [d for _, _, d in joined.edges(data=True) if d.get("bridge")]
    assert len(bridge) == 2 and {d["name"] for d in bridge} == {BRIDGE_NAME}
    assert bridge_pieces(net.graph, max_gap_m=50.0)[1] == 0  # too far: left alone


def test_plan_covers_both_pieces_and_stays_valid_on_the_real_graph():
    net = two_pieces(80.0)
    grid = whole_grid(net)
    plan = plan_grid(net, grid, officers=2, shift=shift(), params=PatrolParams(seed=3))
    assert plan.coverage == 1.0 and not plan.uncovered
    assert plan.links and any("walked across" in n for n in plan.notes)
    assert plan.is_valid(net.graph), plan.problems(net.graph)
    # links are only ever walked through, never required
    assert not any(isinstance(sid, tuple) and sid[0] == "bridge" for sid in plan.required)


def test_without_bridging_the_far_piece_is_uncovered_and_named():
    net = two_pieces(80.0)
    plan = plan_grid(net, whole_grid(net), officers=2, shift=shift(),
                     params=PatrolParams(seed=3, bridge_gaps_m=0))
    assert plan.coverage < 1.0 and plan.uncovered
    assert not plan.links
