"""Local search on arc routes (the "education" step of the genetic search).

Routes are lists of *arcs*: arc ``2t`` serves task t from its u end to its v end, ``2t+1`` the
other way. Each route keeps prefix costs, suffix costs and reversed-segment costs, so every move
is priced in O(1) as a chain of at most five pieces (route segments, possibly reversed, and single
arcs). Moves, tried between each task u and its closest tasks v (a granular neighbourhood):

* relocate u after or before v, in the better direction;
* swap u and v, each in its better direction;
* 2-opt* between two routes (exchange the tails after u and v, plain and reversed);
* 2-opt inside a route (reverse the segment between u and v, flipping every arc);
* flip u alone; move u to an empty route.

Two objectives: ``"total"`` (sum of route costs plus ``penalty`` × capacity excess, for CARP) and
``"minmax"`` (a move must lower the longer of the two routes it touches, or keep it and lower
their sum — so the sorted vector of route costs decreases lexicographically and the search ends).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Literal

from gridplan.routing.arcroute_instance import ArcInstance

Objective = Literal["total", "minmax"]
_FWD, _REV, _ARC = 0, 1, 2
EPS = 1e-7


def task_neighbours(instance: ArcInstance, size: int) -> list[list[int]]:
    """For each task, the ``size`` tasks whose end points are closest to its end points."""
    start, end, _ = instance.arcs()
    dist = instance.distance_rows()
    m = instance.n_tasks
    ends = [(start[2 * t], end[2 * t]) for t in range(m)]
    result = []
    for u in range(m):
        near = []
        for v in range(m):
            if v != u:
                gap = min(min(dist[x][y], dist[y][x]) for x in ends[u] for y in ends[v])
                near.append((gap, v))
        near.sort()
        result.append([v for _, v in near[:size]])
    return result


class RouteSearch:
    """Improves a set of routes until no move in the neighbourhood helps (first improvement)."""

    def __init__(
        self,
        instance: ArcInstance,
        neighbours: Sequence[Sequence[int]],
        *,
        objective: Objective,
        rng: random.Random,
        use_capacity: bool = True,
        route_fixed_cost: float = 0.0,
    ) -> None:
        self.start, self.end, self.cost_of = instance.arcs()
        self.dist = instance.distance_rows()
        self.depot = instance.depot
        self.demand = instance.demand.tolist()
        cap = instance.capacity if use_capacity else None
        self.capacity = float("inf") if cap is None else cap
        self.neighbours = neighbours
        self.objective = objective
        self.rng = rng
        self.penalty = 0.0
        self.n_tasks = instance.n_tasks
        # A cost per non-empty route; a large one makes the search minimise routes first.
        self.fixed_cost = route_fixed_cost

    # ---------------------------------------------------------------- bookkeeping
    def run(
        self,
        routes: list[list[int]],
        *,
        penalty: float = 0.0,
        keep_empty: int = 1,
        stop: Callable[[], bool] = lambda: False,
    ) -> list[list[int]]:
        """Return improved copies of ``routes``; ``keep_empty`` spare empty routes stay open.

        Stops early (with a valid, partly improved plan) once ``stop()`` says so (polled every
        64 tasks examined).
        """
        self.penalty = penalty
        self.routes = [list(r) for r in routes if r]
        self.routes += [[] for _ in range(max(keep_empty, len(routes) - len(self.routes)))]
        n = len(self.routes)
        self.route_of = [0] * self.n_tasks
        self.pos_of = [0] * self.n_tasks
        self.prefix: list[list[float]] = [[]] * n
        self.suffix: list[list[float]] = [[]] * n
        self.rev: list[list[float]] = [[]] * n
        self.loads: list[list[float]] = [[]] * n
        self.cost = [0.0] * n
        self.excess = [0.0] * n
        # "Don't look" bookkeeping: a pair is re-examined only if one of its routes changed
        # since the task was last examined in full.
        self.clock = 1
        self.modified = [1] * n
        self.tested = [0] * self.n_tasks
        for r in range(n):
            self._refresh(r)
        order = list(range(self.n_tasks))
        improved = True
        while improved and not stop():
            improved = False
            self.rng.shuffle(order)
            for count, u in enumerate(order):
                if self._improve(u):
                    improved = True
                if count % 64 == 63 and stop():
                    break
            if self.objective == "total":
                self._ensure_empty_route(keep_empty)
        return self.routes

    def _ensure_empty_route(self, keep_empty: int) -> None:
        if keep_empty and all(self.routes[r] for r in range(len(self.routes))):
            self.routes.append([])
            for arrays in (self.prefix, self.suffix, self.rev, self.loads):
                arrays.append([])
            self.cost.append(0.0)
            self.excess.append(0.0)
            self.modified.append(self.clock)
            self._refresh(len(self.routes) - 1)

    def _refresh(self, r: int) -> None:
        route, dist, start, end, cost = (
            self.routes[r],
            self.dist,
            self.start,
            self.end,
            self.cost_of,
        )
        depot = self.depot
        prefix, loads, rev = [0.0], [0.0], [0.0]
        loc, c, q, rc = depot, 0.0, 0.0, 0.0
        for k, a in enumerate(route):
            c += dist[loc][start[a]] + cost[a]
            q += self.demand[a >> 1]
            rc += cost[a ^ 1] + (dist[start[a]][end[route[k - 1]]] if k else 0.0)
            loc = end[a]
            prefix.append(c)
            loads.append(q)
            rev.append(rc)
            self.route_of[a >> 1] = r
            self.pos_of[a >> 1] = k
        suffix = [0.0] * (len(route) + 1)
        loc, c = depot, 0.0
        for k in range(len(route) - 1, -1, -1):
            a = route[k]
            c += cost[a] + dist[end[a]][loc]
            loc = start[a]
            suffix[k] = c
        self.prefix[r], self.suffix[r], self.rev[r], self.loads[r] = prefix, suffix, rev, loads
        self.excess[r] = q - self.capacity if q > self.capacity else 0.0
        self.cost[r] = prefix[-1] + dist[end[route[-1]]][depot] + self.fixed_cost if route else 0.0

    # ---------------------------------------------------------------- pieces
    def _fwd(self, r: int, x: int, y: int):
        """Route r's arcs x..y as they are: (cost, start vertex, end vertex, kind, r, x, y)."""
        route = self.routes[r]
        a, b = route[x], route[y]
        before = self.end[route[x - 1]] if x else self.depot
        c = self.prefix[r][y + 1] - self.prefix[r][x] - self.dist[before][self.start[a]]
        return (c, self.start[a], self.end[b], _FWD, r, x, y)

    def _rev(self, r: int, x: int, y: int):
        """Route r's arcs x..y reversed, every arc flipped."""
        route = self.routes[r]
        a, b = route[x], route[y]
        link = self.dist[self.start[a]][self.end[route[x - 1]]] if x else 0.0
        c = self.rev[r][y + 1] - self.rev[r][x] - link
        return (c, self.end[b], self.start[a], _REV, r, x, y)

    def _arc(self, a: int):
        return (self.cost_of[a], self.start[a], self.end[a], _ARC, a, 0, 0)

    def _segment(self, r: int, x: int, y: int, *, reverse: bool = False) -> list:
        if x > y:
            return []
        return [self._rev(r, x, y) if reverse else self._fwd(r, x, y)]

    def _price(self, pieces: list) -> float:
        dist, loc, c = self.dist, self.depot, 0.0
        for p in pieces:
            c += dist[loc][p[1]] + p[0]
            loc = p[2]
        return c + dist[loc][self.depot] + self.fixed_cost if pieces else 0.0

    def _build(self, pieces: list) -> list[int]:
        out: list[int] = []
        for _, _, _, kind, r, x, y in pieces:
            if kind == _ARC:
                out.append(r)
            elif kind == _FWD:
                out.extend(self.routes[r][x : y + 1])
            else:
                out.extend(a ^ 1 for a in reversed(self.routes[r][x : y + 1]))
        return out

    # ---------------------------------------------------------------- acceptance
    def _gain(
        self, r: int, s: int, cost_r: float, cost_s: float, load_r: float, load_s: float
    ) -> bool:
        old_r, old_s = self.cost[r], self.cost[s]
        if self.objective == "minmax":
            new_max, old_max = max(cost_r, cost_s), max(old_r, old_s)
            if new_max < old_max - EPS:
                return True
            return new_max <= old_max + EPS and cost_r + cost_s < old_r + old_s - EPS
        delta = cost_r + cost_s - old_r - old_s
        if self.penalty:
            cap = self.capacity
            excess = (load_r - cap if load_r > cap else 0.0) + (
                load_s - cap if load_s > cap else 0.0
            )
            excess -= self.excess[r] + self.excess[s]
            delta += self.penalty * excess
        return delta < -EPS

    def _gain_one(self, r: int, cost_r: float) -> bool:
        return cost_r < self.cost[r] - EPS

    # ---------------------------------------------------------------- moves
    def _improve(self, u: int) -> bool:
        last = self.tested[u]
        self.tested[u] = self.clock
        modified, route_of = self.modified, self.route_of
        fresh_u = modified[route_of[u]] > last
        for v in self.neighbours[u]:
            if (fresh_u or modified[route_of[v]] > last) and self._try_pair(u, v):
                return True
        return fresh_u and (self._try_flip(u) or self._try_empty(u))

    def _try_pair(self, u: int, v: int) -> bool:
        r, i = self.route_of[u], self.pos_of[u]
        s, j = self.route_of[v], self.pos_of[v]
        if r == s:
            return self._intra(r, i, j)
        return self._inter(r, i, s, j)

    def _inter(self, r: int, i: int, s: int, j: int) -> bool:
        """Moves between two routes, priced with inline O(1) formulas (the hot path)."""
        ru, sv = self.routes[r], self.routes[s]
        a, b = ru[i], sv[j]
        lr, ls = len(ru), len(sv)
        dist, start, end, sc = self.dist, self.start, self.end, self.cost_of
        depot, fixed = self.depot, self.fixed_cost
        pr, sr, ps, ss = self.prefix[r], self.suffix[r], self.prefix[s], self.suffix[s]
        before_u = end[ru[i - 1]] if i else depot
        after_u = start[ru[i + 1]] if i + 1 < lr else depot
        before_v = end[sv[j - 1]] if j else depot
        after_v = start[sv[j + 1]] if j + 1 < ls else depot
        qu, qv = self.demand[a >> 1], self.demand[b >> 1]
        load_r, load_s = self.loads[r][-1], self.loads[s][-1]
        seg, arc = self._segment, self._arc

        # relocate u after v / before v, in either direction
        c_without = pr[i] + dist[before_u][after_u] + sr[i + 1] + fixed if lr > 1 else 0.0
        row_b = dist[end[b]]
        for x in (a, a ^ 1):
            sx, ex, cx = start[x], end[x], sc[x]
            after = ps[j + 1] + row_b[sx] + cx + dist[ex][after_v] + ss[j + 1] + fixed
            if self._gain(r, s, c_without, after, load_r - qu, load_s + qu):
                self._apply(
                    {
                        r: seg(r, 0, i - 1) + seg(r, i + 1, lr - 1),
                        s: seg(s, 0, j) + [arc(x)] + seg(s, j + 1, ls - 1),
                    }
                )
                return True
            before = ps[j] + dist[before_v][sx] + cx + dist[ex][start[b]] + ss[j] + fixed
            if self._gain(r, s, c_without, before, load_r - qu, load_s + qu):
                self._apply(
                    {
                        r: seg(r, 0, i - 1) + seg(r, i + 1, lr - 1),
                        s: seg(s, 0, j - 1) + [arc(x)] + seg(s, j, ls - 1),
                    }
                )
                return True

        # swap u and v, each in its better direction
        row_bu = dist[before_u]
        y = (
            b
            if row_bu[start[b]] + sc[b] + dist[end[b]][after_u]
            <= row_bu[start[b ^ 1]] + sc[b ^ 1] + dist[end[b ^ 1]][after_u]
            else b ^ 1
        )
        row_bv = dist[before_v]
        x = (
            a
            if row_bv[start[a]] + sc[a] + dist[end[a]][after_v]
            <= row_bv[start[a ^ 1]] + sc[a ^ 1] + dist[end[a ^ 1]][after_v]
            else a ^ 1
        )
        new_r = pr[i] + row_bu[start[y]] + sc[y] + dist[end[y]][after_u] + sr[i + 1] + fixed
        new_s = ps[j] + row_bv[start[x]] + sc[x] + dist[end[x]][after_v] + ss[j + 1] + fixed
        if self._gain(r, s, new_r, new_s, load_r - qu + qv, load_s - qv + qu):
            self._apply(
                {
                    r: seg(r, 0, i - 1) + [arc(y)] + seg(r, i + 1, lr - 1),
                    s: seg(s, 0, j - 1) + [arc(x)] + seg(s, j + 1, ls - 1),
                }
            )
            return True

        # 2-opt*: exchange the tails after u and after v
        qr, qs = self.loads[r], self.loads[s]
        new_r = pr[i + 1] + dist[end[a]][after_v] + ss[j + 1] + fixed
        new_s = ps[j + 1] + row_b[after_u] + sr[i + 1] + fixed
        if self._gain(
            r, s, new_r, new_s, qr[i + 1] + qs[-1] - qs[j + 1], qs[j + 1] + qr[-1] - qr[i + 1]
        ):
            self._apply(
                {r: seg(r, 0, i) + seg(s, j + 1, ls - 1), s: seg(s, 0, j) + seg(r, i + 1, lr - 1)}
            )
            return True

        # 2-opt* crossed: u's head then v's head reversed; u's tail reversed then v's tail
        rv_r, rv_s = self.rev[r], self.rev[s]
        new_r = pr[i + 1] + dist[end[a]][end[b]] + rv_s[j + 1] + dist[start[sv[0]]][depot] + fixed
        if i + 1 < lr:
            inner = rv_r[lr] - rv_r[i + 1] - dist[start[ru[i + 1]]][end[a]]
            new_s = (
                dist[depot][end[ru[-1]]]
                + inner
                + dist[start[ru[i + 1]]][after_v]
                + ss[j + 1]
                + fixed
            )
        else:
            new_s = dist[depot][after_v] + ss[j + 1] + fixed if j + 1 < ls else 0.0
        if self._gain(
            r, s, new_r, new_s, qr[i + 1] + qs[j + 1], qr[-1] - qr[i + 1] + qs[-1] - qs[j + 1]
        ):
            self._apply(
                {
                    r: seg(r, 0, i) + seg(s, 0, j, reverse=True),
                    s: seg(r, i + 1, lr - 1, reverse=True) + seg(s, j + 1, ls - 1),
                }
            )
            return True
        return False

    def _intra(self, r: int, i: int, j: int) -> bool:
        """Moves inside one route, priced in O(1) from prefix, suffix and reversed costs."""
        route = self.routes[r]
        n = len(route)
        dist, start, end, sc = self.dist, self.start, self.end, self.cost_of
        depot, fixed, P, S, RI = (
            self.depot,
            self.fixed_cost,
            self.prefix[r],
            self.suffix[r],
            self.rev[r],
        )
        old = self.cost[r] - EPS

        def bef(k: int) -> int:
            return end[route[k - 1]] if k else depot

        def aft(k: int) -> int:
            return start[route[k + 1]] if k + 1 < n else depot

        def inner(x: int, y: int) -> float:  # from the start of arc x to the end of arc y
            return P[y + 1] - P[x] - dist[bef(x)][start[route[x]]]

        seg, arc = self._segment, self._arc
        a = route[i]
        for x in (a, a ^ 1):
            sx, ex, cx = start[x], end[x], sc[x]
            if i < j:
                head = P[i] + dist[bef(i)][start[route[i + 1]]]
                c = (
                    head
                    + inner(i + 1, j)
                    + dist[end[route[j]]][sx]
                    + cx
                    + dist[ex][aft(j)]
                    + S[j + 1]
                )
                if c + fixed < old:
                    self._apply(
                        {r: seg(r, 0, i - 1) + seg(r, i + 1, j) + [arc(x)] + seg(r, j + 1, n - 1)}
                    )
                    return True
                if j > i + 1:
                    c = (
                        head
                        + inner(i + 1, j - 1)
                        + dist[end[route[j - 1]]][sx]
                        + cx
                        + dist[ex][start[route[j]]]
                        + S[j]
                    )
                    if c + fixed < old:
                        self._apply(
                            {
                                r: seg(r, 0, i - 1)
                                + seg(r, i + 1, j - 1)
                                + [arc(x)]
                                + seg(r, j, n - 1)
                            }
                        )
                        return True
            else:
                tail = dist[end[route[i - 1]]][aft(i)] + S[i + 1]
                if j < i - 1:
                    c = (
                        P[j + 1]
                        + dist[end[route[j]]][sx]
                        + cx
                        + dist[ex][start[route[j + 1]]]
                        + inner(j + 1, i - 1)
                        + tail
                    )
                    if c + fixed < old:
                        self._apply(
                            {
                                r: seg(r, 0, j)
                                + [arc(x)]
                                + seg(r, j + 1, i - 1)
                                + seg(r, i + 1, n - 1)
                            }
                        )
                        return True
                c = (
                    P[j]
                    + dist[bef(j)][sx]
                    + cx
                    + dist[ex][start[route[j]]]
                    + inner(j, i - 1)
                    + tail
                )
                if c + fixed < old:
                    self._apply(
                        {r: seg(r, 0, j - 1) + [arc(x)] + seg(r, j, i - 1) + seg(r, i + 1, n - 1)}
                    )
                    return True
        lo, hi = min(i, j), max(i, j)
        first, last = route[lo], route[hi]
        before, after = bef(lo), aft(hi)
        for y in (last, last ^ 1):  # swap the two tasks, all four direction pairs
            for x in (first, first ^ 1):
                if hi == lo + 1:
                    middle = dist[end[y]][start[x]]
                else:
                    middle = (
                        dist[end[y]][start[route[lo + 1]]]
                        + inner(lo + 1, hi - 1)
                        + dist[end[route[hi - 1]]][start[x]]
                    )
                c = (
                    P[lo]
                    + dist[before][start[y]]
                    + sc[y]
                    + middle
                    + sc[x]
                    + dist[end[x]][after]
                    + S[hi + 1]
                )
                if c + fixed < old:
                    self._apply(
                        {
                            r: seg(r, 0, lo - 1)
                            + [arc(y)]
                            + seg(r, lo + 1, hi - 1)
                            + [arc(x)]
                            + seg(r, hi + 1, n - 1)
                        }
                    )
                    return True
        for x0 in (lo, lo + 1):  # 2-opt: reverse route[x0..hi]
            if x0 > hi:
                continue
            link = dist[start[route[x0]]][end[route[x0 - 1]]] if x0 else 0.0
            reversed_cost = RI[hi + 1] - RI[x0] - link
            c = (
                P[x0]
                + dist[bef(x0)][end[last]]
                + reversed_cost
                + dist[start[route[x0]]][after]
                + S[hi + 1]
            )
            if c + fixed < old:
                self._apply(
                    {r: seg(r, 0, x0 - 1) + seg(r, x0, hi, reverse=True) + seg(r, hi + 1, n - 1)}
                )
                return True
        return False

    def _try_flip(self, u: int) -> bool:
        r, i = self.route_of[u], self.pos_of[u]
        n = len(self.routes[r])
        pieces = (
            self._segment(r, 0, i - 1)
            + self._segment(r, i, i, reverse=True)
            + self._segment(r, i + 1, n - 1)
        )
        if self._gain_one(r, self._price(pieces)):
            self._apply({r: pieces})
            return True
        return False

    def _try_empty(self, u: int) -> bool:
        empty = next((e for e, route in enumerate(self.routes) if not route), None)
        if empty is None:
            return False
        r, i = self.route_of[u], self.pos_of[u]
        n = len(self.routes[r])
        if n == 1:
            return False
        a = self.routes[r][i]
        rest = self._segment(r, 0, i - 1) + self._segment(r, i + 1, n - 1)
        alone = min(([self._arc(x)] for x in (a, a ^ 1)), key=self._price)
        q = self.demand[u]
        if self._gain(r, empty, self._price(rest), self._price(alone), self.loads[r][-1] - q, q):
            self._apply({r: rest, empty: alone})
            return True
        return False

    def _apply(self, new_pieces: dict[int, list]) -> None:
        built = {r: self._build(pieces) for r, pieces in new_pieces.items()}
        self.clock += 1
        for r, route in built.items():
            self.routes[r] = route
            self.modified[r] = self.clock
        for r in built:
            self._refresh(r)
