"""Minimum-weight T-joins on sparse graphs, solved exactly with PyMatching's sparse blossom.

A T-join is a set of edges whose odd-degree nodes are exactly the set ``T``. Adding a minimum one
to the required streets is what makes a Chinese postman tour optimal: the odd-degree street corners
are paired up by the cheapest possible extra walking. Textbook code builds the complete graph of
shortest-path distances between the odd nodes and runs a dense blossom matching on it; that is
cubic and quadratic in memory. PyMatching's sparse blossom solves the same problem directly on the
street graph (its "detection events" are ``T``, its answer the edges of the join), after an exact
reduction that removes dead ends and degree-2 chains (:mod:`gridplan.routing.tjoin_reduce`).

Exactness. PyMatching turns weights into 32-bit integers. When every weight is already integral it
uses them unchanged (scale 1), otherwise it rescales to 2**24 levels. We therefore convert lengths
to integers ourselves at a fixed resolution (``resolution`` units per integer step, a power of ten
chosen so the longest edge still fits below 2**24): the join is then exactly optimal for the rounded
weights, and exactly optimal for the true weights whenever they lie on that grid (integer metres,
decimetres, miles*100, ...). Otherwise the true optimum is at most
``resolution / 2 * (|J| + |J*|)`` below what we return, where ``|J*| <= nodes - 1`` because a
minimal T-join is a forest; :attr:`TJoin.rounding_bound` carries that bound (0 when exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pymatching
from scipy.sparse import csc_matrix

from gridplan.errors import InfeasibleError, InvalidInputError, Problem
from gridplan.routing.tjoin_reduce import expand_join, reduce_tjoin

#: PyMatching drops (with a warning) any edge heavier than this after integer conversion.
MAX_INTEGER_WEIGHT = 2**24 - 1


@dataclass(frozen=True, slots=True)
class TJoin:
    """A minimum T-join: indices into the edge arrays it was computed from."""

    edges: np.ndarray  # int64 edge indices, each at most once
    weight: float  # sum of the true (unrounded) weights of ``edges``
    resolution: float  # weight units per integer step used by the matcher
    rounding_bound: float  # the true optimum is >= weight - rounding_bound (0 when exact)


def integer_scale(weights: np.ndarray, *, finest_resolution: float = 1e-3) -> tuple[float, bool]:
    """Resolution (a power of ten, >= ``finest_resolution``) for integer weights, and exactness.

    Returns ``(resolution, exact)``; ``exact`` is True when every weight is an integer multiple of
    ``resolution`` (to 1e-9 relative), so rounding changes nothing.
    """
    w_max = float(weights.max()) if weights.size else 0.0
    resolution = finest_resolution
    while w_max / resolution > MAX_INTEGER_WEIGHT:
        resolution *= 10.0
    steps = weights / resolution
    exact = bool(np.all(np.abs(steps - np.round(steps)) <= 1e-9 * np.maximum(1.0, steps)))
    return resolution, exact


def min_weight_tjoin(
    num_nodes: int,
    tails: np.ndarray,
    heads: np.ndarray,
    weights: np.ndarray,
    terminals: Sequence[int] | np.ndarray,
    *,
    finest_resolution: float = 1e-3,
) -> TJoin:
    """Minimum-weight T-join of ``terminals`` in an undirected graph given as edge arrays.

    ``tails[i] -- heads[i]`` is edge ``i`` with non-negative ``weights[i]`` (any unit, e.g. metres);
    nodes are ``0 .. num_nodes - 1``. Parallel edges are allowed (the cheapest is used); self-loops
    never belong to a minimal join and are ignored. Every connected component must hold an even
    number of terminals, otherwise :class:`InfeasibleError` names the components that do not.
    """
    tails = np.asarray(tails, dtype=np.int64)
    heads = np.asarray(heads, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    terminal_idx = np.unique(np.asarray(terminals, dtype=np.int64))
    _check_arrays(num_nodes, tails, heads, weights, terminal_idx)
    if terminal_idx.size == 0:
        return TJoin(np.zeros(0, dtype=np.int64), 0.0, finest_resolution, 0.0)

    cheapest = cheapest_parallel_edges(tails, heads, weights)
    resolution, exact = integer_scale(weights[cheapest], finest_resolution=finest_resolution)
    int_weights = np.round(weights[cheapest] / resolution).astype(np.int64)
    syndrome = np.zeros(num_nodes, dtype=np.uint8)
    syndrome[terminal_idx] = 1
    _check_even_terminals(num_nodes, tails[cheapest], heads[cheapest], syndrome)
    # exact reduction (leaves, degree-2 chains) first; the matcher sees what is left
    eu, ev, ew, child_a, child_b, alive, forced, left = reduce_tjoin(
        num_nodes, tails[cheapest], heads[cheapest], int_weights, syndrome, MAX_INTEGER_WEIGHT)
    kept = np.flatnonzero(alive)
    chosen = np.zeros(0, dtype=np.int64)
    if left.any():
        matcher = _matcher(num_nodes, eu[kept], ev[kept], ew[kept].astype(float))
        pairs = matcher.decode_to_edges_array(left)
        chosen = _edge_indices(pairs, eu[kept], ev[kept], kept)
    join = cheapest[expand_join(chosen, child_a, child_b, forced, cheapest.size)]
    weight = float(weights[join].sum())
    bound = 0.0 if exact else resolution / 2 * (join.size + max(num_nodes - 1, 0))
    return TJoin(join, weight, resolution, bound)


def _check_arrays(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, terminals: np.ndarray
) -> None:
    problems = []
    if not (tails.shape == heads.shape == weights.shape):
        problems.append(
            Problem(
                "T-join",
                "edge arrays",
                "tails, heads, weights of equal length",
                f"{tails.shape}, {heads.shape}, {weights.shape}",
                "pass one entry per edge",
            )
        )
    elif weights.size and (not np.all(np.isfinite(weights)) or weights.min() < 0):
        bad = int(np.flatnonzero(~np.isfinite(weights) | (weights < 0))[0])
        problems.append(
            Problem(
                "T-join",
                f"edge {bad}",
                "finite weights >= 0",
                f"{weights[bad]!r}",
                "fix the edge length",
            )
        )
    for name, arr in (("tails", tails), ("heads", heads), ("terminals", terminals)):
        if arr.size and (arr.min() < 0 or arr.max() >= num_nodes):
            problems.append(
                Problem(
                    "T-join",
                    name,
                    f"node indices in 0..{num_nodes - 1}",
                    f"range {arr.min()}..{arr.max()}",
                    "renumber the nodes",
                )
            )
    if problems:
        raise InvalidInputError("T-join input is malformed", problems)


def cheapest_parallel_edges(
    tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, *, directed: bool = False
) -> np.ndarray:
    """Cheapest edge of each node pair (ordered if ``directed``); self-loops left out."""
    if directed:
        lo, hi = tails, heads
    else:
        lo, hi = np.minimum(tails, heads), np.maximum(tails, heads)
    candidates = np.flatnonzero(lo != hi)
    # sort by pair, then weight, then index (stable and deterministic); keep the first of each pair
    order = np.lexsort((candidates, weights[candidates], hi[candidates], lo[candidates]))
    ranked = candidates[order]
    first = np.ones(ranked.size, dtype=bool)
    first[1:] = (lo[ranked][1:] != lo[ranked][:-1]) | (hi[ranked][1:] != hi[ranked][:-1])
    return np.sort(ranked[first])


def _matcher(num_nodes: int, tails: np.ndarray, heads: np.ndarray, int_weights: np.ndarray):
    """A PyMatching graph with one column per edge and no observables (we read edges back)."""
    m = tails.size
    rows = np.concatenate([tails, heads])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    check = csc_matrix((np.ones(2 * m, dtype=np.uint8), (rows, cols)), shape=(num_nodes, m))
    no_faults = csc_matrix((1, m), dtype=np.uint8)
    return pymatching.Matching.from_check_matrix(
        check,
        weights=int_weights.astype(float),
        faults_matrix=no_faults,
        use_virtual_boundary_node=True,
    )


def _check_even_terminals(
    num_nodes: int, tails: np.ndarray, heads: np.ndarray, syndrome: np.ndarray
) -> None:
    from scipy.sparse.csgraph import connected_components

    adjacency = csc_matrix((np.ones(tails.size), (tails, heads)), shape=(num_nodes, num_nodes))
    _, labels = connected_components(adjacency, directed=False)
    odd = np.flatnonzero(np.bincount(labels, weights=syndrome, minlength=labels.max() + 1) % 2)
    if odd.size:
        problems = [
            Problem(
                "T-join",
                f"component {int(c)}",
                "an even number of terminals",
                f"{int(np.sum(syndrome[labels == c]))} terminals (e.g. node "
                f"{int(np.flatnonzero((labels == c) & (syndrome == 1))[0])})",
                "connect the component to the rest of the network or drop a terminal",
            )
            for c in odd[:20]
        ]
        raise InfeasibleError(
            f"no T-join exists: {odd.size} component(s) with an odd number of terminals", problems
        )


def _edge_indices(
    pairs: np.ndarray, tails: np.ndarray, heads: np.ndarray, edge_ids: np.ndarray
) -> np.ndarray:
    """Map the matcher's node pairs back to our edge indices."""
    if pairs.size == 0:
        return np.zeros(0, dtype=np.int64)
    lookup = {
        (int(min(a, b)), int(max(a, b))): int(e)
        for a, b, e in zip(tails, heads, edge_ids, strict=True)
    }
    out = [lookup[(int(min(a, b)), int(max(a, b)))] for a, b in pairs]
    return np.sort(np.asarray(out, dtype=np.int64))
