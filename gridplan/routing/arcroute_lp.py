"""Cutting-plane LP lower bounds for CARP and the min–max k-postman.

The relaxation is the aggregated formulation of Belenguer & Benavent's cutting-plane bound:

    J. M. Belenguer and E. Benavent, "A cutting plane algorithm for the capacitated arc routing
    problem", Computers & Operations Research 30(5):705–728, 2003.

written here over *directed* deadheading variables so that windy (direction-dependent) costs are
bounded by their true values rather than by each edge's cheaper direction:

* ``d⁺_e, d⁻_e ≥ 0``: how many times, summed over all vehicles, edge e is deadheaded u→v / v→u;
  ``z⁺_t + z⁻_t = 1``: the direction task t is served in (``0 ≤ z ≤ 1``).
* objective: ``Σ c⁺_e d⁺_e + c⁻_e d⁻_e + Σ s⁺_t z⁺_t + s⁻_t z⁻_t`` — the total cost of the plan.
* flow conservation at every vertex (the union of closed walks is Eulerian as a directed
  multigraph); with symmetric costs this adds nothing and the LP is exactly Belenguer–Benavent's.
* for a vertex set S not holding the depot, with ``k(S)`` the fewest routes that can serve the
  tasks touching S and ``δ_R(S)`` the tasks crossing the cut, *capacity cuts*

      d(δ(S)) ≥ 2·k(S) − |δ_R(S)|,

  and, because every closed walk crosses a cut an even number of times, *odd edge-cutset cuts*
  ``d(δ(S)) ≥ 1`` when ``|δ_R(S)|`` is odd. Both are one row, ``d(δ(S)) ≥ max(2k(S) − |δ_R(S)|,
  |δ_R(S)| mod 2)`` (a set holding the depot is the same cut as its complement).

Separation, repeated until no violated cut is found or a round limit is reached (the bound is valid
after any number of rounds; more rounds only raise it):

* capacity and odd cuts, heuristically: the connected components, depot removed, of the required
  edges plus the edges deadheaded more than a threshold (Belenguer–Benavent's heuristic), at a few
  thresholds;
* odd cuts, exactly (Padberg–Rao): a minimum T-odd cut, T the vertices of odd required degree, is a
  fundamental cut of a Gomory–Hu tree of the deadheading values; the tree is built by Gusfield's
  method (n − 1 compiled max-flows) inside each connected component of the deadheading support.

The LP is solved by HiGHS through :func:`scipy.optimize.linprog`. With integral costs the optimum
is rounded up.

Two bounds use it:

* :func:`carp_lp_bound` — k(S) = ⌈demand of the tasks touching S / capacity⌉ (at least 1).
* :func:`minmax_lp_bound` — k vehicles, longest route L. A route that serves a task touching S
  walks from the depot to S and back, so it costs at least ``D(S) + service it gives there`` with
  ``D(S)`` the cheapest depot→S plus S→depot distance over the tasks' end vertices; hence
  ``k_L(S) = ⌈service of the tasks touching S / (L − D(S))⌉`` routes. A value L is *infeasible* if
  some k_L(S) > k or the LP's total (with those capacity cuts) exceeds ``k·L``; every L up to an
  infeasible one is infeasible too (a plan with a shorter longest route satisfies the same cuts),
  so bisection on L gives a lower bound on the longest route. The LP's total is the windy
  postman LP (directed variables, conservation, odd cuts) strengthened by the route counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from gridplan.routing.arcroute_instance import ArcInstance

#: Cutting-plane rounds per LP (each round: one HiGHS solve and one separation pass).
MAX_ROUNDS = 40
#: Bisection steps of the min–max bound on the longest route.
MAX_STEPS = 16
#: A cut is added when the LP misses it by more than this (deadheading units).
VIOLATION = 1e-4
#: Deadheading thresholds of the component heuristic (edges above join the components).
THRESHOLDS = (1e-6, 0.5, 0.999)
#: Depot-distance level sets tried as cuts (evenly spread over the distinct distances).
MAX_LEVELS = 64
#: Exact odd-cut separation only in deadheading-support components up to this many vertices.
MAX_TREE_VERTICES = 400
#: Max-flow capacities are integers: deadheading values are scaled by this.
FLOW_SCALE = 1_000_000

RoutesNeeded = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class LPBound:
    """A lower bound on the total cost from the cutting-plane LP.

    ``value`` is the bound (the LP optimum, rounded up when costs are integral; ``inf`` when the
    cuts prove no plan exists); ``complete`` is True when separation found no violated cut before
    the round limit.
    """

    value: float
    rounds: int
    cuts: int
    complete: bool


class CutLP:
    """The LP of the module docstring for one instance; the cut pool outlives single solves."""

    def __init__(self, instance: ArcInstance) -> None:
        self.instance = instance
        self.n = instance.n_vertices
        self.depot = instance.depot
        finite = np.isfinite(instance.cost_uv) | np.isfinite(instance.cost_vu)
        self.edge = np.flatnonzero(finite)  # LP edges: graph edges usable in some direction
        self.u = instance.edge_u[self.edge]
        self.v = instance.edge_v[self.edge]
        slot = np.full(instance.n_edges, -1)
        slot[self.edge] = np.arange(len(self.edge))
        self.task_slot = slot[instance.task_edge]  # LP edge of each task
        self.required = np.zeros(len(self.edge), dtype=bool)
        self.required[self.task_slot] = True
        self.task_u = instance.edge_u[instance.task_edge]
        self.task_v = instance.edge_v[instance.task_edge]
        costs = [instance.cost_uv[self.edge], instance.cost_vu[self.edge],
                 instance.service_uv, instance.service_vu]
        self.upper = np.concatenate([np.where(np.isfinite(c), np.inf, 0.0) for c in costs])
        self.cost = np.concatenate([np.where(np.isfinite(c), c, 0.0) for c in costs])
        self.integral = bool(np.all(self.cost == np.round(self.cost)))
        self._equalities()
        odd = np.zeros(self.n, dtype=np.int64)
        np.add.at(odd, self.task_u, 1)
        np.add.at(odd, self.task_v, 1)
        self.odd = odd % 2 == 1
        self.pool: dict[bytes, np.ndarray] = {}
        rest = np.ones(self.n, dtype=bool)
        rest[self.depot] = False
        self.add_cut(rest)
        for vertex in np.flatnonzero(self.odd):
            if vertex != self.depot:
                self.add_cut(np.arange(self.n) == vertex)
        for component in self._components(np.zeros(len(self.edge)), math.inf):
            self.add_cut(component)
        near = np.minimum(instance.distance[self.depot], instance.distance[:, self.depot])
        #: Level sets {v : depot distance > r}: the walls every route to far streets crosses.
        radii = np.unique(near[np.isfinite(near)])[:-1]
        if len(radii) > MAX_LEVELS:
            radii = radii[np.linspace(0, len(radii) - 1, MAX_LEVELS).round().astype(int)]
        levels = [near > r for r in radii]
        self.levels = levels + [part for level in levels for part in self._parts(level)]

    # ------------------------------------------------------------------ the LP
    def _equalities(self) -> None:
        m, r = len(self.edge), len(self.task_slot)
        cols = np.arange(2 * m + 2 * r)
        tail = np.concatenate([self.u, self.v, self.task_u, self.task_v])
        head = np.concatenate([self.v, self.u, self.task_v, self.task_u])
        rows = np.concatenate([tail, head, self.n + np.arange(r), self.n + np.arange(r)])
        data = np.concatenate([np.ones(len(cols)), -np.ones(len(cols)), np.ones(2 * r)])
        cols = np.concatenate([cols, cols, 2 * m + np.arange(r), 2 * m + r + np.arange(r)])
        self.a_eq = csr_matrix((data, (rows, cols)), shape=(self.n + r, 2 * m + 2 * r))
        self.b_eq = np.concatenate([np.zeros(self.n), np.ones(r)])

    def add_cut(self, inside: np.ndarray) -> bool:
        """Pool the cut δ(S) (S given as a vertex mask; the depot side is complemented)."""
        if inside[self.depot]:
            inside = ~inside
        if not inside.any():
            return False
        key = np.packbits(inside).tobytes()
        if key in self.pool:
            return False
        self.pool[key] = inside
        return True

    def cut_terms(self, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """(LP edges crossing S, tasks touching S, required edges crossing S)."""
        crossing = inside[self.u] != inside[self.v]
        touching = inside[self.task_u] | inside[self.task_v]
        return crossing, touching, int((crossing & self.required).sum())

    def rhs(self, inside: np.ndarray, routes: RoutesNeeded) -> float:
        _, touching, crossing_required = self.cut_terms(inside)
        need = routes(touching) if touching.any() else 0.0
        return max(2 * need - crossing_required, crossing_required % 2)

    def solve(self, routes: RoutesNeeded, *, max_rounds: int = MAX_ROUNDS) -> LPBound:
        """Cutting-plane loop: the bound on the total cost of a plan obeying ``routes``."""
        m = len(self.edge)
        value, rounds = -math.inf, 0
        for rounds in range(1, max_rounds + 1):
            sets = list(self.pool.values())
            rhs = np.array([self.rhs(s, routes) for s in sets])
            if not np.all(np.isfinite(rhs)):
                return LPBound(math.inf, rounds, len(sets), True)
            res = self._linprog(sets, rhs)
            if res is None:
                return LPBound(math.inf, rounds, len(sets), True)
            value, x = res
            dead = x[:m] + x[m:2 * m]
            if not self._separate(dead, routes):
                return LPBound(self._round(value), rounds, len(self.pool), True)
        return LPBound(self._round(value), rounds, len(self.pool), False)

    def _linprog(self, sets: list[np.ndarray], rhs: np.ndarray) -> tuple[float, np.ndarray] | None:
        m = len(self.edge)
        rows, cols = [], []
        for i, inside in enumerate(sets):
            crossing = np.flatnonzero(inside[self.u] != inside[self.v])
            rows += [np.full(2 * len(crossing), i)]
            cols += [crossing, crossing + m]
        a_ub = coo_matrix((-np.ones(sum(len(r) for r in rows)),
                           (np.concatenate(rows), np.concatenate(cols))),
                          shape=(len(sets), len(self.cost))).tocsr()
        res = linprog(self.cost, A_ub=a_ub, b_ub=-rhs, A_eq=self.a_eq, b_eq=self.b_eq,
                      bounds=np.column_stack([np.zeros(len(self.cost)), self.upper]),
                      method="highs")
        if res.status == 2:  # infeasible: the cuts admit no plan
            return None
        if res.status != 0:
            raise RuntimeError(f"HiGHS failed on the cutting-plane LP: {res.message}")
        return float(res.fun), res.x

    def _round(self, value: float) -> float:
        """The LP optimum less solver tolerance, rounded up when every cost is an integer."""
        safe = value - 1e-7 * max(1.0, abs(value))
        return float(math.ceil(safe)) if self.integral else safe

    # ------------------------------------------------------------------ separation
    def _separate(self, dead: np.ndarray, routes: RoutesNeeded) -> bool:
        """Pool every violated cut the heuristics find; exact odd cuts if they find none."""
        found = False
        for threshold in THRESHOLDS:
            for inside in self._components(dead, threshold):
                found |= self._add_if_violated(inside, dead, routes)
        for inside in self.levels:
            found |= self._add_if_violated(inside, dead, routes)
        for inside in self._support_components(dead):
            if self.odd[inside].sum() % 2:
                found |= self._add_if_violated(inside, dead, routes)
        if not found:
            for inside in self._odd_cuts(dead):
                found |= self._add_if_violated(inside, dead, routes)
        return found

    def _add_if_violated(self, inside: np.ndarray, dead: np.ndarray,
                         routes: RoutesNeeded) -> bool:
        if inside[self.depot]:
            inside = ~inside
        crossing, _, _ = self.cut_terms(inside)
        if dead[crossing].sum() < self.rhs(inside, routes) - VIOLATION:
            return self.add_cut(inside)
        return False

    def _components(self, dead: np.ndarray, threshold: float) -> list[np.ndarray]:
        """Components, depot removed, of the required edges plus edges deadheaded > threshold."""
        keep = (self.required | (dead > threshold)) & (self.u != self.depot) & (
            self.v != self.depot)
        return self._labelled(keep)

    def _parts(self, inside: np.ndarray) -> list[np.ndarray]:
        """The connected pieces of S (when more than one) that hold a task."""
        keep = inside[self.u] & inside[self.v]
        pieces = [p & inside for p in self._labelled(keep, with_depot=True)]
        pieces = [p for p in pieces if p.any() and (p[self.task_u] | p[self.task_v]).any()]
        return pieces if len(pieces) > 1 else []

    def _support_components(self, dead: np.ndarray) -> list[np.ndarray]:
        return self._labelled(dead > 1e-6, with_depot=True)

    def _labelled(self, keep: np.ndarray, *, with_depot: bool = False) -> list[np.ndarray]:
        graph = csr_matrix((np.ones(int(keep.sum())), (self.u[keep], self.v[keep])),
                           shape=(self.n, self.n))
        count, label = connected_components(graph, directed=False)
        out = []
        for c in range(count):
            inside = label == c
            if (with_depot or not inside[self.depot]) and inside.sum() < self.n:
                out.append(inside)
        return out

    def _odd_cuts(self, dead: np.ndarray) -> list[np.ndarray]:
        """Padberg–Rao: T-odd fundamental cuts of weight < 1 of each support component's tree."""
        support = dead > 1e-6
        out = []
        for inside in self._labelled(support, with_depot=True):
            if self.odd[inside].sum() < 2 or inside.sum() > MAX_TREE_VERTICES:
                continue
            vertices = np.flatnonzero(inside)
            local = np.full(self.n, -1)
            local[vertices] = np.arange(len(vertices))
            keep = support & inside[self.u]
            parent, weight = gomory_hu(len(vertices), local[self.u[keep]], local[self.v[keep]],
                                       dead[keep])
            for side in _light_odd_sides(parent, weight, self.odd[vertices]):
                mask = np.zeros(self.n, dtype=bool)
                mask[vertices[side]] = True
                out.append(mask)
        return out


def gomory_hu(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gomory–Hu cut tree of an undirected graph (Gusfield's method): ``parent``, ``weight``.

    Vertex ``i > 0`` hangs under ``parent[i]`` and the tree edge's fundamental cut (the subtree of
    i) is a minimum i–parent cut of value ``weight[i]``.
    """
    cap = np.minimum(np.round(w * FLOW_SCALE), 2**30).astype(np.int32)
    graph = csr_matrix((np.concatenate([cap, cap]), (np.concatenate([u, v]),
                                                     np.concatenate([v, u]))), shape=(n, n))
    graph.sum_duplicates()
    parent = np.zeros(n, dtype=np.int64)
    weight = np.zeros(n)
    for s in range(1, n):
        t = int(parent[s])
        flow = maximum_flow(graph, s, t)
        residual = graph - flow.flow
        residual.data[residual.data < 0] = 0
        residual.eliminate_zeros()
        side = np.zeros(n, dtype=bool)
        side[breadth_first_order(residual, s, directed=True, return_predecessors=False)] = True
        weight[s] = flow.flow_value / FLOW_SCALE
        moved = side & (parent == t)
        moved[s] = False
        parent[moved] = s
        if side[parent[t]]:
            parent[s], parent[t] = parent[t], s
            weight[s], weight[t] = weight[t], weight[s]
    return parent, weight


def _light_odd_sides(parent: np.ndarray, weight: np.ndarray, odd: np.ndarray) -> list[np.ndarray]:
    """Subtrees (as local index arrays) with an odd count of ``odd`` vertices and weight < 1."""
    n = len(parent)
    children: list[list[int]] = [[] for _ in range(n)]
    for i in range(1, n):
        children[int(parent[i])].append(i)
    order, stack = [], [0]
    while stack:
        i = stack.pop()
        order.append(i)
        stack += children[i]
    count = odd.astype(np.int64)
    for i in reversed(order[1:]):
        count[parent[i]] += count[i]
    out = []
    for i in range(1, n):
        if count[i] % 2 and weight[i] < 1 - VIOLATION:
            members, stack = [], [i]
            while stack:
                j = stack.pop()
                members.append(j)
                stack += children[j]
            out.append(np.asarray(members))
    return out


# ---------------------------------------------------------------------------------- bounds
def carp_lp_bound(instance: ArcInstance, *, max_rounds: int = MAX_ROUNDS) -> LPBound:
    """Belenguer–Benavent's bound on the total cost of a capacity-feasible plan."""
    model = CutLP(instance)
    if instance.capacity is None:
        return model.solve(lambda touching: 1.0, max_rounds=max_rounds)
    demand, capacity = instance.demand, instance.capacity
    return model.solve(lambda touching: max(1.0, math.ceil(
        float(demand[touching].sum()) / capacity - 1e-9)), max_rounds=max_rounds)


def minmax_lp_bound(instance: ArcInstance, k: int, start: float, *,
                    max_rounds: int = MAX_ROUNDS, max_steps: int = MAX_STEPS) -> float:
    """Bound on the longest of k routes by bisection on L (module docstring), from ``start``.

    ``start`` must itself be a valid bound (e.g. the farthest task round trip); the result is
    never below it.
    """
    model = CutLP(instance)
    reach_out, reach_in = _depot_reach(instance)
    service = np.minimum(instance.service_uv, instance.service_vu)

    def total_if(longest: float) -> float:
        """A bound on the total cost of plans whose longest route is ≤ ``longest``."""
        def routes(touching: np.ndarray) -> float:
            room = longest - float(reach_out[touching].min() + reach_in[touching].min())
            work = float(service[touching].sum())
            need = math.ceil(work / room - 1e-9) if room > 0 else (math.inf if work > 0 else 1)
            return math.inf if need > k else max(1.0, need)
        return model.solve(routes, max_rounds=max_rounds).value

    def infeasible(longest: float) -> bool:
        return total_if(longest) > k * longest + 1e-6 * max(1.0, longest)

    return _least_feasible(infeasible, start, integral=model.integral, max_steps=max_steps)


def _least_feasible(infeasible: Callable[[float], bool], start: float, *, integral: bool,
                    max_steps: int) -> float:
    """The largest value proven below the optimum by galloping then bisecting on L.

    Every L with ``infeasible(L)`` proves the longest route exceeds L (≥ L + 1 with integral
    costs); the answer is the largest such proof, never below ``start``.
    """
    unit = 1.0 if integral else 1e-4 * max(1.0, start)
    low = float(math.ceil(start - 1e-9)) if integral else start  # proven: longest ≥ low
    step, high, steps = max(unit, 0.05 * low), math.inf, 0
    while steps < max_steps and high - low > unit / 2:
        probe = low + step if math.isinf(high) else low + (high - low) / 2
        if integral:
            probe = float(math.floor(probe)) if probe > low else low
        steps += 1
        if infeasible(probe):
            low = probe + unit if integral else probe
            step *= 2
        else:
            high = probe
    return max(start, low)


def _depot_reach(instance: ArcInstance) -> tuple[np.ndarray, np.ndarray]:
    """Per task: the cheapest deadheading depot→(an end) and (an end)→depot.

    A route serving tasks touching S costs at least min(out) + min(in) over those tasks besides
    their service. Zero when some service is cheaper than traversing the same edge (a route could
    then approach S for less than the distance, so the distance is no bound).
    """
    d, depot = instance.distance, instance.depot
    e = instance.task_edge
    if np.any(instance.service_uv < instance.cost_uv[e]) or np.any(
            instance.service_vu < instance.cost_vu[e]):
        return np.zeros(instance.n_tasks), np.zeros(instance.n_tasks)
    u, v = instance.edge_u[e], instance.edge_v[e]
    return np.minimum(d[depot, u], d[depot, v]), np.minimum(d[u, depot], d[v, depot])
