"""One officer, every required street: the Chinese and rural postman, walking and driving.

Walking (undirected graph, e.g. ``StreetNetwork.undirected()``): the optimal tour walks every
required street as often as required plus a minimum-weight T-join of the odd-degree corners,
computed on the whole street graph (streets outside the required set may connect). This is exact
whenever the required streets (and the start) form one connected piece — the Chinese postman and
the connected rural postman. When they fall apart, the pieces are linked Frederickson-style by a
spanning tree of shortest paths, completed by a T-join, then improved by re-linking (see
:func:`_relink`); the result carries a proven lower bound.

Driving (directed graph, one-way streets once): the same with a min-cost flow over node
imbalances instead of the T-join (compiled primal–dual successive shortest paths, checked exact on
the float lengths, see :mod:`gridplan.routing.balance`). A required street that no closed walk can reach is reported (or returned as uncovered).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import numpy as np

from gridplan.errors import InfeasibleError, InvalidInputError, Problem, ProblemCollector
from gridplan.routing.balance import balancing_flow
from gridplan.routing.connect import component_labels, graph_labels, link_directed, link_undirected
from gridplan.routing.euler import euler_circuit
from gridplan.routing.postman_input import (
    BothSides,
    EdgeArrays,
    Required,
    edge_arrays,
    reject_unknown_start,
    required_passes,
)
from gridplan.routing.tjoin import min_weight_tjoin
from gridplan.routing.tour import PostmanTour, TourStep

_BOUND_SLACK = 1e-9  # shortest paths treat zero-length links as 1e-12 m; keep bounds honest


@dataclass(frozen=True, slots=True)
class PostmanOptions:
    """How to solve a postman problem.

    ``weight`` names the edge attribute to minimise (metres for ``length``). ``both_sides`` marks
    wide streets to be walked twice. ``on_unreachable``: ``"raise"`` refuses required streets that
    no closed walk from the start can reach, ``"uncovered"`` plans the rest and lists them.
    ``improve_rounds`` re-linking rounds for disconnected rural problems (0 = construction only),
    randomised by ``seed``. ``matching_resolution_m``: finest integer step for the T-join weights.
    ``prefer_straight``: order the Euler tour to avoid needless turns (needs node ``x``/``y``).
    """

    weight: str = "length"
    both_sides: BothSides | None = None
    on_unreachable: Literal["raise", "uncovered"] = "raise"
    improve_rounds: int = 20
    seed: int = 0
    matching_resolution_m: float = 1e-3
    prefer_straight: bool = True

    def __post_init__(self) -> None:
        issues = ProblemCollector("PostmanOptions")
        if self.on_unreachable not in ("raise", "uncovered"):
            issues.add(
                "on_unreachable",
                expected="'raise' or 'uncovered'",
                found=repr(self.on_unreachable),
                fix="pick one of the two",
            )
        if self.improve_rounds < 0:
            issues.add(
                "improve_rounds", expected=">= 0", found=repr(self.improve_rounds), fix="use 0..100"
            )
        if not self.matching_resolution_m > 0:
            issues.add(
                "matching_resolution_m",
                expected="> 0",
                found=repr(self.matching_resolution_m),
                fix="use 0.001 (millimetres)",
            )
        issues.raise_if_any()


@dataclass(frozen=True, slots=True)
class _Augmentation:
    deadhead: np.ndarray  # extra traversals per edge
    lower_bound: float  # on the deadhead weight
    rounding_bound: float
    method: str


def postman_tour(
    graph: nx.Graph,
    *,
    required: Required = None,
    start: Hashable | None = None,
    options: PostmanOptions | None = None,
) -> PostmanTour:
    """Shortest closed walk from ``start`` covering every ``required`` edge (all when None).

    ``graph``: any networkx graph in a metric CRS; undirected = walking, directed = driving.
    ``required``: edge keys ``(u, v, key)`` (multigraphs) or ``(u, v)``, or a mapping from edge key
    to the number of passes. ``start`` defaults to an end of the first required edge.
    """
    started = time.perf_counter()
    options = options or PostmanOptions()
    arrays = edge_arrays(graph, weight=options.weight)
    reject_unknown_start(arrays, start)
    asked = required_passes(graph, arrays, required, both_sides=options.both_sides)
    _reject_nothing_required(asked)
    start_idx = arrays.index[start] if start is not None else None
    passes, start_idx = _reachable_part(graph, arrays, asked, start_idx, options)
    labels = component_labels(arrays.num_nodes, arrays.tails, arrays.heads, passes, start_idx)
    solve = _augment_directed if arrays.directed else _augment_undirected
    augmentation = solve(arrays, passes, labels, options)
    steps = _steps(arrays, passes, augmentation.deadhead, start_idx, options)
    return _result(arrays, asked, passes, augmentation, steps, start_idx, options, started)


def _reject_nothing_required(passes: np.ndarray) -> None:
    if not passes.any():
        raise InvalidInputError(
            "nothing to patrol",
            [
                Problem(
                    "required streets",
                    "",
                    "at least one required street",
                    "none",
                    "select the streets of the grid (or pass required=None for all)",
                )
            ],
        )


def _reachable_part(
    graph: nx.Graph,
    arrays: EdgeArrays,
    passes: np.ndarray,
    start: int | None,
    options: PostmanOptions,
) -> tuple[np.ndarray, int]:
    """Required passes a closed walk can serve (one (strongly) connected part), and the start."""
    labels = graph_labels(arrays.num_nodes, arrays.tails, arrays.heads, strong=arrays.directed)
    tail_part, head_part = labels[arrays.tails], labels[arrays.heads]
    inside = tail_part == head_part
    if start is not None:
        main = labels[start]
    else:
        served = inside & (passes > 0)
        length = np.bincount(
            tail_part[served],
            weights=(passes * arrays.weights)[served] + 1e-9,
            minlength=labels.max() + 1,
        )
        main = int(np.argmax(length))
    ok = inside & (tail_part == main)
    outside = np.flatnonzero((passes > 0) & ~ok)
    if outside.size and options.on_unreachable == "raise":
        _raise_unreachable(graph, arrays, outside, labels, directed=arrays.directed)
    kept = np.where(ok, passes, 0)
    if not kept.any():
        raise InvalidInputError(
            "no required street is reachable from the start",
            [
                Problem(
                    "start",
                    repr(arrays.nodes[start]) if start is not None else "",
                    "a start on the same connected part as the required streets",
                    "a separate part",
                    "move the start",
                )
            ],
        )
    if start is None:
        start = int(arrays.tails[np.flatnonzero(kept)[0]])
    return kept, start


def _raise_unreachable(
    graph: nx.Graph, arrays: EdgeArrays, outside: np.ndarray, labels: np.ndarray, *, directed: bool
) -> None:
    issues = ProblemCollector("required streets")
    if directed:
        for e in outside[:30].tolist():
            issues.add(
                f"edge {arrays.edge_key(e)!r} {_street_name(graph, arrays, e)}",
                expected="a street a closed drive can use (both ends mutually reachable)",
                found="one-way access only (outside the strongly connected part)",
                fix="drop it, plan it on foot, or add the missing connection",
            )
        message = f"{outside.size} required street(s) cannot be driven in a closed tour"
        raise InfeasibleError(
            message + (" (first 30 listed)" if outside.size > 30 else ""), issues.problems
        )
    for part in np.unique(labels[arrays.tails[outside]]).tolist():
        members = outside[labels[arrays.tails[outside]] == part]
        sample = ", ".join(
            f"{arrays.edge_key(e)!r}{_street_name(graph, arrays, e)}" for e in members[:3].tolist()
        )
        issues.add(
            f"component of {members.size} required street(s), "
            f"{arrays.weights[members].sum():.1f} m",
            expected="connected to the start's streets",
            found=f"a separate piece, e.g. {sample}",
            fix="plan it separately, connect it, or pass on_unreachable='uncovered'",
        )
    issues.raise_if_any(f"required streets lie in {len(issues) + 1} disconnected pieces")


def _street_name(graph: nx.Graph, arrays: EdgeArrays, e: int) -> str:
    u, v = arrays.nodes[arrays.tails[e]], arrays.nodes[arrays.heads[e]]
    data = graph.edges[u, v, arrays.keys[e]] if arrays.multigraph else graph.edges[u, v]
    name = data.get("name")
    return f" {name}" if isinstance(name, str) and name else ""


def _odd_nodes(arrays: EdgeArrays, counts: np.ndarray) -> np.ndarray:
    degree = np.bincount(arrays.tails, weights=counts, minlength=arrays.num_nodes) + np.bincount(
        arrays.heads, weights=counts, minlength=arrays.num_nodes
    )
    return np.flatnonzero(degree.astype(np.int64) % 2)


def _tjoin_completion(
    arrays: EdgeArrays, options: PostmanOptions
) -> Callable[[np.ndarray], tuple[np.ndarray, float]]:
    def complete(counts: np.ndarray) -> tuple[np.ndarray, float]:
        join = min_weight_tjoin(
            arrays.num_nodes,
            arrays.tails,
            arrays.heads,
            arrays.weights,
            _odd_nodes(arrays, counts),
            finest_resolution=options.matching_resolution_m,
        )
        extra = np.bincount(join.edges, minlength=arrays.tails.size).astype(np.int64)
        return extra, join.rounding_bound

    return complete


def _flow_completion(arrays: EdgeArrays) -> Callable[[np.ndarray], tuple[np.ndarray, float]]:
    def complete(counts: np.ndarray) -> tuple[np.ndarray, float]:
        return balancing_flow(
            arrays.num_nodes, arrays.tails, arrays.heads, arrays.weights, counts
        ), 0.0

    return complete


def _augment_undirected(
    arrays: EdgeArrays, passes: np.ndarray, labels: np.ndarray, options: PostmanOptions
) -> _Augmentation:
    complete = _tjoin_completion(arrays, options)
    parity, rounding = complete(passes)
    parity_bound = float(arrays.weights @ parity) - rounding
    if labels.max() == 0:
        return _Augmentation(parity, parity_bound, rounding, "postman: exact (T-join)")
    link = link_undirected(arrays.num_nodes, arrays.tails, arrays.heads, arrays.weights, labels)
    return _linked(
        arrays,
        passes,
        labels,
        link.edges,
        complete,
        options,
        max(parity_bound, link.mst_m, link.nearest_sum_m),
        "undirected",
    )


def _augment_directed(
    arrays: EdgeArrays, passes: np.ndarray, labels: np.ndarray, options: PostmanOptions
) -> _Augmentation:
    complete = _flow_completion(arrays)
    balance, _ = complete(passes)
    balance_bound = float(arrays.weights @ balance)
    if labels.max() == 0:
        return _Augmentation(balance, balance_bound, 0.0, "postman: exact (min-cost flow)")
    link = link_directed(arrays.num_nodes, arrays.tails, arrays.heads, arrays.weights, labels)
    return _linked(
        arrays,
        passes,
        labels,
        link.edges,
        complete,
        options,
        max(balance_bound, link.mst_m, link.nearest_sum_m),
        "directed",
    )


def _linked(
    arrays: EdgeArrays,
    passes: np.ndarray,
    labels: np.ndarray,
    connectors: np.ndarray,
    complete: Callable[[np.ndarray], tuple[np.ndarray, float]],
    options: PostmanOptions,
    bound: float,
    kind: str,
) -> _Augmentation:
    links = np.bincount(connectors, minlength=arrays.tails.size).astype(np.int64)
    extra, rounding = complete(passes + links)
    deadhead = _relink(arrays, passes, labels, links + extra, complete, options)
    return _Augmentation(
        deadhead,
        bound - _BOUND_SLACK,
        rounding,
        f"rural postman ({kind}, {labels.max() + 1} pieces): "
        f"Frederickson links + re-linking x{options.improve_rounds}",
    )


def _relink(
    arrays: EdgeArrays,
    passes: np.ndarray,
    labels: np.ndarray,
    deadhead: np.ndarray,
    complete: Callable[[np.ndarray], tuple[np.ndarray, float]],
    options: PostmanOptions,
) -> np.ndarray:
    """Improve a rural tour by re-linking: prune its deadhead to a minimal link set, re-complete.

    The deadhead streets of a tour, each taken once, together with the required streets connect
    all pieces. Keep a minimal subset that still does (a spanning tree of the pieces, found with
    Kruskal on perturbed lengths, with non-required dead ends trimmed) and re-solve the parity (or
    balance) completion for it. The old tour minus that subset is one feasible completion, so the
    new tour is never longer; perturbing the tree choice (seeded) explores other link sets.
    """
    rng = np.random.default_rng(options.seed)
    best, best_len = deadhead, float(arrays.weights @ deadhead)
    for round_no in range(options.improve_rounds):
        support = np.flatnonzero(best > 0)
        noise = 1.0 if round_no == 0 else rng.uniform(0.5, 1.5, support.size)
        keep = _minimal_links(
            arrays, labels, support[np.argsort(arrays.weights[support] * noise, kind="stable")]
        )
        links = np.bincount(keep, minlength=arrays.tails.size).astype(np.int64)
        extra, _ = complete(passes + links)
        candidate = links + extra
        length = float(arrays.weights @ candidate)
        if length < best_len - 1e-9:
            best, best_len = candidate, length
    return best


def _minimal_links(arrays: EdgeArrays, labels: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """A minimal subset of ``ordered`` edges linking all pieces (Kruskal, then trim dead ends)."""
    k = int(labels.max()) + 1
    vertex = {}  # contracted vertex: the piece for required nodes, else a fresh id per node

    def contracted(node: int) -> int:
        if labels[node] >= 0:
            return int(labels[node])
        return vertex.setdefault(node, k + len(vertex))

    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    tree: list[tuple[int, int, int]] = []
    for e in ordered.tolist():
        a, b = contracted(int(arrays.tails[e])), contracted(int(arrays.heads[e]))
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            tree.append((e, a, b))
    return np.asarray(_trim_dead_ends(tree, k), dtype=np.int64)


def _trim_dead_ends(tree: list[tuple[int, int, int]], k: int) -> list[int]:
    """Drop tree edges hanging off non-piece vertices (they link nothing that needs linking)."""
    degree: dict[int, int] = {}
    incident: dict[int, list[int]] = {}
    for i, (_, a, b) in enumerate(tree):
        for x in (a, b):
            degree[x] = degree.get(x, 0) + 1
            incident.setdefault(x, []).append(i)
    alive = [True] * len(tree)
    leaves = [x for x, d in degree.items() if d == 1 and x >= k]
    while leaves:
        x = leaves.pop()
        for i in incident[x]:
            if alive[i]:
                alive[i] = False
                _, a, b = tree[i]
                other = b if a == x else a
                degree[x] -= 1
                degree[other] -= 1
                if degree[other] == 1 and other >= k:
                    leaves.append(other)
    return sorted(e for (e, _, _), live in zip(tree, alive, strict=True) if live)


def _steps(
    arrays: EdgeArrays,
    passes: np.ndarray,
    deadhead: np.ndarray,
    start: int,
    options: PostmanOptions,
) -> list[TourStep]:
    counts = passes + deadhead
    copies = np.repeat(np.arange(counts.size), counts)
    xy = arrays.xy if options.prefer_straight else None
    walk = euler_circuit(
        arrays.tails[copies], arrays.heads[copies], start=start, directed=arrays.directed, xy=xy
    )
    # plain lists: indexing numpy arrays one item at a time is the slow part of a big tour
    served = [0] * counts.size
    edge_of, tails, heads = copies.tolist(), arrays.tails.tolist(), arrays.heads.tolist()
    wanted, nodes, keys = passes.tolist(), arrays.nodes, arrays.keys
    steps = []
    for copy, is_reversed in walk:
        e = edge_of[copy]
        a, b = (heads[e], tails[e]) if is_reversed else (tails[e], heads[e])
        serving = served[e] < wanted[e]
        served[e] += serving
        steps.append(TourStep(nodes[a], nodes[b], keys[e], not serving))
    return steps


def _result(
    arrays: EdgeArrays,
    asked: np.ndarray,
    passes: np.ndarray,
    augmentation: _Augmentation,
    steps: list[TourStep],
    start: int,
    options: PostmanOptions,
    started: float,
) -> PostmanTour:
    required_m = float(arrays.weights @ passes)
    deadhead_m = float(arrays.weights @ augmentation.deadhead)
    return PostmanTour(
        steps=tuple(steps),
        start=arrays.nodes[start],
        directed=arrays.directed,
        weight=options.weight,
        length_m=required_m + deadhead_m,
        required_length_m=required_m,
        deadhead_m=deadhead_m,
        lower_bound_m=required_m + max(augmentation.lower_bound, 0.0),
        rounding_bound_m=augmentation.rounding_bound,
        method=augmentation.method,
        runtime_s=time.perf_counter() - started,
        required=tuple(zip(arrays.edge_keys(np.flatnonzero(asked)),
                           asked[asked > 0].tolist(), strict=True)),
        uncovered=tuple(arrays.edge_keys(np.flatnonzero((asked > 0) & (passes == 0)))),
    )
