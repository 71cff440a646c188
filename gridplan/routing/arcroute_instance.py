"""Arc-routing instances: required edges on a street graph, served from one depot.

One core (:meth:`ArcInstance.from_edges`, plain integer-indexed arrays) and one alternate
constructor (:meth:`ArcInstance.from_graph`, a networkx graph plus the set of required edges), so
the benchmark files and the street networks go through the same code.

Costs may be *windy* (``cost_uv != cost_vu``): the shortest-path matrix is then directed and every
required edge may be served in whichever direction is cheaper in context. Units are whatever the
caller uses (metres, seconds, file units); they are never mixed inside one instance.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from gridplan.errors import InfeasibleError, InvalidInputError, ProblemCollector

MAX_LISTED = 20  # unreachable edges listed one by one before summarising the rest


@dataclass(frozen=True, eq=False)
class ArcInstance:
    """A (capacitated) arc routing instance on vertices ``0..n_vertices-1``.

    Edges ``0..n_edges-1`` are the whole graph (traversable at ``cost_uv`` from ``edge_u`` to
    ``edge_v`` and ``cost_vu`` back; ``inf`` forbids a direction). Tasks ``0..n_tasks-1`` are the
    required edges: ``task_edge[t]`` is the graph edge, serving it costs ``service_uv`` or
    ``service_vu`` (traversal plus any service time) and uses ``demand[t]`` of the ``capacity``
    (``None`` = uncapacitated). ``distance[i, j]`` is the shortest deadheading cost from i to j and
    ``predecessor`` lets routes be expanded into vertex walks.
    """

    n_vertices: int
    depot: int
    edge_u: np.ndarray
    edge_v: np.ndarray
    cost_uv: np.ndarray
    cost_vu: np.ndarray
    task_edge: np.ndarray
    service_uv: np.ndarray
    service_vu: np.ndarray
    demand: np.ndarray
    capacity: float | None
    distance: np.ndarray
    predecessor: np.ndarray
    name: str = ""
    vertex_labels: tuple[Hashable, ...] = ()
    _arc_cache: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_edges(
        cls,
        n_vertices: int,
        edges: Sequence[tuple[int, int, float]] | Sequence[tuple[int, int, float, float]],
        required: Iterable[int],
        *,
        depot: int = 0,
        demand: Sequence[float] | None = None,
        service_cost: Sequence[float] | Sequence[tuple[float, float]] | None = None,
        capacity: float | None = None,
        name: str = "",
        vertex_labels: Sequence[Hashable] = (),
    ) -> ArcInstance:
        """The core constructor.

        ``edges`` are ``(u, v, cost)`` or windy ``(u, v, cost_uv, cost_vu)`` with 0-based vertices;
        ``required`` lists edge indices to serve (each once). ``demand`` and ``service_cost`` are
        per required edge in the order of ``required`` (defaults: demand 1, service = traversal);
        a service cost may be one number or a ``(uv, vu)`` pair.
        """
        issues = ProblemCollector(name or "arc instance")
        edge_u, edge_v, cost_uv, cost_vu = _edge_arrays(edges, n_vertices, issues)
        task_edge = np.asarray(list(required), dtype=np.int64)
        n_tasks = len(task_edge)
        _check_tasks(task_edge, len(edge_u), issues)
        if not 0 <= depot < n_vertices:
            issues.add(
                "depot",
                expected=f"a vertex in 0..{n_vertices - 1}",
                found=str(depot),
                fix="give the depot as a 0-based vertex index",
            )
        dem = np.ones(n_tasks) if demand is None else np.asarray(demand, dtype=float)
        if dem.shape != (n_tasks,) or (dem < 0).any() or not np.isfinite(dem).all():
            issues.add(
                "demand",
                expected=f"{n_tasks} finite non-negative numbers",
                found=f"shape {dem.shape}",
                fix="give one demand per required edge",
            )
        serve_uv, serve_vu = _service_arrays(service_cost, task_edge, cost_uv, cost_vu, issues)
        if capacity is not None and not capacity > 0:
            issues.add(
                "capacity",
                expected="a positive number or None",
                found=str(capacity),
                fix="give the vehicle capacity (or shift budget) as a positive number",
            )
        elif capacity is not None and len(dem) == n_tasks and n_tasks and dem.max() > capacity:
            t = int(dem.argmax())
            issues.add(
                f"required edge {t}",
                expected=f"demand <= capacity {capacity}",
                found=str(dem[t]),
                fix="raise the capacity or split the edge",
            )
        issues.raise_if_any()
        distance, predecessor = _all_pairs(n_vertices, edge_u, edge_v, cost_uv, cost_vu)
        instance = cls(
            n_vertices=n_vertices,
            depot=depot,
            edge_u=edge_u,
            edge_v=edge_v,
            cost_uv=cost_uv,
            cost_vu=cost_vu,
            task_edge=task_edge,
            service_uv=serve_uv,
            service_vu=serve_vu,
            demand=dem,
            capacity=None if capacity is None else float(capacity),
            distance=distance,
            predecessor=predecessor,
            name=name,
            vertex_labels=tuple(vertex_labels),
        )
        instance._check_reachable()
        return instance

    @classmethod
    def from_graph(
        cls,
        graph: nx.Graph,
        required: Iterable[tuple],
        depot: Hashable,
        *,
        weight: str = "length",
        demand: Mapping[tuple, float] | None = None,
        service_cost: Mapping[tuple, float] | None = None,
        capacity: float | None = None,
        name: str = "",
    ) -> ArcInstance:
        """Build from a networkx graph (Graph, MultiGraph, or directed variants read as streets).

        Each undirected street becomes one edge; for a directed graph the two directions of the
        same node pair are folded into one windy edge (a missing direction is forbidden).
        ``required`` holds node pairs ``(u, v)`` or multigraph keys ``(u, v, k)``; ``demand`` and
        ``service_cost`` map those same tuples to numbers (defaults: 1 and the traversal cost).
        """
        labels = list(graph.nodes)
        index = {node: i for i, node in enumerate(labels)}
        issues = ProblemCollector(name or "graph")
        if depot not in index:
            issues.add(
                "depot",
                expected="a node of the graph",
                found=repr(depot),
                fix="snap the depot to the nearest street node first",
            )
        edges, edge_of = _graph_edges(graph, index, weight, issues)
        required_ids: list[int] = []
        for key in required:
            found = edge_of.get(_canonical(key, index))
            if found is None:
                issues.add(
                    f"required edge {key!r}",
                    expected="an edge of the graph",
                    found="no such edge",
                    fix="pass edges as (u, v) or (u, v, key)",
                )
            else:
                required_ids.append(found)
        issues.raise_if_any()
        req_keys = list(required)
        dem = None if demand is None else [float(demand.get(k, 1.0)) for k in req_keys]
        svc = None
        if service_cost is not None:
            svc = [
                float(service_cost[k]) if k in service_cost else float(edges[e][2])
                for k, e in zip(req_keys, required_ids, strict=True)
            ]
        return cls.from_edges(
            len(labels),
            edges,
            required_ids,
            depot=index[depot],
            demand=dem,
            service_cost=svc,
            capacity=capacity,
            name=name,
            vertex_labels=labels,
        )

    # ------------------------------------------------------------------ derived data
    @property
    def n_tasks(self) -> int:
        return len(self.task_edge)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @property
    def is_windy(self) -> bool:
        return bool(np.any(self.cost_uv != self.cost_vu))

    def arcs(self) -> tuple[list[int], list[int], list[float]]:
        """Hot-loop view: arc ``2t`` serves task t from u to v, ``2t+1`` from v to u.

        Returns plain lists ``(start_vertex, end_vertex, service_cost)`` indexed by arc.
        """
        if "arcs" not in self._arc_cache:
            us = self.edge_u[self.task_edge].tolist()
            vs = self.edge_v[self.task_edge].tolist()
            start, end, cost = [], [], []
            for t in range(self.n_tasks):
                start += [us[t], vs[t]]
                end += [vs[t], us[t]]
                cost += [float(self.service_uv[t]), float(self.service_vu[t])]
            self._arc_cache["arcs"] = (start, end, cost)
        return self._arc_cache["arcs"]

    def distance_rows(self) -> list[list[float]]:
        """The distance matrix as nested lists (indexing them is several times faster in loops)."""
        if "rows" not in self._arc_cache:
            self._arc_cache["rows"] = self.distance.tolist()
        return self._arc_cache["rows"]

    def shortest_walk(self, source: int, target: int) -> list[int]:
        """Vertices of a shortest deadheading walk from ``source`` to ``target`` (both included)."""
        walk = [target]
        while walk[-1] != source:
            prev = int(self.predecessor[source, walk[-1]])
            if prev < 0:
                raise InfeasibleError(f"{self.name}: vertex {target} unreachable from {source}")
            walk.append(prev)
        return walk[::-1]

    def label(self, vertex: int) -> Hashable:
        return self.vertex_labels[vertex] if self.vertex_labels else vertex

    def _check_reachable(self) -> None:
        issues = ProblemCollector(self.name or "arc instance")
        start, end, cost = self.arcs()
        d = self.distance
        unreachable = [
            t
            for t in range(self.n_tasks)
            if not math.isfinite(
                min(
                    d[self.depot, start[a]] + cost[a] + d[end[a], self.depot]
                    for a in (2 * t, 2 * t + 1)
                )
            )
        ]
        for t in unreachable[:MAX_LISTED]:
            u, v = self.label(start[2 * t]), self.label(end[2 * t])
            issues.add(
                f"required edge ({u}, {v})",
                expected=f"reachable from the depot {self.label(self.depot)} and back",
                found="no closed walk from the depot serves it",
                fix="connect that part of the network, move the depot, or drop the edge",
            )
        if len(unreachable) > MAX_LISTED:
            issues.add(
                f"{len(unreachable) - MAX_LISTED} more required edges",
                expected="reachable from the depot",
                found="unreachable",
                fix="is the depot in a small disconnected piece of the network?",
            )
        issues.raise_if_any(
            f"{self.name or 'arc instance'}: {len(unreachable)} of {self.n_tasks} required edges "
            "cannot be served from the depot",
            error=InfeasibleError,
        )


def _edge_arrays(edges, n_vertices: int, issues: ProblemCollector):
    us, vs, cuv, cvu = [], [], [], []
    for i, e in enumerate(edges):
        if len(e) not in (3, 4):
            issues.add(
                f"edge {i}",
                expected="(u, v, cost) or (u, v, cost_uv, cost_vu)",
                found=repr(e),
                fix="give each edge as a tuple",
            )
            continue
        u, v, c1 = int(e[0]), int(e[1]), float(e[2])
        c2 = float(e[3]) if len(e) == 4 else c1
        if not (0 <= u < n_vertices and 0 <= v < n_vertices):
            issues.add(
                f"edge {i}",
                expected=f"vertices in 0..{n_vertices - 1}",
                found=f"({u}, {v})",
                fix="use 0-based vertex indices",
            )
        if c1 < 0 or c2 < 0 or math.isnan(c1) or math.isnan(c2) or min(c1, c2) == math.inf:
            issues.add(
                f"edge {i}",
                expected="non-negative costs, at least one direction finite",
                found=f"({c1}, {c2})",
                fix="check the cost column",
            )
        us.append(u)
        vs.append(v)
        cuv.append(c1)
        cvu.append(c2)
    return (
        np.asarray(us, dtype=np.int64),
        np.asarray(vs, dtype=np.int64),
        np.asarray(cuv, dtype=float),
        np.asarray(cvu, dtype=float),
    )


def _check_tasks(task_edge: np.ndarray, n_edges: int, issues: ProblemCollector) -> None:
    bad = [int(e) for e in task_edge if not 0 <= e < n_edges]
    if bad:
        issues.add(
            "required",
            expected=f"edge indices in 0..{n_edges - 1}",
            found=str(bad[:5]),
            fix="list required edges by their index in `edges`",
        )
    if len(set(task_edge.tolist())) != len(task_edge):
        issues.add(
            "required",
            expected="each edge at most once",
            found="duplicates",
            fix="list each required edge once (add a parallel edge to serve twice)",
        )


def _service_arrays(service_cost, task_edge, cost_uv, cost_vu, issues):
    if any(not 0 <= e < len(cost_uv) for e in task_edge.tolist()):
        return np.zeros(len(task_edge)), np.zeros(len(task_edge))
    if service_cost is None:
        return cost_uv[task_edge].copy(), cost_vu[task_edge].copy()
    uv, vu = [], []
    for s in service_cost:
        a, b = (s, s) if np.isscalar(s) else s
        uv.append(float(a))
        vu.append(float(b))
    if len(uv) != len(task_edge) or any(x < 0 for x in uv + vu):
        issues.add(
            "service_cost",
            expected=f"{len(task_edge)} non-negative costs",
            found=f"{len(uv)} values",
            fix="give one service cost per required edge",
        )
        return np.zeros(len(task_edge)), np.zeros(len(task_edge))
    uv_a, vu_a = np.asarray(uv), np.asarray(vu)
    # A direction that cannot be traversed cannot be served either.
    uv_a[~np.isfinite(cost_uv[task_edge])] = math.inf
    vu_a[~np.isfinite(cost_vu[task_edge])] = math.inf
    return uv_a, vu_a


def _all_pairs(n, edge_u, edge_v, cost_uv, cost_vu):
    """Directed all-pairs shortest paths (Dijkstra from every vertex, scipy's compiled code)."""
    rows = np.concatenate([edge_u, edge_v])
    cols = np.concatenate([edge_v, edge_u])
    w = np.concatenate([cost_uv, cost_vu])
    keep = np.isfinite(w) & (rows != cols)
    rows, cols, w = rows[keep], cols[keep], w[keep]
    # Parallel edges: keep the cheapest per (row, col); csr would otherwise add them up.
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, w = rows[first], cols[first], w[first]
    # csgraph treats explicit zeros as missing edges; a tiny epsilon keeps zero-cost links.
    w = np.where(w == 0, 1e-12, w)
    matrix = csr_matrix((w, (rows, cols)), shape=(n, n))
    dist, pred = shortest_path(matrix, method="D", directed=True, return_predecessors=True)
    dist[dist < 1e-9] = 0.0
    return dist, pred


def _canonical(key: tuple, index: Mapping) -> tuple | None:
    if len(key) < 2 or key[0] not in index or key[1] not in index:
        return None
    u, v = index[key[0]], index[key[1]]
    k = key[2] if len(key) > 2 else None
    return (min(u, v), max(u, v), k)


def _graph_edges(graph: nx.Graph, index: Mapping, weight: str, issues: ProblemCollector):
    """Fold a (multi)(di)graph into windy undirected edges ``(u, v, c_uv, c_vu)``."""
    folded: dict[tuple, list[float]] = {}
    multi = graph.is_multigraph()
    items = (
        graph.edges(keys=True, data=True)
        if multi
        else ((u, v, None, d) for u, v, d in graph.edges(data=True))
    )
    for u, v, k, data in items:
        c = data.get(weight)
        if c is None or not c >= 0:
            issues.add(
                f"edge ({u}, {v})",
                expected=f"a non-negative '{weight}'",
                found=repr(c),
                fix=f"set the '{weight}' attribute on every edge",
            )
            continue
        a, b = index[u], index[v]
        key = (min(a, b), max(a, b), k)
        costs = folded.setdefault(key, [math.inf, math.inf])
        forward = a <= b
        if graph.is_directed():
            slot = 0 if forward else 1
            costs[slot] = min(costs[slot], float(c))
        else:
            costs[0] = costs[1] = min(costs[0], float(c))
    edges: list[tuple[int, int, float, float]] = []
    edge_of: dict[tuple, int] = {}
    for (a, b, k), (c_ab, c_ba) in folded.items():
        edge_of[(a, b, k)] = len(edges)
        if not multi or (a, b, None) not in edge_of:
            edge_of.setdefault((a, b, None), len(edges))
        edges.append((a, b, c_ab, c_ba))
    if not edges:
        issues.add(
            "",
            expected="at least one edge",
            found="an empty graph",
            fix="load a network with streets",
        )
    return edges, edge_of


def require_valid_instance(instance: ArcInstance) -> None:
    """Raise if ``instance`` has nothing to route (used by solvers)."""
    if instance.n_tasks == 0:
        raise InvalidInputError(f"{instance.name or 'instance'}: no required edges to serve")
