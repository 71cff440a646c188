"""Local search on arc routes (the "education" step of the genetic search), compiled.

A route is a sequence of tasks; every task's serving direction is chosen optimally inside its route
by the two-state dynamic programme of :mod:`gridplan.routing.arcroute_split` (Vidal 2017's
"orientation choice"). Each route keeps, per position, the DP values (and end vertices) of its
prefix, its suffix, its reversed head and its reversed tail, with the depot as the empty piece, so
a move that keeps route pieces and inserts at most two tasks is priced in O(1) by joining a prefix
state to a suffix (four direction pairs). Moves inside one route are priced over the changed
stretch only, and abandoned as soon as that stretch's partial cost plus the untouched suffix's cost
reaches the route's (costs only grow along a route, so this prunes nothing improving). An accepted
move between routes is built from a short list of *pieces* (:data:`PRE` … :data:`RHEAD`) per
touched route.

Moves between each task u and its closest tasks v (a granular neighbourhood), first improvement:

* relocate u (or u with its successor x, in either order) after or before v;
* swap u with v, (u, x) with v, (u, x) with (v, y);
* 2-opt* between two routes (exchange tails; and head with reversed head);
* inside a route: relocate, swap, and 2-opt (reverse a segment);
* move u to an empty route.

Two objectives: ``total`` (sum of route costs, plus a fixed cost per non-empty route, plus
``penalty`` × capacity excess) and ``minmax`` (a move must lower the longer of the two routes it
touches, or keep it and lower their sum — the sorted vector of route costs decreases
lexicographically, so the search ends).

Randomness (the order tasks are examined in) comes from the ``seed`` argument only.
"""

from __future__ import annotations

import numpy as np

from gridplan.routing.arcroute_instance import ArcInstance
from gridplan.routing.arcroute_jit import jit
from gridplan.routing.arcroute_split import close, extend

# The pieces of a new route: rows (kind, route or task, a) of an int array [6, 3]. Kinds:
PRE = 0  # the first a tasks of route
TASK = 1  # one task
SUF = 2  # tasks a..end of route
RTAIL = 3  # tasks end..a of route, reversed
RHEAD = 4  # the first a tasks of route, reversed
END = -1
EPS = 1e-7
MINMAX = 1


def task_neighbours(instance: ArcInstance, size: int) -> np.ndarray:
    """For each task, the ``size`` tasks whose end points are closest to its end points."""
    start, end, _ = instance.arcs()
    m = instance.n_tasks
    size = max(0, min(size, m - 1))
    if size == 0:
        return np.zeros((m, 0), dtype=np.int64)
    d = instance.distance
    ends = np.asarray([[start[2 * t], end[2 * t]] for t in range(m)], dtype=np.int64)
    gap = np.full((m, m), np.inf)
    for x in range(2):
        for y in range(2):
            block = d[np.ix_(ends[:, x], ends[:, y])]
            gap = np.minimum(gap, np.minimum(block, block.T))
    np.fill_diagonal(gap, np.inf)
    order = np.argsort(gap, axis=1, kind="stable")[:, :size]
    return np.ascontiguousarray(order, dtype=np.int64)


class Search:
    """Route arrays of one solve; ``run`` improves a set of routes (task sequences)."""

    def __init__(self, instance: ArcInstance, neighbours: np.ndarray, *, minmax: bool,
                 use_capacity: bool, route_fixed_cost: float = 0.0) -> None:
        from gridplan.routing.arcroute_split import ArcArrays

        self.a = ArcArrays.of(instance)
        self.neighbours = neighbours
        self.objective = MINMAX if minmax else 0
        self.capacity = self.a.capacity if use_capacity else np.inf
        self.fixed_cost = float(route_fixed_cost)
        self.m = instance.n_tasks

    def run(self, routes: list[np.ndarray], *, penalty: float, seed: int,
            spare_empty: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Improved routes (task sequences; empty ones dropped unless min–max), their costs
        (without fixed cost or penalty) and loads."""
        n_routes = len(routes) + spare_empty
        seq = np.full((n_routes, self.m + 2), -1, dtype=np.int64)
        length = np.zeros(n_routes, dtype=np.int64)
        for r, route in enumerate(routes):
            seq[r, : len(route)] = route
            length[r] = len(route)
        a = self.a
        cost, load = local_search(a.dist, a.start, a.end, a.cost, a.demand, a.depot,
                                  self.capacity, self.neighbours, seq, length, float(penalty),
                                  self.fixed_cost, self.objective, int(seed))
        keep = [r for r in range(n_routes) if length[r] or self.objective == MINMAX]
        return ([seq[r, : length[r]].copy() for r in keep], cost[keep] - np.where(
            length[keep] > 0, self.fixed_cost, 0.0), load[keep])


# ------------------------------------------------------------------ route arrays
# F[r, k, :] (float) and V[r, k, :] (int) per route r and index k = 0..length:
#   0-1 prefix: cheapest cost of the first k tasks ending in direction 0 / 1; V: end vertex
#   2-3 suffix: cost of tasks k..end from the start of task k in direction 0 / 1; V: that start
#   4-5 reversed head (as a suffix): tasks k-1..0 then the depot; V: start vertex
#   6-7 reversed tail (as a prefix): from the depot through tasks end..k; V: end vertex
# The empty piece is the depot at cost 0, so joins need no special case. Q[r, k]: load of the
# first k tasks.
@jit
def _refresh(dist, start, end, cost, demand, depot, seq, length, r, F, V, Q):
    """Recompute route r's arrays; returns its cost."""
    n = length[r]
    f0 = 0.0
    f1 = 0.0
    e0 = depot
    e1 = depot
    for c in range(8):
        F[r, 0, c] = 0.0
        V[r, 0, c] = depot
        F[r, n, c] = 0.0
        V[r, n, c] = depot
    Q[r, 0] = 0.0
    for k in range(n):
        t = seq[r, k]
        f0, f1, e0, e1 = extend(dist, start, end, cost, f0, f1, e0, e1, t)
        F[r, k + 1, 0] = f0
        F[r, k + 1, 1] = f1
        V[r, k + 1, 0] = e0
        V[r, k + 1, 1] = e1
        Q[r, k + 1] = Q[r, k] + demand[t]
    total = close(dist, depot, f0, f1, e0, e1) if n else 0.0
    for k in range(n - 1, -1, -1):
        t = seq[r, k]
        for d in range(2):
            a = 2 * t + d
            F[r, k, 2 + d] = cost[a] + min(dist[end[a], V[r, k + 1, 2]] + F[r, k + 1, 2],
                                           dist[end[a], V[r, k + 1, 3]] + F[r, k + 1, 3])
            V[r, k, 2 + d] = start[a]
    for k in range(1, n + 1):
        t = seq[r, k - 1]
        for d in range(2):
            a = 2 * t + d
            F[r, k, 4 + d] = cost[a] + min(dist[end[a], V[r, k - 1, 4]] + F[r, k - 1, 4],
                                           dist[end[a], V[r, k - 1, 5]] + F[r, k - 1, 5])
            V[r, k, 4 + d] = start[a]
    f0 = 0.0
    f1 = 0.0
    e0 = depot
    e1 = depot
    for k in range(n - 1, -1, -1):
        f0, f1, e0, e1 = extend(dist, start, end, cost, f0, f1, e0, e1, seq[r, k])
        F[r, k, 6] = f0
        F[r, k, 7] = f1
        V[r, k, 6] = e0
        V[r, k, 7] = e1
    return total


@jit
def _join(dist, f0, f1, e0, e1, s0, s1, x0, x1):
    """A prefix state followed by a suffix (costs s0 / s1 from start vertices x0 / x1)."""
    return min(min(f0 + dist[e0, x0], f1 + dist[e1, x0]) + s0,
               min(f0 + dist[e0, x1], f1 + dist[e1, x1]) + s1)


@jit
def _value(c, load, count, capacity, penalty, fixed_cost):
    """(route cost with its fixed cost, capacity penalty) of a priced route."""
    if count == 0:
        return 0.0, 0.0
    over = load - capacity
    return c + fixed_cost, (penalty * over if over > 0 else 0.0)


@jit
def _better(objective, va, xa, vb, xb, old_r, old_s, old_pen):
    """Are the two new routes (values va, vb; penalties xa, xb) better than the old pair?"""
    if objective == MINMAX:
        new_max = max(va, vb)
        old_max = max(old_r, old_s)
        if new_max < old_max - EPS:
            return True
        return new_max <= old_max + EPS and va + vb < old_r + old_s - EPS
    return va + xa + vb + xb < old_r + old_s + old_pen - EPS


@jit
def _build(seq, length, pc, out):
    """Write the route described by pieces ``pc`` into ``out``; returns its length."""
    n = 0
    for p in range(pc.shape[0]):
        kind = pc[p, 0]
        r = pc[p, 1]
        a = pc[p, 2]
        if kind == END:
            break
        if kind == PRE:
            for k in range(a):
                out[n] = seq[r, k]
                n += 1
        elif kind == TASK:
            out[n] = r
            n += 1
        elif kind == SUF:
            for k in range(a, length[r]):
                out[n] = seq[r, k]
                n += 1
        elif kind == RTAIL:
            for k in range(length[r] - 1, a - 1, -1):
                out[n] = seq[r, k]
                n += 1
        else:  # RHEAD
            for k in range(a - 1, -1, -1):
                out[n] = seq[r, k]
                n += 1
    return n


@jit
def _pieces(pc, k0, r0, a0, k1, r1, a1, k2, r2, a2, k3, r3, a3):
    pc[0, 0] = k0
    pc[0, 1] = r0
    pc[0, 2] = a0
    pc[1, 0] = k1
    pc[1, 1] = r1
    pc[1, 2] = a1
    pc[2, 0] = k2
    pc[2, 1] = r2
    pc[2, 2] = a2
    pc[3, 0] = k3
    pc[3, 1] = r3
    pc[3, 2] = a3
    pc[4, 0] = END


# ------------------------------------------------------------------ the search
@jit
def local_search(dist, start, end, cost, demand, depot, capacity, neighbours, seq, length,
                 penalty, fixed_cost, objective, seed):
    """Improve the routes in ``seq``/``length`` in place; returns per-route (cost + fixed cost,
    load)."""
    state = seed % 2147483646 + 1
    n_routes, width = seq.shape
    m = len(demand)
    F = np.zeros((n_routes, width + 1, 8))
    V = np.zeros((n_routes, width + 1, 8), dtype=np.int64)
    Q = np.zeros((n_routes, width + 1))
    rc = np.zeros(n_routes)  # route cost including the fixed cost
    route_of = np.full(m, -1, dtype=np.int64)
    pos_of = np.zeros(m, dtype=np.int64)
    for r in range(n_routes):
        c = _refresh(dist, start, end, cost, demand, depot, seq, length, r, F, V, Q)
        rc[r] = c + fixed_cost if length[r] else 0.0
        for k in range(length[r]):
            route_of[seq[r, k]] = r
            pos_of[seq[r, k]] = k
    modified = np.ones(n_routes, dtype=np.int64)
    tested = np.zeros(m, dtype=np.int64)
    clock = 1
    pa = np.full((6, 3), END, dtype=np.int64)
    pb = np.full((6, 3), END, dtype=np.int64)
    buf = np.zeros(width, dtype=np.int64)
    buf_b = np.zeros(width, dtype=np.int64)
    order = np.arange(m)
    improved = True
    rounds = 0
    while improved and rounds < 1000:
        improved = False
        rounds += 1
        state = _shuffle(order, state)
        for idx in range(m):
            u = order[idx]
            if route_of[u] < 0:
                continue
            last = tested[u]
            tested[u] = clock
            fresh_u = modified[route_of[u]] > last
            r = route_of[u]
            s = _improve_task(dist, start, end, cost, demand, depot, capacity, neighbours, seq,
                              length, F, V, Q, rc, route_of, pos_of, modified, u, last, fresh_u,
                              penalty, fixed_cost, objective, pa, pb, buf)
            if s == NONE:
                continue
            improved = True
            clock += 1
            if s == SAME:  # the new route r is in buf
                n = length[r] if r >= 0 else 0
                seq[r, :n] = buf[:n]
                s = r
            else:
                na = _build(seq, length, pa, buf)
                nb = _build(seq, length, pb, buf_b)
                seq[r, :na] = buf[:na]
                length[r] = na
                seq[s, :nb] = buf_b[:nb]
                length[s] = nb
            for x in (r, s):
                c = _refresh(dist, start, end, cost, demand, depot, seq, length, x, F, V, Q)
                rc[x] = c + fixed_cost if length[x] else 0.0
                modified[x] = clock
                for k in range(length[x]):
                    route_of[seq[x, k]] = x
                    pos_of[seq[x, k]] = k
    load = np.zeros(n_routes)
    for r in range(n_routes):
        load[r] = Q[r, length[r]]
    return rc, load


@jit
def _shuffle(values, state):
    """Fisher–Yates driven by the Park–Miller generator (exact in 64-bit integers): the same
    order compiled or not, and no global random state touched."""
    for i in range(len(values) - 1, 0, -1):
        state = state * 48271 % 2147483647
        j = state % (i + 1)
        values[i], values[j] = values[j], values[i]
    return state


NONE = -1  # no improving move for this task
SAME = -2  # an improving move inside the task's own route (new sequence in buf)


@jit
def _improve_task(dist, start, end, cost, demand, depot, capacity, neighbours, seq, length, F,
                  V, Q, rc, route_of, pos_of, modified, u, last, fresh_u, penalty, fixed_cost,
                  objective, pa, pb, buf):
    """First improving move for task u; returns the other route touched (pieces in pa / pb),
    SAME (new route in buf) or NONE."""
    r = route_of[u]
    i = pos_of[u]
    lr = length[r]
    qr = Q[r, lr]
    du = demand[u]
    over_r = qr - capacity
    pen_r = penalty * over_r if over_r > 0 else 0.0
    # route r without u, and without u and its successor x: the same for every neighbour v
    c1 = _join(dist, F[r, i, 0], F[r, i, 1], V[r, i, 0], V[r, i, 1], F[r, i + 1, 2],
               F[r, i + 1, 3], V[r, i + 1, 2], V[r, i + 1, 3])
    v1, x1 = _value(c1, qr - du, lr - 1, capacity, penalty, fixed_cost)
    saves1 = v1 < rc[r] - EPS if objective == MINMAX else v1 + x1 < rc[r] + pen_r - EPS
    has_x = i + 1 < lr
    x = seq[r, i + 1] if has_x else -1
    v2 = 0.0
    x2 = 0.0
    saves2 = False
    if has_x:
        dx = demand[x]
        c2 = _join(dist, F[r, i, 0], F[r, i, 1], V[r, i, 0], V[r, i, 1], F[r, i + 2, 2],
                   F[r, i + 2, 3], V[r, i + 2, 2], V[r, i + 2, 3])
        v2, x2 = _value(c2, qr - du - dx, lr - 2, capacity, penalty, fixed_cost)
        saves2 = v2 < rc[r] - EPS if objective == MINMAX else v2 + x2 < rc[r] + pen_r - EPS
    else:
        dx = 0.0
    for nb in range(neighbours.shape[1]):
        v = neighbours[u, nb]
        s = route_of[v]
        if s < 0 or not (fresh_u or modified[s] > last):
            continue
        j = pos_of[v]
        if s == r:
            if _intra(dist, start, end, cost, depot, seq, F, V, rc, fixed_cost, r, i, j, buf):
                return SAME
            continue
        ls = length[s]
        qs = Q[s, ls]
        dv = demand[v]
        over_s = qs - capacity
        old_pen = pen_r + (penalty * over_s if over_s > 0 else 0.0)
        old_r = rc[r]
        old_s = rc[s]
        has_y = j + 1 < ls
        y = seq[s, j + 1] if has_y else -1
        dy = demand[y] if has_y else 0.0
        # prefix states of s before v (pv) and through v (pw)
        pv0 = F[s, j, 0]
        pv1 = F[s, j, 1]
        ev0 = V[s, j, 0]
        ev1 = V[s, j, 1]
        pw0 = F[s, j + 1, 0]
        pw1 = F[s, j + 1, 1]
        ew0 = V[s, j + 1, 0]
        ew1 = V[s, j + 1, 1]
        if saves1:
            # relocate u after v
            g0, g1, h0, h1 = extend(dist, start, end, cost, pw0, pw1, ew0, ew1, u)
            cb = _join(dist, g0, g1, h0, h1, F[s, j + 1, 2], F[s, j + 1, 3], V[s, j + 1, 2],
                       V[s, j + 1, 3])
            vb, xb = _value(cb, qs + du, ls + 1, capacity, penalty, fixed_cost)
            if _better(objective, v1, x1, vb, xb, old_r, old_s, old_pen):
                _pieces(pa, PRE, r, i, SUF, r, i + 1, END, 0, 0, END, 0, 0)
                _pieces(pb, PRE, s, j + 1, TASK, u, 0, SUF, s, j + 1, END, 0, 0)
                return s
            # relocate u before v
            g0, g1, h0, h1 = extend(dist, start, end, cost, pv0, pv1, ev0, ev1, u)
            cb = _join(dist, g0, g1, h0, h1, F[s, j, 2], F[s, j, 3], V[s, j, 2], V[s, j, 3])
            vb, xb = _value(cb, qs + du, ls + 1, capacity, penalty, fixed_cost)
            if _better(objective, v1, x1, vb, xb, old_r, old_s, old_pen):
                _pieces(pa, PRE, r, i, SUF, r, i + 1, END, 0, 0, END, 0, 0)
                _pieces(pb, PRE, s, j, TASK, u, 0, SUF, s, j, END, 0, 0)
                return s
        if saves2:
            for flip in range(2):  # (u, x) or (x, u) after v
                t1 = x if flip else u
                t2 = u if flip else x
                g0, g1, h0, h1 = extend(dist, start, end, cost, pw0, pw1, ew0, ew1, t1)
                g0, g1, h0, h1 = extend(dist, start, end, cost, g0, g1, h0, h1, t2)
                cb = _join(dist, g0, g1, h0, h1, F[s, j + 1, 2], F[s, j + 1, 3],
                           V[s, j + 1, 2], V[s, j + 1, 3])
                vb, xb = _value(cb, qs + du + dx, ls + 2, capacity, penalty, fixed_cost)
                if _better(objective, v2, x2, vb, xb, old_r, old_s, old_pen):
                    _pieces(pa, PRE, r, i, SUF, r, i + 2, END, 0, 0, END, 0, 0)
                    _pieces(pb, PRE, s, j + 1, TASK, t1, 0, TASK, t2, 0, SUF, s, j + 1)
                    return s
        # swap u and v
        g0, g1, h0, h1 = extend(dist, start, end, cost, F[r, i, 0], F[r, i, 1], V[r, i, 0],
                                V[r, i, 1], v)
        ca = _join(dist, g0, g1, h0, h1, F[r, i + 1, 2], F[r, i + 1, 3], V[r, i + 1, 2],
                   V[r, i + 1, 3])
        va, xa = _value(ca, qr - du + dv, lr, capacity, penalty, fixed_cost)
        g0, g1, h0, h1 = extend(dist, start, end, cost, pv0, pv1, ev0, ev1, u)
        cb = _join(dist, g0, g1, h0, h1, F[s, j + 1, 2], F[s, j + 1, 3], V[s, j + 1, 2],
                   V[s, j + 1, 3])
        vb, xb = _value(cb, qs - dv + du, ls, capacity, penalty, fixed_cost)
        if _better(objective, va, xa, vb, xb, old_r, old_s, old_pen):
            _pieces(pa, PRE, r, i, TASK, v, 0, SUF, r, i + 1, END, 0, 0)
            _pieces(pb, PRE, s, j, TASK, u, 0, SUF, s, j + 1, END, 0, 0)
            return s
        if has_x:
            # swap (u, x) and v
            g0, g1, h0, h1 = extend(dist, start, end, cost, F[r, i, 0], F[r, i, 1],
                                    V[r, i, 0], V[r, i, 1], v)
            ca = _join(dist, g0, g1, h0, h1, F[r, i + 2, 2], F[r, i + 2, 3], V[r, i + 2, 2],
                       V[r, i + 2, 3])
            va, xa = _value(ca, qr - du - dx + dv, lr - 1, capacity, penalty, fixed_cost)
            g0, g1, h0, h1 = extend(dist, start, end, cost, pv0, pv1, ev0, ev1, u)
            g0, g1, h0, h1 = extend(dist, start, end, cost, g0, g1, h0, h1, x)
            cb = _join(dist, g0, g1, h0, h1, F[s, j + 1, 2], F[s, j + 1, 3], V[s, j + 1, 2],
                       V[s, j + 1, 3])
            vb, xb = _value(cb, qs - dv + du + dx, ls + 1, capacity, penalty, fixed_cost)
            if _better(objective, va, xa, vb, xb, old_r, old_s, old_pen):
                _pieces(pa, PRE, r, i, TASK, v, 0, SUF, r, i + 2, END, 0, 0)
                _pieces(pb, PRE, s, j, TASK, u, 0, TASK, x, 0, SUF, s, j + 1)
                return s
            if has_y:  # swap (u, x) and (v, y)
                g0, g1, h0, h1 = extend(dist, start, end, cost, F[r, i, 0], F[r, i, 1],
                                        V[r, i, 0], V[r, i, 1], v)
                g0, g1, h0, h1 = extend(dist, start, end, cost, g0, g1, h0, h1, y)
                ca = _join(dist, g0, g1, h0, h1, F[r, i + 2, 2], F[r, i + 2, 3],
                           V[r, i + 2, 2], V[r, i + 2, 3])
                va, xa = _value(ca, qr - du - dx + dv + dy, lr, capacity, penalty, fixed_cost)
                g0, g1, h0, h1 = extend(dist, start, end, cost, pv0, pv1, ev0, ev1, u)
                g0, g1, h0, h1 = extend(dist, start, end, cost, g0, g1, h0, h1, x)
                cb = _join(dist, g0, g1, h0, h1, F[s, j + 2, 2], F[s, j + 2, 3],
                           V[s, j + 2, 2], V[s, j + 2, 3])
                vb, xb = _value(cb, qs - dv - dy + du + dx, ls, capacity, penalty, fixed_cost)
                if _better(objective, va, xa, vb, xb, old_r, old_s, old_pen):
                    _pieces(pa, PRE, r, i, TASK, v, 0, TASK, y, 0, SUF, r, i + 2)
                    _pieces(pb, PRE, s, j, TASK, u, 0, TASK, x, 0, SUF, s, j + 2)
                    return s
        # 2-opt*: the tails after u and after (or from) v exchanged, straight or crossed
        for cut in range(2):
            js = j + 1 - cut  # v's route keeps its first js tasks
            for crossed in range(2):
                if crossed == 0:
                    ca = _join(dist, F[r, i + 1, 0], F[r, i + 1, 1], V[r, i + 1, 0],
                               V[r, i + 1, 1], F[s, js, 2], F[s, js, 3], V[s, js, 2],
                               V[s, js, 3])
                    la = Q[r, i + 1] + qs - Q[s, js]
                    na = i + 1 + ls - js
                    cb = _join(dist, F[s, js, 0], F[s, js, 1], V[s, js, 0], V[s, js, 1],
                               F[r, i + 1, 2], F[r, i + 1, 3], V[r, i + 1, 2], V[r, i + 1, 3])
                else:  # u's head + v's head reversed; u's tail reversed + v's tail
                    ca = _join(dist, F[r, i + 1, 0], F[r, i + 1, 1], V[r, i + 1, 0],
                               V[r, i + 1, 1], F[s, js, 4], F[s, js, 5], V[s, js, 4],
                               V[s, js, 5])
                    la = Q[r, i + 1] + Q[s, js]
                    na = i + 1 + js
                    cb = _join(dist, F[r, i + 1, 6], F[r, i + 1, 7], V[r, i + 1, 6],
                               V[r, i + 1, 7], F[s, js, 2], F[s, js, 3], V[s, js, 2],
                               V[s, js, 3])
                va, xa = _value(ca, la, na, capacity, penalty, fixed_cost)
                vb, xb = _value(cb, qr + qs - la, lr + ls - na, capacity, penalty, fixed_cost)
                if _better(objective, va, xa, vb, xb, old_r, old_s, old_pen):
                    if crossed == 0:
                        _pieces(pa, PRE, r, i + 1, SUF, s, js, END, 0, 0, END, 0, 0)
                        _pieces(pb, PRE, s, js, SUF, r, i + 1, END, 0, 0, END, 0, 0)
                    else:
                        _pieces(pa, PRE, r, i + 1, RHEAD, s, js, END, 0, 0, END, 0, 0)
                        _pieces(pb, RTAIL, r, i + 1, SUF, s, js, END, 0, 0, END, 0, 0)
                    return s
    if fresh_u and lr > 1:  # u alone in an empty route
        for e in range(length.shape[0]):
            if length[e] == 0:
                cb = min(dist[depot, start[2 * u]] + cost[2 * u] + dist[end[2 * u], depot],
                         dist[depot, start[2 * u + 1]] + cost[2 * u + 1]
                         + dist[end[2 * u + 1], depot])
                vb, xb = _value(cb, du, 1, capacity, penalty, fixed_cost)
                if _better(objective, v1, x1, vb, xb, rc[r], 0.0, pen_r):
                    _pieces(pa, PRE, r, i, SUF, r, i + 1, END, 0, 0, END, 0, 0)
                    _pieces(pb, TASK, u, 0, END, 0, 0, END, 0, 0, END, 0, 0)
                    return e
                break
    return NONE


@jit
def _intra(dist, start, end, cost, depot, seq, F, V, rc, fixed_cost, r, i, j, buf):
    """First improving move inside route r between positions i and j (relocate, swap,
    reverse); the new route goes to buf."""
    lo = min(i, j)
    hi = max(i, j)
    old = rc[r] - fixed_cost - EPS
    bound = old - min(F[r, hi + 1, 2], F[r, hi + 1, 3])  # the rest costs at least its suffix
    n_mid = hi - lo + 1
    for move in range(6):
        # build positions lo..hi of the new route in buf[lo..hi]
        if move == 0:  # relocate u (at i) right after v (at j)
            if i < j:
                for k in range(i + 1, j + 1):
                    buf[k - 1] = seq[r, k]
                buf[j] = seq[r, i]
            elif j < i - 1:
                buf[j + 1] = seq[r, i]
                for k in range(j + 1, i):
                    buf[k + 1] = seq[r, k]
                buf[lo] = seq[r, lo]
            else:
                continue
        elif move == 1:  # relocate u right before v
            if i < j - 1:
                for k in range(i + 1, j):
                    buf[k - 1] = seq[r, k]
                buf[j - 1] = seq[r, i]
                buf[j] = seq[r, j]
            elif j < i:
                buf[j] = seq[r, i]
                for k in range(j, i):
                    buf[k + 1] = seq[r, k]
            else:
                continue
        elif move == 2:  # swap
            for k in range(lo, hi + 1):
                buf[k] = seq[r, k]
            buf[lo] = seq[r, hi]
            buf[hi] = seq[r, lo]
        else:  # reverse lo..hi, lo+1..hi, lo..hi-1
            a = lo + (1 if move == 4 else 0)
            b = hi - (1 if move == 5 else 0)
            if b - a < 1:
                continue
            for k in range(lo, hi + 1):
                buf[k] = seq[r, k]
            for k in range(a, b + 1):
                buf[k] = seq[r, a + b - k]
        f0 = F[r, lo, 0]
        f1 = F[r, lo, 1]
        e0 = V[r, lo, 0]
        e1 = V[r, lo, 1]
        for k in range(lo, lo + n_mid):
            f0, f1, e0, e1 = extend(dist, start, end, cost, f0, f1, e0, e1, buf[k])
            if f0 >= bound and f1 >= bound:
                break  # costs only grow: this order cannot beat the route
        if f0 >= bound and f1 >= bound:
            continue
        c = _join(dist, f0, f1, e0, e1, F[r, hi + 1, 2], F[r, hi + 1, 3], V[r, hi + 1, 2],
                  V[r, hi + 1, 3])
        if c < old:
            for k in range(lo):
                buf[k] = seq[r, k]
            for k in range(hi + 1, seq.shape[1]):
                buf[k] = seq[r, k]
            return True
    return False
