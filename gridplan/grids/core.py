"""Matrix-only partition core: adjacency + workloads + groups -> contiguous, balanced grids.

No geometry is needed (spopt-style: :func:`gridplan.grids.partition.partition_units` builds a
:class:`PartitionProblem` from a GeoDataFrame and calls :func:`solve_partition`). Units are row
positions ``0..n-1``.

Method (seeded and deterministic):

1. **Grid counts.** Every group (jurisdiction) gets at least one grid; the remaining grids go one
   at a time to the group with the largest workload per grid after the addition (D'Hondt highest
   averages), which keeps the largest mean grid workload as small as possible. Inside a group the
   connected components of the unit graph share that group's grids the same way; a component
   that gets no grid (a small island) is attached whole to the nearest grid and *declared* an
   island of it (reported, never counted as a contiguity break).
2. **Seeds.** k-means++ on centroids (hop distance when there are none) weighted by workload,
   with a few greedy local trials per seed so seeds spread out.
3. **Region growing.** The grid with the least workload so far claims its unassigned neighbour
   nearest to its seed, until every unit belongs to a grid.
4. **Local search.** First-improvement descent, then tabu search moving one boundary unit at a
   time to an adjacent grid of the same group, then a final descent. A donor grid never gives
   up an articulation point (networkx), so every grid stays connected; a unit just moved is tabu
   for ``tabu_tenure`` iterations unless moving it beats the best plan found (aspiration).
5. **Multi-start.** ``n_starts`` runs; the best objective wins.

Objective (lower is better), summed over grids *g* in group *G* with target
``T_G = workload(G) / grids(G)``::

    ((W_g - T_G) / T_G)^2  +  compactness_weight * (1 - PolsbyPopper_g)

Grid perimeters are updated exactly while moving units: ``P(grid) = Σ unit perimeters -
2 Σ shared boundary inside the grid`` (true for units that tile the plane, as street blocks do).
Without geometry the core uses a lattice proxy: unit area 1 and each adjacency counts as a
boundary of length 1 (so a unit with four neighbours has perimeter 4, like a lattice square).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from gridplan.errors import InvalidInputError, Problem, ProblemCollector
from gridplan.params import Params, param


@dataclass(frozen=True, kw_only=True)
class PartitionParams(Params):
    """Search settings of the partition core (TOML table ``[partition]``)."""

    _section = "partition"

    compactness_weight: float = param(0.01, ge=0, le=100, help="weight of (1 - Polsby-Popper) "
                                      "against the squared workload deviation")
    n_starts: int = param(4, ge=1, le=16, help="independent starts; the best plan wins")
    max_iterations: int = param(1500, ge=0, le=50_000, help="tabu iterations per start")
    no_improve_limit: int = param(120, ge=1, le=50_000,
                                  help="stop the tabu phase after this many non-improving "
                                       "iterations")
    tabu_tenure: int = param(12, ge=0, le=1000, help="iterations a moved unit stays put")
    focus_grids: int = param(3, ge=1, le=100,
                             help="tabu candidates are moves into/out of this many worst grids")
    seed_trials: int = param(0, ge=0, le=50, help="local trials per k-means++ seed; "
                                                    "0 = 2 + int(log k)")


@dataclass(frozen=True)
class PartitionProblem:
    """The geometry-free input: who touches whom, how much work, which jurisdiction.

    ``adjacency``: symmetric CSR of shared boundary lengths (m), zero diagonal. ``workload``:
    non-negative per unit (officer-hours/week). ``groups``: jurisdiction label per unit; grids
    never mix groups. ``centroids`` (n×2, metres), ``area_m2`` and ``perimeter_m`` are optional.
    """

    adjacency: sparse.csr_matrix
    workload: np.ndarray
    groups: np.ndarray
    centroids: np.ndarray | None = None
    area_m2: np.ndarray | None = None
    perimeter_m: np.ndarray | None = None
    unit_names: tuple[str, ...] = field(default=())

    @property
    def n_units(self) -> int:
        return int(self.adjacency.shape[0])

    def validate(self) -> None:
        n = self.n_units
        issues = ProblemCollector("partition problem")
        if self.adjacency.shape != (n, n):
            issues.add("adjacency", expected="a square matrix", found=str(self.adjacency.shape),
                       fix="pass an n×n matrix")
        elif (abs(self.adjacency - self.adjacency.T) > 1e-6).nnz:
            issues.add("adjacency", expected="a symmetric matrix", found="asymmetric entries",
                       fix="symmetrise: A.maximum(A.T)")
        for name in ("workload", "groups", "centroids", "area_m2", "perimeter_m"):
            arr = getattr(self, name)
            if arr is not None and len(arr) != n:
                issues.add(name, expected=f"{n} rows (one per unit)", found=f"{len(arr)} rows",
                           fix="give one value per unit, in adjacency row order")
        w = np.asarray(self.workload, dtype=float)
        if len(w) == n:
            bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
            for i in bad[:20]:
                issues.add(f"unit {self._name(i)}", expected="a finite workload >= 0",
                           found=str(w[i]), fix="fix or drop the unit's workload inputs")
        issues.raise_if_any("the partition input is not usable")

    def _name(self, i: int) -> str:
        return self.unit_names[i] if self.unit_names else str(i)


@dataclass(frozen=True)
class PartitionResult:
    """Labels per unit plus what the search knows about each grid."""

    labels: np.ndarray  # grid index per unit, 0..k-1
    grid_group: np.ndarray  # group label per grid
    island: np.ndarray  # bool per unit: attached to its grid as a declared island
    objective: float
    seed: int

    @property
    def n_grids(self) -> int:
        return len(self.grid_group)


def grid_counts(
    problem: PartitionProblem, *, n_grids: int | None = None, target_workload_h: float | None = None
) -> dict[object, int]:
    """Grids per group: D'Hondt over workload (``n_grids``), or ceil(workload / target)."""
    groups, workload = np.asarray(problem.groups), np.asarray(problem.workload, dtype=float)
    labels = list(dict.fromkeys(groups.tolist()))
    load = {g: float(workload[groups == g].sum()) for g in labels}
    size = {g: int((groups == g).sum()) for g in labels}
    issues = ProblemCollector("partition")
    if (n_grids is None) == (target_workload_h is None):
        issues.add("n_grids / target_workload_h", expected="exactly one of them",
                   found=f"n_grids={n_grids}, target_workload_h={target_workload_h}",
                   fix="pass either n_grids=N or target_workload_h=H")
    elif n_grids is not None:
        if n_grids > problem.n_units:
            issues.add("n_grids", expected=f"at most {problem.n_units} (the number of units)",
                       found=str(n_grids), fix="ask for fewer grids or use smaller units")
        if n_grids < len(labels):
            issues.add("n_grids", expected=f"at least {len(labels)} (one per jurisdiction)",
                       found=str(n_grids), fix="grids never cross jurisdictions: ask for more")
    elif target_workload_h is not None and not target_workload_h > 0:
        issues.add("target_workload_h", expected="a positive number of officer-hours/week",
                   found=str(target_workload_h), fix="e.g. target_workload_h=160")
    issues.raise_if_any("cannot decide how many grids to draw")
    if target_workload_h is not None:
        return {g: max(1, min(size[g], math.ceil(load[g] / target_workload_h - 1e-9)))
                for g in labels}
    return _dhondt(load, size, total=int(n_grids), minimum=1)  # type: ignore[arg-type]


def _dhondt(
    load: dict, size: dict, *, total: int, minimum: int, reserved: dict | None = None
) -> dict:
    """Highest-averages allocation, each key capped by its unit count; ``reserved`` seats are
    given first and count in the averages (so a reserved seat is not won twice)."""
    reserved = reserved or {}
    seats = {g: min(max(minimum, reserved.get(g, 0)), size[g]) for g in load}
    # a tiny share of unit count keeps zero-workload groups comparable and the order stable
    eff = {g: load[g] + 1e-9 * size[g] for g in load}
    heap = [(-eff[g] / (seats[g] + 1), i, g) for i, g in enumerate(load) if seats[g] < size[g]]
    heapq.heapify(heap)
    for _ in range(total - sum(seats.values())):
        if not heap:
            break
        _, i, g = heapq.heappop(heap)
        seats[g] += 1
        if seats[g] < size[g]:
            heapq.heappush(heap, (-eff[g] / (seats[g] + 1), i, g))
    return seats


def solve_partition(
    problem: PartitionProblem,
    *,
    n_grids: int | None = None,
    target_workload_h: float | None = None,
    seed: int = 0,
    params: PartitionParams | None = None,
) -> PartitionResult:
    """Partition the units into contiguous grids inside their groups (see module docstring)."""
    problem.validate()
    params = params or PartitionParams()
    counts = grid_counts(problem, n_grids=n_grids, target_workload_h=target_workload_h)
    state = _SearchSpace(problem, params)
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    plan = state.allocate(counts)
    for _ in range(params.n_starts):
        labels = state.grow(plan, rng)
        labels, value = state.improve(labels, plan)
        if best is None or value < best[0] - 1e-12:
            best = (value, labels)
    assert best is not None
    return PartitionResult(labels=best[1], grid_group=np.asarray(plan.grid_group, dtype=object),
                           island=plan.island.copy(), objective=float(best[0]), seed=seed)


@dataclass
class _Allocation:
    grid_group: list  # group label per grid
    components: list[tuple[np.ndarray, int, int]]  # (units, first grid, grid count)
    island: np.ndarray  # bool per unit
    island_units: list[np.ndarray]  # components attached to a nearest grid
    group_target: np.ndarray  # target workload per grid (its group's mean)


class _SearchSpace:
    """Precomputed arrays shared by every start."""

    def __init__(self, problem: PartitionProblem, params: PartitionParams) -> None:
        self.p = problem
        self.params = params
        n = problem.n_units
        groups = np.asarray(problem.groups)
        adj = problem.adjacency.tocoo()
        same = groups[adj.row] == groups[adj.col]
        # lattice proxy without perimeters (see module docstring): each contact counts 1
        lattice = problem.perimeter_m is None or problem.area_m2 is None
        data = np.ones(int(same.sum())) if lattice else adj.data[same]
        self.shared = sparse.csr_matrix((data, (adj.row[same], adj.col[same])), shape=(n, n))
        self.shared.sum_duplicates()
        self.shared.sort_indices()
        self.w = np.asarray(problem.workload, dtype=float)
        if problem.area_m2 is None or problem.perimeter_m is None:
            degree = np.diff(self.shared.indptr).astype(float)
            self.area = np.ones(n)
            # units on the outer edge have fewer neighbours; count their outside boundary too
            self.perim = np.maximum(degree, max(1.0, float(np.median(degree)) if n else 1.0))
        else:
            self.area = np.asarray(problem.area_m2, dtype=float)
            self.perim = np.asarray(problem.perimeter_m, dtype=float)
        self.xy = None if problem.centroids is None else np.asarray(problem.centroids, float)
        # plain lists: the local search reads neighbours millions of times
        ptr, idx, val = self.shared.indptr, self.shared.indices, self.shared.data
        self.nbr_list = [idx[ptr[i]:ptr[i + 1]].tolist() for i in range(n)]
        self.len_list = [val[ptr[i]:ptr[i + 1]].tolist() for i in range(n)]
        self.groups = groups

    # ---- allocation -------------------------------------------------------------------------
    def allocate(self, counts: dict) -> _Allocation:
        n_comp, comp = csgraph.connected_components(self.shared, directed=False)
        grid_group: list = []
        components: list[tuple[np.ndarray, int, int]] = []
        island = np.zeros(self.p.n_units, dtype=bool)
        island_units: list[np.ndarray] = []
        targets: list[float] = []
        for g, k in counts.items():
            members = np.flatnonzero(self.groups == g)
            comp_ids = list(dict.fromkeys(comp[members].tolist()))
            comp_units = {c: members[comp[members] == c] for c in comp_ids}
            load = {c: float(self.w[u].sum()) for c, u in comp_units.items()}
            size = {c: len(u) for c, u in comp_units.items()}
            main = max(comp_ids, key=lambda c: (load[c], size[c], -c))
            seats = _dhondt(load, size, total=k, minimum=0, reserved={main: 1})
            if sum(seats.values()) < k:  # capped components: spill into any with room
                for c in comp_ids:
                    while seats[c] < size[c] and sum(seats.values()) < k:
                        seats[c] += 1
            target = sum(load.values()) / max(1, sum(seats.values()))
            for c in comp_ids:
                if seats[c] == 0:
                    island[comp_units[c]] = True
                    island_units.append(comp_units[c])
                    continue
                components.append((comp_units[c], len(grid_group), seats[c]))
                grid_group += [g] * seats[c]
                targets += [target] * seats[c]
        return _Allocation(grid_group, components, island, island_units, np.asarray(targets))

    # ---- construction -----------------------------------------------------------------------
    def grow(self, plan: _Allocation, rng: np.random.Generator) -> np.ndarray:
        labels = np.full(self.p.n_units, -1, dtype=np.int64)
        for units, first, k in plan.components:
            seeds = self._seeds(units, k, rng)
            self._grow_component(labels, units, seeds, first)
        for units in plan.island_units:
            labels[units] = self._nearest_grid(labels, units, plan)
        return labels

    def _distances(self, units: np.ndarray, source: int) -> np.ndarray:
        """Distance from ``source`` to each of ``units``: metres, or hops without centroids."""
        if self.xy is not None:
            return np.hypot(*(self.xy[units] - self.xy[source]).T)
        sub = self.shared[units][:, units]
        pos = int(np.flatnonzero(units == source)[0])
        d = csgraph.shortest_path(sub, indices=pos, unweighted=True, directed=False)
        return np.where(np.isfinite(d), d, len(units))

    def _seeds(self, units: np.ndarray, k: int, rng: np.random.Generator) -> list[int]:
        weight = self.w[units] + 1e-9 + 1e-6 * self.w[units].mean()
        first = int(rng.choice(len(units), p=weight / weight.sum()))
        chosen = [first]
        d2 = np.square(self._distances(units, units[first]))
        trials = self.params.seed_trials or 2 + int(math.log(max(k, 1)))
        for _ in range(k - 1):
            score = weight * d2
            score[chosen] = 0.0
            if score.sum() <= 0:
                free = np.setdiff1d(np.arange(len(units)), chosen)
                cands = rng.choice(free, size=min(trials, len(free)), replace=False)
            else:
                cands = rng.choice(len(units), size=trials, p=score / score.sum())
            best = None
            for c in dict.fromkeys(int(x) for x in cands):
                if c in chosen:
                    continue
                nd2 = np.minimum(d2, np.square(self._distances(units, units[c])))
                cost = float((weight * nd2).sum())
                if best is None or cost < best[0]:
                    best = (cost, c, nd2)
            if best is None:  # every trial hit a chosen seed: take the farthest unit
                c = int(np.argmax(np.where(np.isin(np.arange(len(units)), chosen), -1, d2)))
                best = (0.0, c, np.minimum(d2, np.square(self._distances(units, units[c]))))
            chosen.append(best[1])
            d2 = best[2]
        return [int(units[c]) for c in chosen]

    def _grow_component(
        self, labels: np.ndarray, units: np.ndarray, seeds: list[int], first: int
    ) -> None:
        load = np.zeros(len(seeds))
        frontier: list[list[tuple[float, int]]] = [[] for _ in seeds]
        dist = [dict(zip(units.tolist(), self._distances(units, s).tolist(), strict=True))
                for s in seeds]
        for j, s in enumerate(seeds):
            labels[s] = first + j
            load[j] = self.w[s]
        for j, s in enumerate(seeds):
            for v in self._nbrs(s):
                if labels[v] < 0:
                    heapq.heappush(frontier[j], (dist[j][v], v))
        turn = [(load[j], j) for j in range(len(seeds))]
        heapq.heapify(turn)
        remaining = int((labels[units] < 0).sum())
        while remaining and turn:
            _, j = heapq.heappop(turn)
            while frontier[j] and labels[frontier[j][0][1]] >= 0:
                heapq.heappop(frontier[j])
            if not frontier[j]:
                continue  # enclosed: this grid stops growing
            _, u = heapq.heappop(frontier[j])
            labels[u] = first + j
            load[j] += self.w[u]
            remaining -= 1
            for v in self._nbrs(u):
                if labels[v] < 0:
                    heapq.heappush(frontier[j], (dist[j][v], v))
            heapq.heappush(turn, (load[j], j))

    def _nearest_grid(self, labels: np.ndarray, units: np.ndarray, plan: _Allocation) -> int:
        group = self.groups[units[0]]
        anchored = np.flatnonzero((labels >= 0) & (self.groups == group) & ~plan.island)
        if self.xy is None:  # no geometry: the lightest grid of the group takes the island
            grid_ids = np.unique(labels[anchored])
            loads = [self.w[labels == g].sum() for g in grid_ids]
            return int(grid_ids[int(np.argmin(loads))])
        d = np.hypot(*(self.xy[anchored][:, None, :] - self.xy[units][None, :, :]).T)
        return int(labels[anchored[int(np.argmin(d.min(axis=0)))]])

    def _nbrs(self, u: int) -> np.ndarray:
        return self.shared.indices[self.shared.indptr[u]:self.shared.indptr[u + 1]]

    # ---- local search -----------------------------------------------------------------------
    def improve(self, labels: np.ndarray, plan: _Allocation) -> tuple[np.ndarray, float]:
        search = _LocalSearch(self, plan, labels)
        search.descend()
        search.tabu()
        search.restore_best()
        search.descend()
        return np.asarray(search.labels, dtype=np.int64), search.total()


class _LocalSearch:
    """Moves single boundary units between adjacent grids of one group."""

    def __init__(self, space: _SearchSpace, plan: _Allocation, labels: np.ndarray) -> None:
        self.s = space
        self.params = space.params
        self.movable = (~plan.island).tolist()
        self.target = plan.group_target.tolist()
        # per-unit values as plain lists: scalar numpy access dominates otherwise
        self.w, self.ar, self.pe = space.w.tolist(), space.area.tolist(), space.perim.tolist()
        self._reset(np.asarray(labels))
        self.best = (self.total(), np.asarray(self.labels))

    def _reset(self, labels: np.ndarray) -> None:
        k = len(self.target)
        s = self.s
        perim = np.bincount(labels, weights=s.perim, minlength=k)
        coo = s.shared.tocoo()
        inside = labels[coo.row] == labels[coo.col]
        perim -= np.bincount(labels[coo.row[inside]], weights=coo.data[inside], minlength=k)
        self.labels = labels.tolist()
        self.load = np.bincount(labels, weights=s.w, minlength=k).tolist()
        self.area = np.bincount(labels, weights=s.area, minlength=k).tolist()
        self.perim = perim.tolist()
        movable = np.asarray(self.movable, dtype=bool)
        self.members = [set(np.flatnonzero((labels == g) & movable).tolist()) for g in range(k)]
        self._cut: dict[int, set[int]] = {}

    def term(self, g: int, load: float, area: float, perim: float) -> float:
        t = self.target[g]
        bal = ((load - t) / t) ** 2 if t > 0 else 0.0
        pp = 4 * math.pi * area / (perim * perim) if perim > 0 else 0.0
        return bal + self.params.compactness_weight * (1.0 - pp)

    def total(self) -> float:
        return float(sum(self.term(g, self.load[g], self.area[g], self.perim[g])
                         for g in range(len(self.load))))

    def _shared_with(self, u: int) -> dict[int, float]:
        out: dict[int, float] = {}
        labels = self.labels
        for v, length in zip(self.s.nbr_list[u], self.s.len_list[u], strict=True):
            g = labels[v]
            out[g] = out.get(g, 0.0) + length
        return out

    def _cut_vertices(self, g: int) -> set[int]:
        if g not in self._cut:
            self._cut[g] = articulation_points(self.members[g], self.s.nbr_list)
        return self._cut[g]

    def moves_of(self, u: int) -> list[tuple[float, int]]:
        """(delta, target grid) for every legal move of unit ``u``."""
        a = self.labels[u]
        if not self.movable[u] or len(self.members[a]) <= 1 or u in self._cut_vertices(a):
            return []
        shared = self._shared_with(u)
        w, ar, pe = self.w[u], self.ar[u], self.pe[u]
        old_a = self.term(a, self.load[a], self.area[a], self.perim[a])
        new_a = self.term(a, self.load[a] - w, self.area[a] - ar,
                          self.perim[a] - pe + 2 * shared.get(a, 0.0))
        out = []
        for b, sh in shared.items():
            if b == a:
                continue
            old_b = self.term(b, self.load[b], self.area[b], self.perim[b])
            new_b = self.term(b, self.load[b] + w, self.area[b] + ar, self.perim[b] + pe - 2 * sh)
            out.append((new_a + new_b - old_a - old_b, b))
        return out

    def apply(self, u: int, b: int) -> None:
        a = self.labels[u]
        shared = self._shared_with(u)
        w, ar, pe = self.w[u], self.ar[u], self.pe[u]
        self.load[a] -= w
        self.area[a] -= ar
        self.perim[a] += 2 * shared.get(a, 0.0) - pe
        self.load[b] += w
        self.area[b] += ar
        self.perim[b] += pe - 2 * shared.get(b, 0.0)
        self.labels[u] = b
        self.members[a].discard(u)
        self.members[b].add(u)
        self._cut.pop(a, None)
        self._cut.pop(b, None)

    def descend(self, max_sweeps: int = 50) -> None:
        for _ in range(max_sweeps):
            improved = False
            for u in range(len(self.labels)):
                moves = self.moves_of(u)
                if moves:
                    delta, b = min(moves)
                    if delta < -1e-12:
                        self.apply(u, b)
                        improved = True
            if not improved:
                break
        self._remember()

    def _remember(self) -> None:
        value = self.total()
        if value < self.best[0] - 1e-12:
            self.best = (value, np.asarray(self.labels))

    def _focus(self) -> list[int]:
        terms = [self.term(g, self.load[g], self.area[g], self.perim[g])
                 for g in range(len(self.load))]
        return list(np.argsort(terms)[::-1][: self.params.focus_grids])

    def tabu(self) -> None:
        tabu_until: dict[int, int] = {}
        current = self.total()
        stale = 0
        for it in range(self.params.max_iterations):
            best_move = None
            for g in self._focus():
                for u in self._candidates(int(g)):
                    for delta, b in self.moves_of(u):
                        aspires = current + delta < self.best[0] - 1e-12
                        allowed = tabu_until.get(u, -1) < it or aspires
                        if allowed and (best_move is None or (delta, u, b) < best_move):
                            best_move = (delta, u, b)
            if best_move is None:
                break
            delta, u, b = best_move
            self.apply(u, b)
            current += delta
            tabu_until[u] = it + self.params.tabu_tenure
            if current < self.best[0] - 1e-12:
                self.best = (current, np.asarray(self.labels))
                stale = 0
            else:
                stale += 1
                if stale >= self.params.no_improve_limit:
                    break

    def _candidates(self, g: int) -> list[int]:
        """Boundary units of grid g and units of other grids touching it, in a stable order."""
        out: set[int] = set()
        labels = self.labels
        for u in self.members[g]:
            foreign = [v for v in self.s.nbr_list[u] if labels[v] != g]
            if foreign:
                out.add(u)
                out.update(foreign)
        return sorted(out)

    def restore_best(self) -> None:
        self._reset(self.best[1])


def articulation_points(members: set[int], nbrs: list[list[int]]) -> set[int]:
    """Cut vertices of the subgraph induced by ``members`` (iterative Hopcroft–Tarjan)."""
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    cut: set[int] = set()
    counter = 0
    for root in members:
        if root in disc:
            continue
        disc[root] = low[root] = counter
        counter += 1
        root_children = 0
        stack = [(root, -1, iter(nbrs[root]))]
        while stack:
            u, parent, it = stack[-1]
            advanced = False
            for v in it:
                if v not in members:
                    continue
                if v not in disc:
                    disc[v] = low[v] = counter
                    counter += 1
                    stack.append((v, u, iter(nbrs[v])))
                    advanced = True
                    break
                if v != parent:
                    low[u] = min(low[u], disc[v])
            if advanced:
                continue
            stack.pop()
            if parent >= 0:
                low[parent] = min(low[parent], low[u])
                if parent == root:
                    root_children += 1
                elif low[u] >= disc[parent]:
                    cut.add(parent)
        if root_children > 1:
            cut.add(root)
    return cut


def contiguity_problems(
    adjacency: sparse.csr_matrix, labels: np.ndarray, island: np.ndarray,
    *, names: tuple[str, ...] = (),
) -> list[Problem]:
    """One problem per grid whose non-island units are not connected."""
    problems = []
    for g in np.unique(labels):
        members = np.flatnonzero((labels == g) & ~island)
        if len(members) <= 1:
            continue
        n_parts, _ = csgraph.connected_components(adjacency[members][:, members], directed=False)
        if n_parts > 1:
            problems.append(Problem("plan", f"grid {names[g] if names else g}",
                                    "one connected piece (islands declared)",
                                    f"{n_parts} separate pieces",
                                    "move the cut-off units to a grid they touch"))
    return problems


def check_result(problem: PartitionProblem, result: PartitionResult) -> None:
    """Raise if the labels break the contract (coverage, groups, contiguity)."""
    problems: list[Problem] = []
    labels = result.labels
    if len(labels) != problem.n_units or (labels < 0).any():
        problems.append(Problem("plan", "", "every unit in exactly one grid",
                                "unassigned units", "report this as a bug"))
    else:
        groups = np.asarray(problem.groups)
        for g in range(result.n_grids):
            if set(groups[labels == g].tolist()) - {result.grid_group[g]}:
                problems.append(Problem("plan", f"grid {g}", "units of one jurisdiction",
                                        "units of several", "report this as a bug"))
        problems += contiguity_problems(problem.adjacency, labels, result.island)
    if problems:
        raise InvalidInputError("partition result breaks its contract", problems)
