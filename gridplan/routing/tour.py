"""The postman tour result: an ordered closed walk that checks itself against its graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx

from gridplan.errors import Problem
from gridplan.routing.postman_input import EdgeKey, Required, normal_key


class TourStep(NamedTuple):
    """One traversal: from ``u`` to ``v`` along edge ``key`` (None in simple graphs)."""

    u: Hashable
    v: Hashable
    key: Hashable
    deadhead: bool  # walked only to get somewhere (not serving a required pass)


@dataclass(frozen=True, slots=True)
class PostmanTour:
    """A closed walk from ``start`` covering every required street as often as required.

    Lengths are in the unit of the ``weight`` attribute (metres for ``length``). For the Chinese
    postman and a connected rural postman the tour is optimal and ``lower_bound_m`` equals its
    length (less ``rounding_bound_m``, the most the integer matching can have lost, 0 when the
    lengths lie on its grid); otherwise ``lower_bound_m`` is a proven bound and :attr:`gap` the
    distance to it.
    """

    steps: tuple[TourStep, ...]
    start: Hashable
    directed: bool
    weight: str
    length_m: float
    required_length_m: float
    deadhead_m: float
    lower_bound_m: float
    rounding_bound_m: float
    method: str
    runtime_s: float
    required: tuple[tuple[EdgeKey, int], ...]  # each required edge and its passes
    uncovered: tuple[EdgeKey, ...] = ()  # required edges no closed walk from start can reach

    @property
    def gap(self) -> float:
        """Relative distance to the lower bound (0 = proven optimal)."""
        return (
            0.0
            if self.length_m == 0
            else max(0.0, self.length_m / max(self.lower_bound_m, 1e-12) - 1)
        )

    @property
    def deadhead_share(self) -> float:
        return self.deadhead_m / self.length_m if self.length_m else 0.0

    def summary(self) -> str:
        return (
            f"{self.method}: {len(self.steps)} steps, {self.length_m:.1f} m "
            f"(required {self.required_length_m:.1f} m, deadhead {self.deadhead_m:.1f} m = "
            f"{self.deadhead_share:.1%}), lower bound {self.lower_bound_m:.1f} m, "
            f"gap {self.gap:.2%}, "
            f"{len(self.uncovered)} uncovered, {self.runtime_s:.2f} s"
        )

    def is_valid(self, graph: nx.Graph, required: Required = None) -> bool:
        """True when :meth:`problems` finds nothing."""
        return not self.problems(graph, required)

    def problems(self, graph: nx.Graph, required: Required = None) -> list[Problem]:
        """Everything wrong with this tour on ``graph``.

        Checks: it starts and ends at ``start``, consecutive steps join, every step is an edge of
        ``graph`` (in its direction when directed), each required edge (``required``, defaulting
        to the one this tour was solved for, uncovered edges excepted) is walked at least its
        number of passes, and the lengths add up.
        """
        found = self._walk_problems(graph)
        if found:
            return found
        return self._coverage_problems(graph, required) + self._length_problems(graph)

    def _walk_problems(self, graph: nx.Graph) -> list[Problem]:
        out: list[Problem] = []
        if not self.steps:
            return [] if not self.required else [_problem("steps", "a non-empty walk", "no steps")]
        if self.steps[0].u != self.start or self.steps[-1].v != self.start:
            out.append(
                _problem(
                    "ends",
                    f"start and end at {self.start!r}",
                    f"{self.steps[0].u!r} .. {self.steps[-1].v!r}",
                )
            )
        for i, (a, b) in enumerate(zip(self.steps, self.steps[1:], strict=False)):
            if a.v != b.u:
                out.append(_problem(f"step {i + 1}", f"to start at {a.v!r}", repr(b.u)))
        for i, s in enumerate(self.steps):
            exists = (
                graph.has_edge(s.u, s.v, s.key)
                if graph.is_multigraph()
                else graph.has_edge(s.u, s.v)
            )
            if not exists:
                out.append(
                    _problem(f"step {i}", "an edge of the graph", f"({s.u!r}, {s.v!r}, {s.key!r})")
                )
        return out

    def _coverage_problems(self, graph: nx.Graph, required: Required) -> list[Problem]:
        need = self._needed(required)
        walked = Counter(
            normal_key(self._key(s.u, s.v, s.key, graph), directed=self.directed)
            for s in self.steps
        )
        skipped = {normal_key(e, directed=self.directed) for e in self.uncovered}
        return [
            _problem(f"edge {edge!r}", f"walked at least {n} time(s)", f"{walked[edge]}")
            for edge, n in need.items()
            if edge not in skipped and walked[edge] < n
        ]

    def _needed(self, required: Required) -> Counter:
        spec = dict(self.required) if required is None else required
        items = spec.items() if isinstance(spec, Mapping) else ((e, 1) for e in spec)
        need: Counter = Counter()
        for edge, n in items:
            need[normal_key(edge, directed=self.directed)] += n
        return need

    @staticmethod
    def _key(u: Hashable, v: Hashable, key: Hashable, graph: nx.Graph) -> EdgeKey:
        return (u, v, key) if graph.is_multigraph() else (u, v)

    def _length_problems(self, graph: nx.Graph) -> list[Problem]:
        def length(s: TourStep) -> float:
            data = graph.edges[s.u, s.v, s.key] if graph.is_multigraph() else graph.edges[s.u, s.v]
            return float(data[self.weight])

        total = sum(length(s) for s in self.steps)
        deadhead = sum(length(s) for s in self.steps if s.deadhead)
        out = []
        tol = 1e-6 * max(1.0, total)
        if abs(total - self.length_m) > tol:
            out.append(_problem("length_m", f"{total:.3f} (sum of steps)", f"{self.length_m:.3f}"))
        if (
            abs(self.required_length_m + self.deadhead_m - self.length_m) > tol
            or abs(deadhead - self.deadhead_m) > tol
        ):
            out.append(
                _problem(
                    "deadhead_m", f"{deadhead:.3f} = length - required", f"{self.deadhead_m:.3f}"
                )
            )
        if self.lower_bound_m > self.length_m + tol:
            out.append(
                _problem(
                    "lower_bound_m", f"<= length {self.length_m:.3f}", f"{self.lower_bound_m:.3f}"
                )
            )
        return out


def _problem(where: str, expected: str, found: str) -> Problem:
    return Problem("postman tour", where, expected, found, "this is a solver bug; please report it")
