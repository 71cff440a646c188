"""Exact reduction of a T-join problem before matching: leaves and degree-2 nodes go away.

Street networks are full of dead ends and chains of degree-2 nodes. Each rule below removes a
node and keeps a bijection between the minimal T-joins of the old and the new graph, so the
matching runs on a smaller graph with fewer terminals and the answer is expanded back exactly:

* a leaf x with edge e to y: if x is a terminal, e is in every T-join (force it, y's parity
  flips); otherwise e is in no minimal one. x and e go.
* a degree-2 node x with edges a (to u) and b (to v), u ≠ v:
  - x not a terminal: a join uses both or neither → one edge u–v of weight w(a) + w(b)
    ("series");
  - x a terminal: a join uses exactly one → force the cheaper, say a (u's parity flips), and add
    an edge u–v of weight w(b) − w(a) meaning "take b instead of a" ("swap").
  Both new edges stand for ``a XOR b``. When u–v already has an edge the dearer of the two is
  dropped (a minimal join never needs both of two parallel edges).
* a degree-2 node whose two edges both lead to u: a terminal forces the cheaper one; else both go.

Weights are integers (the matcher's), so every sum and difference is exact. A new edge heavier
than ``max_weight`` is not created (the node is kept), so the matcher's integer range holds.
"""

from __future__ import annotations

import numpy as np

from gridplan.routing.arcroute_jit import jit


@jit
def reduce_tjoin(num_nodes, tails, heads, weights, terminal, max_weight):
    """Reduce; returns (eu, ev, ew, child_a, child_b, alive, forced, terminal) over all edges,
    original ones first (indices as given) then the new ones."""
    m = len(tails)
    cap = m + num_nodes + 1
    eu = np.empty(cap, dtype=np.int64)
    ev = np.empty(cap, dtype=np.int64)
    ew = np.empty(cap, dtype=np.int64)
    child_a = np.full(cap, -1, dtype=np.int64)
    child_b = np.full(cap, -1, dtype=np.int64)
    alive = np.zeros(cap, dtype=np.bool_)
    forced = np.zeros(cap, dtype=np.bool_)
    head = np.full(num_nodes, -1, dtype=np.int64)  # linked lists of edge ends (2e: u, 2e+1: v)
    nxt = np.full(2 * cap, -1, dtype=np.int64)
    degree = np.zeros(num_nodes, dtype=np.int64)
    t = terminal.copy()
    count = 0
    for e in range(m):
        count = _add(eu, ev, ew, alive, head, nxt, degree, count, tails[e], heads[e], weights[e])
    queue = np.empty(4 * cap, dtype=np.int64)
    q_end = 0
    for x in range(num_nodes):
        if 0 < degree[x] <= 2:
            queue[q_end] = x
            q_end += 1
    q = 0
    while q < q_end:
        x = queue[q]
        q += 1
        if degree[x] == 0 or degree[x] > 2:
            continue
        a = _incident(head, nxt, alive, x, -1)
        ua = ev[a] if eu[a] == x else eu[a]
        if degree[x] == 1:
            if t[x]:
                forced[a] = True
                t[ua] ^= 1
                t[x] = 0
            _drop(alive, degree, eu, ev, a)
            if 0 < degree[ua] <= 2 and q_end < len(queue):
                queue[q_end] = ua
                q_end += 1
            continue
        b = _incident(head, nxt, alive, x, a)
        ub = ev[b] if eu[b] == x else eu[b]
        if ua == ub:  # both edges to the same neighbour
            if t[x]:
                cheap = a if ew[a] <= ew[b] else b
                forced[cheap] = True
                t[ua] ^= 1
                t[x] = 0
            _drop(alive, degree, eu, ev, a)
            _drop(alive, degree, eu, ev, b)
            if 0 < degree[ua] <= 2 and q_end < len(queue):
                queue[q_end] = ua
                q_end += 1
            continue
        if t[x]:
            if ew[a] > ew[b]:
                a, b = b, a
                ua, ub = ub, ua
            w = ew[b] - ew[a]
        else:
            w = ew[a] + ew[b]
        if w > max_weight or count >= cap:
            continue
        if t[x]:
            forced[a] = True
            t[ua] ^= 1
            t[x] = 0
        _drop(alive, degree, eu, ev, a)
        _drop(alive, degree, eu, ev, b)
        c = count
        count = _add(eu, ev, ew, alive, head, nxt, degree, count, ua, ub, w)
        child_a[c] = a
        child_b[c] = b
        # a parallel edge u–v: keep the cheaper one
        d = _incident_to(head, nxt, alive, eu, ev, ua, ub, c)
        if d >= 0:
            _drop(alive, degree, eu, ev, c if ew[c] > ew[d] else d)
        for y in (ua, ub):
            if 0 < degree[y] <= 2 and q_end < len(queue):
                queue[q_end] = y
                q_end += 1
    return eu[:count], ev[:count], ew[:count], child_a[:count], child_b[:count], \
        alive[:count], forced[:count], t


@jit
def _add(eu, ev, ew, alive, head, nxt, degree, count, u, v, w):
    e = count
    eu[e] = u
    ev[e] = v
    ew[e] = w
    alive[e] = True
    nxt[2 * e] = head[u]
    head[u] = 2 * e
    nxt[2 * e + 1] = head[v]
    head[v] = 2 * e + 1
    degree[u] += 1
    degree[v] += 1
    return count + 1


@jit
def _drop(alive, degree, eu, ev, e):
    alive[e] = False
    degree[eu[e]] -= 1
    degree[ev[e]] -= 1


@jit
def _incident(head, nxt, alive, x, skip):
    """An alive edge at x other than ``skip`` (dead list entries are unlinked on the way)."""
    slot = head[x]
    prev = -1
    while slot >= 0:
        e = slot >> 1
        if not alive[e]:
            if prev < 0:
                head[x] = nxt[slot]
            else:
                nxt[prev] = nxt[slot]
            slot = nxt[slot]
            continue
        if e != skip:
            return e
        prev = slot
        slot = nxt[slot]
    return -1


@jit
def _incident_to(head, nxt, alive, eu, ev, u, v, skip):
    slot = head[u]
    while slot >= 0:
        e = slot >> 1
        if alive[e] and e != skip and (eu[e] == v or ev[e] == v):
            return e
        slot = nxt[slot]
    return -1


@jit
def expand_join(chosen, child_a, child_b, forced, m):
    """Original edges (0..m-1) of the join: forced edges XOR the expansion of chosen ones."""
    parity = forced.copy()
    for e in chosen:
        parity[e] ^= True
    for c in range(len(parity) - 1, m - 1, -1):  # children are older than their parent
        if parity[c]:
            parity[child_a[c]] ^= True
            parity[child_b[c]] ^= True
    return np.flatnonzero(parity[:m])
