"""Turning a networkx street graph and a set of required streets into validated edge arrays.

The postman solvers work on integer node indices and numpy edge arrays; this module does the
translation once, validates everything (collecting every problem before raising) and keeps the
mapping back to the caller's nodes and edge keys.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from gridplan.errors import InvalidInputError, Problem, ProblemCollector

#: ``(u, v)`` for simple graphs, ``(u, v, key)`` for multigraphs.
EdgeKey = tuple[Hashable, ...]
Required = Iterable[EdgeKey] | Mapping[EdgeKey, int] | None


@dataclass(frozen=True, slots=True)
class BothSides:
    """Which required streets are walked once on each side (two required passes).

    Shops line both sides of wide roads, so officers inspect each side separately. A street is
    wide when its management ``grade`` is in ``grades`` or it has at least ``min_lanes`` lanes
    (attribute ``lanes``; ``None`` disables the lane rule).
    """

    grades: frozenset[int] = frozenset({1, 2})
    min_lanes: int | None = 4

    def __post_init__(self) -> None:
        issues = ProblemCollector("BothSides")
        if any(g not in (1, 2, 3, 4) for g in self.grades):
            issues.add(
                "grades",
                expected="grades among 1-4",
                found=repr(sorted(self.grades)),
                fix="use management grades 1 (trunk) to 4 (lanes)",
            )
        if self.min_lanes is not None and self.min_lanes < 1:
            issues.add(
                "min_lanes", expected="None or >= 1", found=repr(self.min_lanes), fix="use e.g. 4"
            )
        issues.raise_if_any()

    def passes(self, data: Mapping[str, object]) -> int:
        """2 for a street walked on both sides, else 1."""
        grade = data.get("grade")
        if grade is not None and int(grade) in self.grades:  # type: ignore[call-overload]
            return 2
        lanes = _as_int(data.get("lanes"))
        return (
            2 if self.min_lanes is not None and lanes is not None and lanes >= self.min_lanes else 1
        )


def _as_int(value: object) -> int | None:
    if isinstance(value, list):  # OSM may tag several values on merged ways; take the widest
        values = [v for v in (_as_int(x) for x in value) if v is not None]
        return max(values, default=None)
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class EdgeArrays:
    """A street graph as arrays: edge ``i`` goes ``tails[i] -> heads[i]`` (node indices)."""

    nodes: list[Hashable]
    index: dict[Hashable, int]
    tails: np.ndarray
    heads: np.ndarray
    keys: list[Hashable]  # edge keys for multigraphs, None for simple graphs
    weights: np.ndarray  # metres (or the unit of the chosen weight attribute)
    xy: np.ndarray | None  # node coordinates (metres) when every node has x and y
    directed: bool
    multigraph: bool

    @property
    def num_nodes(self) -> int:
        return len(self.nodes)

    def edge_key(self, i: int) -> EdgeKey:
        u, v = self.nodes[self.tails[i]], self.nodes[self.heads[i]]
        return (u, v, self.keys[i]) if self.multigraph else (u, v)

    def edge_keys(self, indices: np.ndarray) -> list[EdgeKey]:
        """:meth:`edge_key` of many edges at once."""
        nodes, keys = self.nodes, self.keys
        pairs = zip(self.tails[indices].tolist(), self.heads[indices].tolist(), strict=True)
        if self.multigraph:
            return [(nodes[a], nodes[b], keys[i])
                    for (a, b), i in zip(pairs, indices.tolist(), strict=True)]
        return [(nodes[a], nodes[b]) for a, b in pairs]


def edge_arrays(graph: nx.Graph, *, weight: str) -> EdgeArrays:
    """Arrays of ``graph`` (any networkx graph) with validated non-negative finite weights."""
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    multigraph = graph.is_multigraph()
    edges = (  # a comprehension, not list(): list() asks the view its length, a second pass
        [e for e in graph.edges(keys=True, data=weight)]  # noqa: C416
        if multigraph
        else [(u, v, None, w) for u, v, w in graph.edges(data=weight)]
    )
    issues = ProblemCollector("street graph")
    for u, v, k, w in edges:
        if not isinstance(w, (int, float, np.integer, np.floating)) or not np.isfinite(w) or w < 0:
            issues.add(
                f"edge ({u!r}, {v!r}" + (f", {k!r})" if multigraph else ")"),
                expected=f"a finite number >= 0 in attribute {weight!r}",
                found=repr(w),
                fix=f"set {weight!r} on every edge (metres for 'length')",
            )
    issues.raise_if_any(f"street graph: {len(issues)} edge(s) without a usable {weight!r}")
    tails = np.fromiter((index[u] for u, _, _, _ in edges), dtype=np.int64, count=len(edges))
    heads = np.fromiter((index[v] for _, v, _, _ in edges), dtype=np.int64, count=len(edges))
    weights = np.fromiter((float(w) for *_, w in edges), dtype=float, count=len(edges))
    return EdgeArrays(
        nodes,
        index,
        tails,
        heads,
        [k for _, _, k, _ in edges],
        weights,
        _coordinates(graph, nodes),
        graph.is_directed(),
        multigraph,
    )


def _coordinates(graph: nx.Graph, nodes: list[Hashable]) -> np.ndarray | None:
    try:
        return np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float)
    except (KeyError, TypeError, ValueError):
        return None


def required_passes(
    graph: nx.Graph, arrays: EdgeArrays, required: Required, *, both_sides: BothSides | None
) -> np.ndarray:
    """Required passes per edge (0 = optional), validated; both-sides streets count twice."""
    passes = np.zeros(arrays.tails.size, dtype=np.int64)
    if required is None:
        passes[:] = 1
    else:
        _fill_required(arrays, required, passes)
    if both_sides is not None:
        for i in np.flatnonzero(passes):
            passes[i] *= both_sides.passes(_edge_data(graph, arrays, int(i)))
    return passes


def _edge_data(graph: nx.Graph, arrays: EdgeArrays, i: int) -> Mapping[str, object]:
    u, v = arrays.nodes[arrays.tails[i]], arrays.nodes[arrays.heads[i]]
    return graph.edges[u, v, arrays.keys[i]] if arrays.multigraph else graph.edges[u, v]


def _fill_required(
    arrays: EdgeArrays, required: Iterable[EdgeKey] | Mapping[EdgeKey, int], passes: np.ndarray
) -> None:
    lookup = _edge_lookup(arrays)
    items = required.items() if isinstance(required, Mapping) else ((e, 1) for e in required)
    issues = ProblemCollector("required streets")
    for edge, count in items:
        found = lookup.get(normal_key(edge, directed=arrays.directed))
        if not isinstance(count, (int, np.integer)) or count < 0:
            issues.add(
                f"edge {edge!r}",
                expected="a whole number of passes >= 0",
                found=repr(count),
                fix="give 1 for once, 2 for both sides",
            )
        elif found is None:
            issues.add(
                f"edge {edge!r}",
                expected="an edge of the street graph",
                found="no such edge",
                fix="use (u, v, key) for multigraphs and (u, v) for simple graphs",
            )
        elif len(found) > 1:
            issues.add(
                f"edge {edge!r}",
                expected="one edge",
                found=f"{len(found)} parallel edges",
                fix="name the edge with its key: (u, v, key)",
            )
        else:
            passes[found[0]] += count
    issues.raise_if_any(f"required streets: {len(issues)} problem(s)")


def normal_key(edge: EdgeKey, *, directed: bool) -> tuple[Hashable, ...]:
    """Lookup key: orientation dropped for undirected graphs; a 2-tuple means 'any key'."""
    if not isinstance(edge, tuple) or len(edge) not in (2, 3):
        return ("<malformed>", edge)
    u, v, *rest = edge
    if not directed:
        try:
            u, v = sorted((u, v), key=repr)  # type: ignore[assignment]
        except TypeError:
            return ("<malformed>", edge)
    return (u, v, *rest)


def _edge_lookup(arrays: EdgeArrays) -> dict[tuple[Hashable, ...], list[int]]:
    lookup: dict[tuple[Hashable, ...], list[int]] = {}
    for i in range(arrays.tails.size):
        key = arrays.edge_key(i)
        lookup.setdefault(normal_key(key, directed=arrays.directed), []).append(i)
        if arrays.multigraph:  # allow (u, v) when it is unambiguous
            lookup.setdefault(normal_key(key[:2], directed=arrays.directed), []).append(i)
    return lookup


def reject_unknown_start(arrays: EdgeArrays, start: Hashable | None) -> None:
    if start is not None and start not in arrays.index:
        raise InvalidInputError(
            "the start node is not in the street graph",
            [
                Problem(
                    "start",
                    repr(start),
                    "a node of the street graph",
                    "no such node",
                    "snap the station to the nearest street node first",
                )
            ],
        )
