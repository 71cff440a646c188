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
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components, maximum_flow

from gridplan.routing.arcroute_instance import ArcInstance

#: Cutting-plane rounds per LP (each round: one HiGHS solve and one separation pass).
MAX_ROUNDS = 40
#: Bisection steps of the min–max bound on the longest route.
MAX_STEPS = 12
#: LP solves one min–max bound may spend (over all bisection steps and their rounds).
MAX_SOLVES = 30
#: A cut is added when the LP misses it by more than this (deadheading units).
VIOLATION = 1e-4
#: Deadheading thresholds of the component heuristic (edges above join the components).
THRESHOLDS = (1e-6, 0.5, 0.999)
#: Depot-distance level sets tried as cuts (evenly spread over the distinct distances).
MAX_LEVELS = 400
#: Exact odd-cut separation only in deadheading-support components up to this many vertices.
MAX_TREE_VERTICES = 200
#: Max-flow capacities are integers: deadheading values are scaled by this.
FLOW_SCALE = 1_000_000

#: ``routes(work, demand, reach)`` → the fewest routes (``inf``: none can) serving the tasks
#: touching each set, from their total service, total demand and depot reach (arrays per set).
RoutesNeeded = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


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


@dataclass(frozen=True)
class _Sets:
    """Vertex sets S (none holding the depot) with what their cut rows need."""

    masks: np.ndarray  # sets × vertices
    crossing: csr_matrix  # sets × LP edges: 1 where the edge crosses δ(S)
    crossing_required: np.ndarray  # |δ_R(S)|
    work: np.ndarray  # service of the tasks touching S
    demand: np.ndarray  # their demand
    reach: np.ndarray  # cheapest depot→S plus S→depot over their end vertices
    touched: np.ndarray  # some task touches S

    def rhs(self, routes: RoutesNeeded) -> np.ndarray:
        need = np.where(self.touched, routes(self.work, self.demand, self.reach), 0.0)
        odd = self.crossing_required % 2
        with np.errstate(invalid="ignore"):
            return np.maximum(2 * need - self.crossing_required, odd)


class CutLP:
    """The LP of the module docstring for one instance; the cut pool outlives single solves."""

    def __init__(self, instance: ArcInstance) -> None:
        self.n = instance.n_vertices
        self.depot = instance.depot
        finite = np.isfinite(instance.cost_uv) | np.isfinite(instance.cost_vu)
        self.edge = np.flatnonzero(finite)  # LP edges: graph edges usable in some direction
        self.u = instance.edge_u[self.edge]
        self.v = instance.edge_v[self.edge]
        slot = np.full(instance.n_edges, -1)
        slot[self.edge] = np.arange(len(self.edge))
        self.required = np.zeros(len(self.edge), dtype=bool)
        self.required[slot[instance.task_edge]] = True
        self.task_u = instance.edge_u[instance.task_edge]
        self.task_v = instance.edge_v[instance.task_edge]
        self.service = np.minimum(instance.service_uv, instance.service_vu)
        self.demand = instance.demand
        self.reach_out, self.reach_in = _depot_reach(instance)
        costs = [instance.cost_uv[self.edge], instance.cost_vu[self.edge],
                 instance.service_uv, instance.service_vu]
        self.upper = np.concatenate([np.where(np.isfinite(c), np.inf, 0.0) for c in costs])
        self.cost = np.concatenate([np.where(np.isfinite(c), c, 0.0) for c in costs])
        self.integral = bool(np.all(self.cost == np.round(self.cost)))
        self._equalities(slot[instance.task_edge])
        odd = np.zeros(self.n, dtype=np.int64)
        np.add.at(odd, self.task_u, 1)
        np.add.at(odd, self.task_v, 1)
        self.odd = odd % 2 == 1
        self.keys: set[bytes] = set()
        self.solves = 0  # HiGHS calls so far (the work measure of the bounds' budgets)
        self.pool = self._sets(np.zeros((0, self.n), dtype=bool))
        first = [np.arange(self.n) != self.depot]
        first += [np.arange(self.n) == v for v in np.flatnonzero(self.odd) if v != self.depot]
        first += self._components(np.zeros(len(self.edge)), math.inf)
        self._pool_add(np.array(first))
        near = np.minimum(instance.distance[self.depot], instance.distance[:, self.depot])
        #: Level sets {v : depot distance > r}, and their connected pieces: the walls every
        #: route to far streets crosses.
        radii = np.unique(near[np.isfinite(near)])[:-1]
        if len(radii) > MAX_LEVELS:
            radii = radii[np.linspace(0, len(radii) - 1, MAX_LEVELS).round().astype(int)]
        levels = [near > r for r in radii]
        levels += [part for level in levels for part in self._parts(level)]
        self.levels = self._sets(np.array(levels).reshape(-1, self.n))

    # ------------------------------------------------------------------ sets and the pool
    def _sets(self, masks: np.ndarray) -> _Sets:
        masks = np.where(masks[:, [self.depot]], ~masks, masks)
        crossing = masks[:, self.u] != masks[:, self.v]
        touching = masks[:, self.task_u] | masks[:, self.task_v]
        far = np.inf
        reach = (np.where(touching, self.reach_out, far).min(axis=1, initial=far)
                 + np.where(touching, self.reach_in, far).min(axis=1, initial=far))
        return _Sets(masks, csr_matrix(crossing, dtype=float),
                     (crossing & self.required).sum(axis=1), touching @ self.service,
                     touching @ self.demand, reach, touching.any(axis=1))

    def _pool_add(self, masks: np.ndarray) -> int:
        """Pool the new, non-empty sets among ``masks``; how many were new."""
        masks = np.where(masks[:, [self.depot]], ~masks, masks)
        fresh = []
        for mask in masks:
            key = np.packbits(mask).tobytes()
            if mask.any() and key not in self.keys:
                self.keys.add(key)
                fresh.append(mask)
        if fresh:
            self.pool = self._sets(np.vstack([self.pool.masks, np.array(fresh)]))
        return len(fresh)

    @property
    def n_cuts(self) -> int:
        return len(self.pool.masks)

    # ------------------------------------------------------------------ the LP
    def _equalities(self, task_slot: np.ndarray) -> None:
        m, r = len(self.edge), len(task_slot)
        cols = np.arange(2 * m + 2 * r)
        tail = np.concatenate([self.u, self.v, self.task_u, self.task_v])
        head = np.concatenate([self.v, self.u, self.task_v, self.task_u])
        rows = np.concatenate([tail, head, self.n + np.arange(r), self.n + np.arange(r)])
        data = np.concatenate([np.ones(len(cols)), -np.ones(len(cols)), np.ones(2 * r)])
        cols = np.concatenate([cols, cols, 2 * m + np.arange(r), 2 * m + r + np.arange(r)])
        self.a_eq = csr_matrix((data, (rows, cols)), shape=(self.n + r, 2 * m + 2 * r))
        self.b_eq = np.concatenate([np.zeros(self.n), np.ones(r)])

    def solve(self, routes: RoutesNeeded, *, max_rounds: int = MAX_ROUNDS,
              enough: float = math.inf) -> LPBound:
        """Cutting-plane loop: the bound on the total cost of a plan obeying ``routes``.

        Every round's LP value is itself a valid bound, so the loop stops early once it exceeds
        ``enough`` (the caller only needs to know that).
        """
        m = len(self.edge)
        value, rounds = -math.inf, 0
        for rounds in range(1, max_rounds + 1):
            rhs = self.pool.rhs(routes)
            if not np.all(np.isfinite(rhs)) or not np.all(
                    np.isfinite(self.levels.rhs(routes))):
                return LPBound(math.inf, rounds, self.n_cuts, True)
            res = self._linprog(rhs)
            if res is None:
                return LPBound(math.inf, rounds, self.n_cuts, True)
            value, x = res
            if self._round(value) > enough:  # proven enough: the rest of the rounds can wait
                return LPBound(self._round(value), rounds, self.n_cuts, False)
            if not self._separate(x[:m] + x[m:2 * m], routes):
                return LPBound(self._round(value), rounds, self.n_cuts, True)
        return LPBound(self._round(value), rounds, self.n_cuts, False)

    def _linprog(self, rhs: np.ndarray) -> tuple[float, np.ndarray] | None:
        both = self.pool.crossing
        a_ub = hstack([-both, -both, csr_matrix((both.shape[0], 2 * len(self.service)))],
                      format="csr")
        self.solves += 1
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
        found = self._pool_violated(self.levels, dead, routes)
        candidates = [c for threshold in THRESHOLDS for c in self._components(dead, threshold)]
        candidates += [c for c in self._support_components(dead) if self.odd[c].sum() % 2]
        if candidates:
            found += self._pool_violated(self._sets(np.array(candidates)), dead, routes)
        if not found:
            odd = self._odd_cuts(dead)
            if odd:
                found += self._pool_violated(self._sets(np.array(odd)), dead, routes)
        return found > 0

    def _pool_violated(self, sets: _Sets, dead: np.ndarray, routes: RoutesNeeded) -> int:
        violated = sets.crossing @ dead < sets.rhs(routes) - VIOLATION
        return self._pool_add(sets.masks[violated]) if violated.any() else 0

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
        sizes = np.bincount(label, minlength=count)
        wanted = sizes < self.n
        if not with_depot:
            wanted[label[self.depot]] = False
        return [label == c for c in np.flatnonzero(wanted)]

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
    capacity = graph.toarray().astype(np.int64)
    parent = np.zeros(n, dtype=np.int64)
    weight = np.zeros(n)
    for s in range(1, n):
        t = int(parent[s])
        flow = maximum_flow(graph, s, t)
        side = _reachable(capacity - flow.flow.toarray(), s)
        weight[s] = flow.flow_value / FLOW_SCALE
        moved = side & (parent == t)
        moved[s] = False
        parent[moved] = s
        if side[parent[t]]:
            parent[s], parent[t] = parent[t], s
            weight[s], weight[t] = weight[t], weight[s]
    return parent, weight


def _reachable(residual: np.ndarray, source: int) -> np.ndarray:
    """Vertices reachable from ``source`` along positive residual capacity (level by level)."""
    seen = np.zeros(len(residual), dtype=bool)
    seen[source] = True
    frontier = np.array([source])
    while len(frontier):
        new = (residual[frontier] > 0).any(axis=0) & ~seen
        seen |= new
        frontier = np.flatnonzero(new)
    return seen


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
def cut_lp(instance: ArcInstance) -> CutLP:
    """The instance's LP, built once: every bound on the instance shares its cut pool."""
    if "cut_lp" not in instance._arc_cache:
        instance._arc_cache["cut_lp"] = CutLP(instance)
    return instance._arc_cache["cut_lp"]


def carp_lp_bound(instance: ArcInstance, *, max_rounds: int = MAX_ROUNDS) -> LPBound:
    """Belenguer–Benavent's bound on the total cost of a capacity-feasible plan."""
    capacity = instance.capacity

    def routes(work: np.ndarray, demand: np.ndarray, reach: np.ndarray) -> np.ndarray:
        if capacity is None:
            return np.ones(len(work))
        return np.maximum(1.0, np.ceil(demand / capacity - 1e-9))

    return cut_lp(instance).solve(routes, max_rounds=max_rounds)


def minmax_lp_bound(instance: ArcInstance, k: int, start: float, *,
                    max_rounds: int = MAX_ROUNDS, max_steps: int = MAX_STEPS,
                    max_solves: int = MAX_SOLVES) -> float:
    """Bound on the longest of k routes by bisection on L (module docstring), from ``start``.

    ``start`` must itself be a valid bound (e.g. the farthest task round trip); the result is
    never below it. At most ``max_solves`` LP solves in all (a deterministic work limit: the
    bisection stops where the budget runs out, its bound still proven).
    """
    model = cut_lp(instance)
    budget = model.solves + max_solves  # LP solves, summed over the rounds of every probe

    def total_if(longest: float, enough: float = math.inf) -> float:
        """A bound on the total cost of plans whose longest route is ≤ ``longest``."""
        def routes(work: np.ndarray, demand: np.ndarray, reach: np.ndarray) -> np.ndarray:
            room = longest - reach
            fits = room > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                need = np.where(fits, np.ceil(work / np.where(fits, room, 1.0) - 1e-9),
                                np.where(work > 0, np.inf, 1.0))
            need = np.maximum(1.0, need)
            return np.where(need > k, np.inf, need)
        rounds = min(max_rounds, budget - model.solves)
        return model.solve(routes, max_rounds=rounds, enough=enough).value if rounds > 0 \
            else -math.inf

    return _least_feasible(total_if, k, start, integral=model.integral, max_steps=max_steps)


def _least_feasible(total_if: Callable[..., float], k: int, start: float, *, integral: bool,
                    max_steps: int) -> float:
    """The largest L proven below the longest route, by bisection from ``start``.

    L is proven infeasible when the total bound for plans with longest ≤ L exceeds k·L: then the
    longest route exceeds L (is ≥ L + 1 with integral costs). Each probe's cutting-plane loop
    stops as soon as its LP value proves L infeasible.
    """
    unit = 1.0 if integral else 1e-3 * max(1.0, start)
    low = float(math.ceil(start - 1e-9)) if integral else start  # proven: longest ≥ low

    def infeasible(longest: float) -> bool:
        target = k * longest + 1e-6 * max(1.0, longest)
        return total_if(longest, enough=target) > target

    if not infeasible(low):
        return max(start, low)
    high = math.inf  # gallop up, then bisect
    low = low + unit if integral else low
    step = max(unit, 0.05 * low)
    for _ in range(max_steps):
        if high - low < unit:
            break
        probe = low + step if math.isinf(high) else low + (high - low) / 2
        probe = float(math.floor(probe)) if integral else probe
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
