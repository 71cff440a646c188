"""Station placement: the p-median problem, exact (MILP) and heuristic, with bounds.

The p-median problem: given clients ``i`` with weights ``w_i``, candidate sites ``j`` and the cost
``d_ij`` of serving client ``i`` from site ``j`` (metres of walking, in this project), open exactly
``p`` sites so that the weighted sum of every client's cost to its nearest open site is least.

Two solvers share one problem object:

* **Exact** — a mixed-integer programme solved by HiGHS (``scipy.optimize.milp``) in the *radius*
  formulation of Elloumi (2010), a descendant of Cornuéjols, Nemhauser & Wolsey (1980). For each
  client the distinct distances ``D¹ < D² < … < Dᴷ`` are sorted; ``z_k`` is 1 when no open site
  lies within ``Dᵏ``, and the cost is ``D¹ + Σ (Dᵏ⁺¹ − Dᵏ) z_k``. We link consecutive levels as
  ``z_k ≥ z_{k−1} − Σ_{j at level k} y_j``, so each client costs O(#sites) non-zeros instead of
  O(#sites²) — same LP bound as the classical ``x_ij ≤ y_j`` model, far smaller. Levels past the
  (n − p + 1)-th nearest site are cut: any p open sites include one of those.
* **Heuristic** — randomised greedy construction followed by best-improvement swap local search
  (Teitz & Bart 1968) evaluated with the fast-interchange bookkeeping of Resende & Werneck (2007):
  per client the nearest and second-nearest open site, so the value of every (insert, remove)
  pair is computed in one O(clients × sites) pass. Multi-start, seeded: same seed, same answer.

The heuristic's answer carries a lower bound (the LP relaxation of the exact model, or the MILP's
dual bound when the MILP ran out of time) and its gap.

Costs are any non-negative unit (metres by convention); ``inf`` marks an unreachable pair.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import dijkstra

from gridplan.errors import InfeasibleError, InvalidInputError, Problem, ProblemCollector

Method = Literal["auto", "exact", "heuristic"]
Status = Literal["optimal", "feasible"]

#: Relative gap under which a bound proves optimality (objectives are sums of path lengths).
OPTIMALITY_TOL = 1e-9


# --------------------------------------------------------------------------------------------
# Parameters and problem
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PMedianParams:
    """How to solve a p-median problem.

    ``method``: ``"exact"`` always builds the MILP; ``"heuristic"`` never does (it still solves the
    LP relaxation for a bound when ``lp_bound``); ``"auto"`` runs the MILP when the model has at
    most ``exact_max_nonzeros`` constraint non-zeros, else the heuristic. ``time_limit_s`` bounds
    the MILP / LP; on timeout the best solution found so far is kept with its gap.
    """

    method: Method = "auto"
    time_limit_s: float = 60.0
    exact_max_nonzeros: int = 600_000
    restarts: int = 6
    candidate_list_size: int = 3  # randomised greedy picks among this many best sites
    lp_bound: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        issues = ProblemCollector("PMedianParams")
        if self.method not in ("auto", "exact", "heuristic"):
            issues.add("method", expected="'auto', 'exact' or 'heuristic'", found=repr(self.method),
                       fix="pick one of the three")
        if not self.time_limit_s > 0:
            issues.add("time_limit_s", expected="> 0 seconds", found=str(self.time_limit_s),
                       fix="give the solver some time, e.g. 60")
        if self.exact_max_nonzeros < 0:
            issues.add("exact_max_nonzeros", expected=">= 0", found=str(self.exact_max_nonzeros),
                       fix="use 0 to never try the MILP under method='auto'")
        if self.restarts < 1:
            issues.add("restarts", expected=">= 1", found=str(self.restarts),
                       fix="use 1 for a single greedy + local search")
        if self.candidate_list_size < 1:
            issues.add("candidate_list_size", expected=">= 1", found=str(self.candidate_list_size),
                       fix="use 1 for pure greedy starts")
        issues.raise_if_any("invalid p-median parameters")


@dataclass(frozen=True, eq=False)
class PMedianProblem:
    """Clients × candidate sites cost matrix, client weights and the number of sites to open.

    Build with :meth:`from_cost_matrix` or :meth:`from_street_graph`; both validate everything and
    raise :class:`InvalidInputError` listing every problem at once.
    """

    costs: np.ndarray  # (n_clients, n_sites) float, inf = unreachable
    weights: np.ndarray  # (n_clients,) float >= 0
    p: int
    client_labels: tuple[Hashable, ...]
    site_labels: tuple[Hashable, ...]

    @property
    def n_clients(self) -> int:
        return int(self.costs.shape[0])

    @property
    def n_sites(self) -> int:
        return int(self.costs.shape[1])

    @classmethod
    def from_cost_matrix(
        cls,
        costs: np.ndarray | Sequence[Sequence[float]],
        p: int,
        *,
        weights: np.ndarray | Sequence[float] | None = None,
        client_labels: Sequence[Hashable] | None = None,
        site_labels: Sequence[Hashable] | None = None,
    ) -> PMedianProblem:
        """A problem from a dense cost matrix (rows = clients, columns = candidate sites)."""
        d = np.array(costs, dtype=float, copy=True)
        issues = ProblemCollector("p-median")
        if d.ndim != 2 or d.size == 0:
            issues.add("costs", expected="a non-empty 2-D matrix (clients × sites)",
                       found=f"shape {d.shape}", fix="pass one row per client, one column per site")
            issues.raise_if_any("p-median input is not usable")
        m, n = d.shape
        w = np.ones(m) if weights is None else np.array(weights, dtype=float, copy=True).ravel()
        _check_costs(d, issues)
        _check_weights(w, m, issues)
        if not (isinstance(p, int | np.integer) and 1 <= p <= n):
            issues.add("p", expected=f"an integer from 1 to the number of sites ({n})",
                       found=repr(p), fix="open at least one site and no more than there are")
        clients = tuple(range(m)) if client_labels is None else tuple(client_labels)
        sites = tuple(range(n)) if site_labels is None else tuple(site_labels)
        if len(clients) != m:
            issues.add("client_labels", expected=f"{m} labels", found=f"{len(clients)}",
                       fix="one label per row of costs")
        if len(sites) != n:
            issues.add("site_labels", expected=f"{n} labels", found=f"{len(sites)}",
                       fix="one label per column of costs")
        if w.shape == (m,) and d.ndim == 2 and not issues:
            _check_reachable(d, w, clients, issues)
        issues.raise_if_any("p-median input is not usable")
        d.flags.writeable = False
        w.flags.writeable = False
        return cls(d, w, int(p), clients, sites)

    @classmethod
    def from_street_graph(
        cls,
        graph: nx.MultiDiGraph,
        p: int,
        *,
        candidate_nodes: Iterable[Hashable] | None = None,
        grade_weights: Mapping[int, float] | None = None,
        client_weights: Mapping[Hashable, float] | None = None,
    ) -> PMedianProblem:
        """Stations on a street graph: clients are street nodes, sites are candidate nodes.

        ``graph`` follows the :mod:`gridplan.network` contract (edge ``length`` in metres,
        ``grade`` 1–4, ``street_id``). Each client node weighs half the length of every physical
        street ending at it — the street metres to patrol "around" it — times
        ``grade_weights[grade]`` (default 1; e.g. ``{1: 2.0}`` for roads patrolled twice a day,
        一日双巡). ``client_weights`` replaces that with given weights (missing nodes weigh 0).
        Costs are shortest-path metres from the site to the client along the directed graph.
        ``candidate_nodes`` defaults to every node.
        """
        nodes = list(graph.nodes)
        issues = ProblemCollector("street graph")
        if not nodes:
            issues.add("", expected="a graph with streets", found="no nodes",
                       fix="check the grid's polygon overlaps the street network")
            issues.raise_if_any("no street network to place stations on")
        index = {node: k for k, node in enumerate(nodes)}
        sites = nodes if candidate_nodes is None else list(dict.fromkeys(candidate_nodes))
        missing = [s for s in sites if s not in index]
        if missing:
            issues.add("candidate_nodes", expected="nodes of the graph",
                       found=f"{len(missing)} unknown, e.g. {missing[:3]}",
                       fix="pick candidate stations among the grid's street nodes")
        issues.raise_if_any("station candidates are not usable")
        if client_weights is None:
            weights = street_length_weights(graph, nodes, grade_weights=grade_weights)
        else:
            weights = np.array([float(client_weights.get(v, 0.0)) for v in nodes])
        adjacency = _length_matrix(graph, index)
        site_rows = np.array([index[s] for s in sites], dtype=np.int64)
        from_sites = dijkstra(adjacency, directed=True, indices=site_rows)  # (sites, nodes)
        return cls.from_cost_matrix(from_sites.T, p, weights=weights, client_labels=nodes,
                                    site_labels=sites)


def street_length_weights(
    graph: nx.MultiDiGraph,
    nodes: Sequence[Hashable],
    *,
    grade_weights: Mapping[int, float] | None = None,
) -> np.ndarray:
    """Half of each physical street's length (metres × grade weight) credited to each end node."""
    index = {node: k for k, node in enumerate(nodes)}
    weights = np.zeros(len(nodes))
    seen: set[Hashable] = set()
    for u, v, key, d in graph.edges(keys=True, data=True):
        sid = d.get("street_id", (min(u, v, key=str), max(u, v, key=str), key))
        if sid in seen:
            continue
        seen.add(sid)
        factor = 1.0 if grade_weights is None else float(grade_weights.get(d.get("grade", 4), 1.0))
        half = 0.5 * float(d["length"]) * factor
        weights[index[u]] += half
        weights[index[v]] += half
    return weights


def _length_matrix(graph: nx.MultiDiGraph, index: Mapping[Hashable, int]) -> sparse.csr_matrix:
    """Sparse directed adjacency with the shortest parallel edge length (metres)."""
    best: dict[tuple[int, int], float] = {}
    for u, v, d in graph.edges(data=True):
        a, b = index[u], index[v]
        if a == b:
            continue
        length = float(d["length"])
        if length < best.get((a, b), math.inf):
            best[(a, b)] = length
    n = len(index)
    if not best:
        return sparse.csr_matrix((n, n))
    (rows, cols), data = zip(*best.keys(), strict=True), list(best.values())
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))


def _check_costs(d: np.ndarray, issues: ProblemCollector) -> None:
    bad = np.isnan(d) | (d < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        issues.add("costs", expected="non-negative numbers (inf = unreachable)",
                   found=f"{int(bad.sum())} NaN or negative entries, first at row {i}, column {j}"
                   f" ({d[i, j]})", fix="recompute distances; mark unreachable pairs as inf")


def _check_weights(w: np.ndarray, m: int, issues: ProblemCollector) -> None:
    if w.shape != (m,):
        issues.add("weights", expected=f"{m} weights (one per client)", found=f"shape {w.shape}",
                   fix="give one weight per row of costs")
        return
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        issues.add("weights", expected="finite weights >= 0",
                   found=f"{int(bad.sum())} bad, first at client {int(np.argmax(bad))}",
                   fix="use 0 for clients that do not count")
    elif not (w > 0).any():
        issues.add("weights", expected="at least one positive weight", found="all zero",
                   fix="weigh clients by demand (street length, population, incidents)")


def _check_reachable(
    d: np.ndarray, w: np.ndarray, clients: Sequence[Hashable], issues: ProblemCollector
) -> None:
    stranded = np.flatnonzero((w > 0) & ~np.isfinite(d).any(axis=1))
    for i in stranded[:20]:
        issues.add(f"client {clients[i]!r}", expected="at least one reachable site",
                   found="every site unreachable",
                   fix="add a candidate site in its component, or give it weight 0")
    if len(stranded) > 20:
        issues.add("costs", expected="reachable clients", found=f"{len(stranded) - 20} more "
                   "unreachable clients", fix="see above")


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PMedianResult:
    """Open sites (column indices), each client's site, the objective and how good it is proven.

    ``gap`` = (objective − lower_bound) / objective; ``status`` is ``"optimal"`` when the gap is
    closed (to :data:`OPTIMALITY_TOL`), else ``"feasible"``. ``bound_source`` says where the bound
    came from: ``"milp"`` (HiGHS dual bound), ``"lp"`` (LP relaxation), ``"enumeration"``
    (p = 1 or p = number of sites, solved by inspection) or ``"nearest-site"`` (each client at its
    nearest candidate — a weak fallback).
    """

    problem: PMedianProblem
    sites: tuple[int, ...]
    assignment: np.ndarray  # site column index per client; -1 for a weight-0 unreachable client
    objective: float
    lower_bound: float
    status: Status
    method: str
    bound_source: str
    runtime_s: float
    notes: tuple[str, ...] = field(default=())

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    @property
    def site_labels(self) -> tuple[Hashable, ...]:
        return tuple(self.problem.site_labels[j] for j in self.sites)

    @property
    def mean_cost(self) -> float:
        """Weight-averaged cost per client (spopt calls this ``mean_dist``)."""
        return self.objective / float(self.problem.weights.sum())

    def problems(self) -> list[Problem]:
        """Every way this result contradicts its problem (empty when valid)."""
        pb = self.problem
        found: list[Problem] = []

        def add(where: str, expected: str, seen: str) -> None:
            found.append(Problem("PMedianResult", where, expected, seen, "report a bug"))

        sites = np.array(self.sites, dtype=np.int64)
        if len(set(self.sites)) != pb.p or len(sites) != pb.p:
            add("sites", f"{pb.p} distinct sites", str(self.sites))
        if sites.size and (sites.min() < 0 or sites.max() >= pb.n_sites):
            add("sites", f"indices in [0, {pb.n_sites})", str(self.sites))
            return found
        nearest = pb.costs[:, sites].min(axis=1) if sites.size else np.full(pb.n_clients, np.inf)
        assigned = np.where(self.assignment >= 0,
                            pb.costs[np.arange(pb.n_clients), np.maximum(self.assignment, 0)],
                            np.inf)
        if not np.isin(self.assignment[self.assignment >= 0], sites).all():
            add("assignment", "clients assigned to open sites only", "a closed site")
        counted = pb.weights > 0
        if not np.allclose(assigned[counted], nearest[counted]):
            add("assignment", "each client at its nearest open site", "a farther site")
        objective = float(pb.weights[counted] @ nearest[counted])
        if not math.isclose(objective, self.objective, rel_tol=1e-9, abs_tol=1e-6):
            add("objective", f"{objective}", f"{self.objective}")
        if self.lower_bound > self.objective * (1 + 1e-7) + 1e-6:
            add("lower_bound", f"<= objective {self.objective}", f"{self.lower_bound}")
        if self.status == "optimal" and self.gap > 1e-6:
            add("status", "a closed gap when optimal", f"gap {self.gap:.2e}")
        return found

    def is_valid(self) -> bool:
        return not self.problems()

    def summary(self) -> str:
        return (f"p-median p={self.problem.p} on {self.problem.n_clients} clients × "
                f"{self.problem.n_sites} sites: objective {self.objective:.6g}, bound "
                f"{self.lower_bound:.6g} ({self.bound_source}), gap {self.gap:.3%}, {self.status}, "
                f"{self.method}, {self.runtime_s:.2f} s")


# --------------------------------------------------------------------------------------------
# Solve
# --------------------------------------------------------------------------------------------


def solve_pmedian(
    problem: PMedianProblem, *, params: PMedianParams | None = None
) -> PMedianResult:
    """Open ``problem.p`` sites minimising the weighted cost to the nearest open site.

    Raises :class:`InfeasibleError` when no choice of p sites reaches every weighted client (e.g.
    more disconnected street components than stations).
    """
    params = params or PMedianParams()
    started = time.perf_counter()
    active = problem.weights > 0
    d = problem.costs[active]
    w = problem.weights[active]
    trivial = _by_inspection(d, w, problem.p)
    if trivial is not None:
        sites, method = trivial, "enumeration"
        bound, bound_source, notes = None, "enumeration", ()
    else:
        sites, bound, bound_source, method, notes = _solve_general(d, w, problem.p, params,
                                                                   started)
    return _make_result(problem, sites, bound, bound_source, method, notes, started)


def _by_inspection(d: np.ndarray, w: np.ndarray, p: int) -> np.ndarray | None:
    """Exact answers without search: every site open, or the single best site."""
    n = d.shape[1]
    if p == n:
        return np.arange(n)
    if p == 1:
        with np.errstate(invalid="ignore"):
            totals = w @ _finite(d)
        return np.array([int(np.argmin(totals))])
    return None


def _solve_general(
    d: np.ndarray, w: np.ndarray, p: int, params: PMedianParams, started: float
) -> tuple[np.ndarray, float | None, str, str, tuple[str, ...]]:
    notes: list[str] = []
    sites = _multistart(d, w, p, restarts=params.restarts, rcl=params.candidate_list_size,
                        seed=params.seed)
    best = _cost(d, w, sites)
    method, bound, bound_source = "heuristic", None, "nearest-site"
    model = _RadiusModel.build(d, w, p)
    use_milp = params.method == "exact" or (
        params.method == "auto" and model.nonzeros <= params.exact_max_nonzeros)
    remaining = max(1.0, params.time_limit_s - (time.perf_counter() - started))
    if use_milp:
        exact_sites, exact_bound, message = model.solve(time_limit_s=remaining, relax=False)
        if exact_sites is not None and _cost(d, w, exact_sites) <= best:
            sites, best = exact_sites, _cost(d, w, exact_sites)
            method = "milp"
        else:
            method = "heuristic (milp timed out)" if exact_sites is None else method
        if exact_bound is not None:
            bound, bound_source = exact_bound, "milp"
        notes.append(f"MILP: {message}")
    elif params.lp_bound:
        _, lp_bound, message = model.solve(time_limit_s=remaining, relax=True)
        if lp_bound is not None:
            bound, bound_source = lp_bound, "lp"
        notes.append(f"LP relaxation: {message}")
    else:
        notes.append(f"MILP skipped: {model.nonzeros} non-zeros > {params.exact_max_nonzeros}")
    return sites, bound, bound_source, method, tuple(notes)


def _make_result(
    problem: PMedianProblem,
    sites: np.ndarray,
    bound: float | None,
    bound_source: str,
    method: str,
    notes: tuple[str, ...],
    started: float,
) -> PMedianResult:
    sites = np.sort(np.asarray(sites, dtype=np.int64))
    sub = problem.costs[:, sites]
    nearest = sub.min(axis=1)
    active = problem.weights > 0
    if not np.isfinite(nearest[active]).all():
        stranded = int((~np.isfinite(nearest) & active).sum())
        raise InfeasibleError(
            f"no {problem.p} sites reach every client",
            [Problem("p-median", "", "every weighted client reachable from an open site",
                     f"{stranded} clients unreachable from the best {problem.p} sites",
                     "open more sites (p) or add candidates in every connected component")])
    assignment = np.where(np.isfinite(nearest), sites[np.argmin(sub, axis=1)], -1)
    objective = float(problem.weights[active] @ nearest[active])
    nearest_site = float(problem.weights[active] @ problem.costs[active].min(axis=1))
    if bound_source == "enumeration":
        bound = objective
    elif bound is None or bound < nearest_site:  # e.g. a MILP stopped before its bound moved
        bound, bound_source = nearest_site, "nearest-site"
    bound = min(_round_up_if_integral(problem, float(bound)), objective)
    gap = 0.0 if objective <= 0 else (objective - bound) / objective
    status: Status = "optimal" if gap <= OPTIMALITY_TOL else "feasible"
    return PMedianResult(problem, tuple(int(j) for j in sites), assignment, objective, bound,
                         status, method, bound_source, time.perf_counter() - started, notes)


def _round_up_if_integral(problem: PMedianProblem, bound: float) -> float:
    """With integer costs and weights every objective is an integer, so the bound rounds up."""
    active = problem.weights > 0
    d = problem.costs[active]
    integral = (np.array_equal(problem.weights, np.round(problem.weights))
                and np.array_equal(d[np.isfinite(d)], np.round(d[np.isfinite(d)])))
    if not integral:
        return bound
    return float(math.ceil(bound - 1e-7 * max(1.0, abs(bound))))


# --------------------------------------------------------------------------------------------
# Heuristic: randomised greedy + fast interchange
# --------------------------------------------------------------------------------------------


def _finite(d: np.ndarray) -> np.ndarray:
    """Replace inf by a cost so large that any reachable solution is cheaper."""
    if np.isfinite(d).all():
        return d
    big = (np.nanmax(np.where(np.isfinite(d), d, 0.0)) + 1.0) * (d.shape[0] + 1) * 4.0
    return np.where(np.isfinite(d), d, big)


def _cost(d: np.ndarray, w: np.ndarray, sites: np.ndarray) -> float:
    return float(w @ d[:, sites].min(axis=1))


def _multistart(
    d: np.ndarray, w: np.ndarray, p: int, *, restarts: int, rcl: int, seed: int
) -> np.ndarray:
    """Best of ``restarts`` (greedy → local search) runs; the first start is pure greedy."""
    rng = np.random.default_rng(seed)
    work = _finite(d)
    best_sites, best_cost = None, math.inf
    for start in range(restarts):
        sites = _greedy(work, w, p, rng=rng, rcl=1 if start == 0 else rcl)
        sites = _local_search(work, w, sites)
        cost = float(w @ work[:, sites].min(axis=1))
        if cost < best_cost - 1e-9:
            best_sites, best_cost = sites, cost
    assert best_sites is not None
    return best_sites


def _greedy(d: np.ndarray, w: np.ndarray, p: int, *, rng: np.random.Generator, rcl: int
            ) -> np.ndarray:
    """Add sites one by one, each time one of the ``rcl`` that lower the cost most."""
    m, n = d.shape
    nearest = np.full(m, np.inf)
    is_open = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    for _ in range(p):
        totals = w @ np.minimum(nearest[:, None], d)
        totals[is_open] = np.inf
        k = min(rcl, n - len(chosen))
        shortlist = np.argpartition(totals, k - 1)[:k] if k < n else np.arange(n)
        shortlist = shortlist[np.isfinite(totals[shortlist])]
        shortlist = shortlist[np.argsort(totals[shortlist], kind="stable")]
        j = int(shortlist[rng.integers(len(shortlist))]) if len(shortlist) > 1 else int(
            shortlist[0])
        chosen.append(j)
        is_open[j] = True
        nearest = np.minimum(nearest, d[:, j])
    return np.array(chosen, dtype=np.int64)


def _local_search(d: np.ndarray, w: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Best-improvement swaps until none saves anything (Resende–Werneck bookkeeping)."""
    m, n = d.shape
    sites = np.array(sites, dtype=np.int64)
    if len(sites) == n:
        return sites
    tol = 1e-9 * max(1.0, float(w @ d[:, sites].min(axis=1)))
    while True:
        phi1, d1, d2 = _two_nearest(d, sites)
        # gain[f]: what inserting f saves; loss[r]: what removing r costs (others reassigned).
        gain = w @ np.maximum(0.0, d1[:, None] - d)
        loss = np.bincount(phi1, weights=w * (d2 - d1), minlength=len(sites))
        # extra[f, r]: part of loss[r] recovered because f is inserted at the same time.
        extra = np.empty((n, len(sites)))
        for r in range(len(sites)):
            served = phi1 == r
            dd = d[served]
            extra[:, r] = w[served] @ np.maximum(0.0, d2[served, None] - np.maximum(
                dd, d1[served, None]))
        saving = gain[:, None] - loss[None, :] + extra
        saving[sites, :] = -np.inf
        f, r = np.unravel_index(int(np.argmax(saving)), saving.shape)
        if saving[f, r] <= tol:
            return np.sort(sites)
        sites[r] = f


def _two_nearest(d: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per client: position (in ``sites``) of the nearest open site, its cost, the second cost."""
    sub = d[:, sites]
    phi1 = np.argmin(sub, axis=1)
    d1 = sub[np.arange(len(sub)), phi1]
    if sub.shape[1] == 1:
        d2 = np.full_like(d1, 4.0 * (float(d.max()) + 1.0))
    else:
        d2 = np.partition(sub, 1, axis=1)[:, 1]
    return phi1, d1, d2


# --------------------------------------------------------------------------------------------
# Exact: Elloumi's radius formulation, chained per client
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _RadiusModel:
    """``min c·x`` over x = (y sites, z levels) with ``A x ≥ b`` and Σ y = p."""

    n_sites: int
    p: int
    objective: np.ndarray
    offset: float
    matrix: sparse.csr_matrix
    rhs: np.ndarray

    @property
    def nonzeros(self) -> int:
        return int(self.matrix.nnz) + self.n_sites

    @classmethod
    def build(cls, d: np.ndarray, w: np.ndarray, p: int) -> _RadiusModel:
        m, n = d.shape
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        rhs: list[np.ndarray] = []
        cost: list[np.ndarray] = []
        offset = 0.0
        row0, z0 = 0, n
        depth = n - p + 1  # any p open sites include one of each client's `depth` nearest
        for i in range(m):
            order = np.argsort(d[i], kind="stable")
            dist = d[i, order]
            cap = dist[depth - 1]
            keep = dist <= cap if np.isfinite(cap) else np.isfinite(dist)
            order, dist = order[keep], dist[keep]
            levels, level_of = np.unique(dist, return_inverse=True)
            k = len(levels)
            offset += w[i] * levels[0]
            # Row r (0-based level r): z_r − z_{r−1} + Σ_{level r} y ≥ [r == 0]; z_{k−1} ≡ 0.
            rows.append(row0 + level_of)
            cols.append(order)
            vals.append(np.ones(len(order)))
            if k > 1:
                zs = z0 + np.arange(k - 1)
                rows += [row0 + np.arange(k - 1), row0 + np.arange(1, k)]
                cols += [zs, zs]
                vals += [np.ones(k - 1), -np.ones(k - 1)]
                cost.append(w[i] * np.diff(levels))
            r = np.zeros(k)
            r[0] = 1.0
            rhs.append(r)
            row0 += k
            z0 += k - 1
        matrix = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(row0, z0))
        objective = np.concatenate([np.zeros(n), *cost]) if cost else np.zeros(n)
        return cls(n, p, objective, offset, matrix, np.concatenate(rhs))

    def solve(self, *, time_limit_s: float, relax: bool
              ) -> tuple[np.ndarray | None, float | None, str]:
        """(sites or None, lower bound or None, solver message)."""
        n_vars = len(self.objective)
        if relax:
            return self._solve_lp(time_limit_s)
        integrality = np.zeros(n_vars)
        integrality[: self.n_sites] = 1
        cardinality = sparse.csr_matrix(
            (np.ones(self.n_sites), (np.zeros(self.n_sites, dtype=np.int64),
                                      np.arange(self.n_sites))), shape=(1, n_vars))
        res = milp(
            self.objective,
            integrality=integrality,
            bounds=Bounds(0.0, 1.0),
            constraints=[LinearConstraint(self.matrix, lb=self.rhs, ub=np.inf),
                         LinearConstraint(cardinality, lb=self.p, ub=self.p)],
            options={"time_limit": float(time_limit_s), "mip_rel_gap": 0.0,
                     "presolve": True},
        )
        sites = None
        if res.x is not None:
            y = res.x[: self.n_sites]
            sites = np.argsort(-y, kind="stable")[: self.p]
        bound = getattr(res, "mip_dual_bound", None)
        if res.status == 0 and res.fun is not None:
            bound = res.fun if bound is None else bound
        bound = None if bound is None or not np.isfinite(bound) else float(bound) + self.offset
        return sites, bound, str(res.message)

    def _solve_lp(self, time_limit_s: float) -> tuple[None, float | None, str]:
        n_vars = len(self.objective)
        cardinality = np.zeros((1, n_vars))
        cardinality[0, : self.n_sites] = 1.0
        res = linprog(
            self.objective,
            A_ub=-self.matrix, b_ub=-self.rhs,
            A_eq=sparse.csr_matrix(cardinality), b_eq=[self.p],
            bounds=(0.0, 1.0), method="highs",
            options={"time_limit": float(time_limit_s)},
        )
        if res.status != 0:
            return None, None, str(res.message)
        return None, float(res.fun) + self.offset, str(res.message)


def check_problem_size(n_clients: int, n_sites: int, *, max_cells: int = 50_000_000) -> None:
    """Refuse cost matrices that would not fit in memory comfortably (8 bytes per cell)."""
    if n_clients * n_sites > max_cells:
        raise InvalidInputError(
            "p-median cost matrix too large",
            [Problem("p-median", "", f"at most {max_cells} client × site pairs",
                     f"{n_clients} × {n_sites}",
                     "restrict candidate sites (e.g. intersections only) or split by grid")])
