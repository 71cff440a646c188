"""Turn-by-turn directions: every reversal is its own instruction, lengths add up."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString

from gridplan.routing.turns import U_TURN_DEG, Segment, directions, merge_legs, turn_lines

SPACING_M = 100.0
MOVES = {"E": (1, 0), "W": (-1, 0), "N": (0, 1), "S": (0, -1)}


def lattice_walk(moves: list[str], deadhead: list[bool]) -> list[Segment]:
    """A walk on a lattice whose rows and columns are named streets (东西路<row>, 南北路<col>)."""
    x = y = 0
    segments = []
    for move, through in zip(moves, deadhead, strict=False):
        dx, dy = MOVES[move]
        name = f"东西路{y}" if dy == 0 else f"南北路{x}"
        a = (x * SPACING_M, y * SPACING_M)
        x, y = x + dx, y + dy
        b = (x * SPACING_M, y * SPACING_M)
        middle = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)  # two pieces, like OSM ways
        segments.append(Segment(name, through, SPACING_M, [a, middle, b]))
    return segments


def _bearings(coords):
    return [math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
            for a, b in zip(coords, coords[1:], strict=False)]


def _reverses(coords) -> bool:
    bearings = _bearings(coords)
    return any(abs((b - a + 180) % 360 - 180) > U_TURN_DEG
               for a, b in zip(bearings, bearings[1:], strict=False))


walks = st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from("EWNS"), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n)))


@given(walks)
def test_instructions_add_up_to_the_route_and_never_double_back(walk):
    segments = lattice_walk(*walk)
    legs = merge_legs(segments)
    assert sum(leg.length_m for leg in legs) == pytest.approx(len(segments) * SPACING_M)
    for leg in legs:
        assert leg.length_m == pytest.approx(LineString(leg.coords).length)
        assert not _reverses(leg.coords)
    assert len(turn_lines(segments)) == len(legs)


@given(walks)
def test_every_reversal_is_a_turn_back_instruction(walk):
    moves, through = walk
    segments = lattice_walk(moves, through)
    turns = directions(merge_legs(segments))
    reversals = sum(1 for a, b in zip(moves, moves[1:], strict=False)
                    if MOVES[a] == tuple(-v for v in MOVES[b]))
    assert sum(t.kind == "u_turn" for t in turns) == reversals


def test_a_turn_back_on_the_same_street_is_said_so():
    segs = [Segment("中山路", False, 185.0, [(0, 0), (0, -185)]),
            Segment("中山路", False, 105.0, [(0, -185), (0, -80)])]
    assert turn_lines(segs) == ["沿中山路向南 185 m", "掉头沿中山路，向北 105 m"]
    assert turn_lines(segs, lang="en")[1] == "Turn back along 中山路, north 105 m"
