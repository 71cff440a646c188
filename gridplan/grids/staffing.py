"""Officers per grid from workload, under a total headcount; AB pairs (AB角) for surge cover.

Staffing rule: a grid needs ``ceil(workload_h_week / effective_hours_per_officer_week)`` officers,
clamped to ``[min_officers_per_grid, max_officers_per_grid]`` (default 3–5, the usual rule for
responsibility grids). ``effective_hours_per_officer_week = hours_per_officer_week × grid_share``:
the paid hours an officer actually spends on grid work (the rest goes to training, leave, admin).

When the headcount cannot meet every grid's need, officers are rationed by largest remainder with
bounds: every grid keeps its minimum, the rest is shared in proportion to demand (a common scale
factor λ with ``clamp(λ·demand, min, need)`` summing to the headcount), fractions rounded by
largest remainder. Officers left over once every need is met are reported as a reserve (机动).

AB pairs: a maximum-cardinality, maximum-weight matching on the grid adjacency graph (networkx
blossom). An edge's weight favours similar workloads and nearby stations. A grid left unmatched
(odd count, or a star of grids round one centre) joins the pair of its best-weighted neighbour,
making a triad (all its neighbours are matched, or the matching would not be maximum); a grid
with no neighbour at all is an island (e.g. Zhoushan's archipelago) and is reported.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from gridplan.errors import InfeasibleError, Problem, ProblemCollector
from gridplan.params import Params, param


@dataclass(frozen=True, kw_only=True)
class StaffingParams(Params):
    """How many officers a grid gets, in officer-hours per week (TOML table ``[staffing]``)."""

    _section = "staffing"

    min_officers_per_grid: int = param(3, unit="officers", ge=1, le=50,
                                       help="enforcement officers per grid, at least")
    max_officers_per_grid: int = param(5, unit="officers", ge=1, le=50,
                                       help="enforcement officers per grid, at most")
    hours_per_officer_week: float = param(40.0, unit="h/week", gt=0, le=84,
                                          help="contracted hours of one officer")
    grid_share: float = param(0.8, gt=0, le=1, help="share of paid hours spent on grid work "
                                                     "(the rest: training, leave, admin)")

    def _check(self, issues: ProblemCollector) -> None:
        if self.max_officers_per_grid < self.min_officers_per_grid:
            issues.add("max_officers_per_grid", expected=">= min_officers_per_grid",
                       found=f"{self.max_officers_per_grid} < {self.min_officers_per_grid}",
                       fix="raise the maximum or lower the minimum")

    @property
    def effective_hours_per_officer_week(self) -> float:
        return self.hours_per_officer_week * self.grid_share


@dataclass(frozen=True, slots=True)
class GridStaffing:
    grid: Hashable
    workload_h_week: float
    demand_officers: float  # workload ÷ effective hours, unclamped, fractional
    needed: int  # ceil(demand) clamped to [min, max]
    allocated: int

    @property
    def shortfall(self) -> int:
        return self.needed - self.allocated


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    grids: tuple[GridStaffing, ...]
    headcount: int
    params: StaffingParams

    @property
    def allocated(self) -> int:
        return sum(g.allocated for g in self.grids)

    @property
    def reserve(self) -> int:
        """Officers not fixed to a grid (机动): headcount beyond every grid's need."""
        return self.headcount - self.allocated

    @property
    def officers(self) -> dict[Hashable, int]:
        return {g.grid: g.allocated for g in self.grids}

    def over_max(self) -> list[Problem]:
        """Grids whose workload needs more officers than the maximum: split them or add staff."""
        cap = self.params.max_officers_per_grid
        return [Problem("staffing", f"grid {g.grid}", f"<= {cap} officers of work",
                        f"{g.demand_officers:.1f} officers ({g.workload_h_week:.0f} h/week)",
                        "split the grid, or raise max_officers_per_grid")
                for g in self.grids if g.demand_officers > cap + 1e-9]

    def problems(self) -> list[Problem]:
        p = self.params
        found = [Problem("StaffingPlan", f"grid {g.grid}",
                         f"{p.min_officers_per_grid} <= allocated <= needed <= "
                         f"{p.max_officers_per_grid}", f"allocated {g.allocated}, needed "
                         f"{g.needed}", "report a bug")
                 for g in self.grids
                 if not p.min_officers_per_grid <= g.allocated <= g.needed
                 <= p.max_officers_per_grid]
        if self.allocated > self.headcount:
            found.append(Problem("StaffingPlan", "", f"<= {self.headcount} officers",
                                 str(self.allocated), "report a bug"))
        return found

    def is_valid(self) -> bool:
        return not self.problems()

    def summary(self) -> str:
        short = sum(g.shortfall for g in self.grids)
        lines = [f"{len(self.grids)} grids, headcount {self.headcount}: {self.allocated} "
                 f"allocated, reserve {self.reserve}, shortfall {short}"]
        lines += [f"  {g.grid}: {g.workload_h_week:.0f} h/week -> demand "
                  f"{g.demand_officers:.2f}, needed {g.needed}, allocated {g.allocated}"
                  for g in self.grids]
        lines += [f"  ! {p}" for p in self.over_max()]
        return "\n".join(lines)


def allocate_staff(
    workloads_h_week: Mapping[Hashable, float],
    *,
    headcount: int,
    params: StaffingParams | None = None,
) -> StaffingPlan:
    """Officers per grid from weekly workload (officer-hours) under a total headcount.

    Raises :class:`InfeasibleError` when the headcount cannot give every grid its minimum; the
    problem says how many more officers are needed.
    """
    params = params or StaffingParams()
    grids = list(workloads_h_week)
    load = np.array([float(workloads_h_week[g]) for g in grids])
    _check_inputs(grids, load, headcount)
    lo, hi = params.min_officers_per_grid, params.max_officers_per_grid
    floor_total = lo * len(grids)
    if headcount < floor_total:
        raise InfeasibleError(
            f"{headcount} officers cannot staff {len(grids)} grids",
            [Problem("headcount", "", f">= {floor_total} ({len(grids)} grids × {lo} minimum)",
                     str(headcount), f"add {floor_total - headcount} more officers, merge grids, "
                     "or lower min_officers_per_grid")])
    demand = load / params.effective_hours_per_officer_week
    needed = np.clip(np.ceil(demand - 1e-9), lo, hi).astype(int)
    if needed.sum() <= headcount:
        allocated = needed
    else:
        allocated = _ration(demand, lower=lo, upper=needed, total=headcount)
    rows = tuple(GridStaffing(g, float(w), float(dm), int(n), int(a))
                 for g, w, dm, n, a in zip(grids, load, demand, needed, allocated, strict=True))
    return StaffingPlan(rows, int(headcount), params)


def _check_inputs(grids: list[Hashable], load: np.ndarray, headcount: int) -> None:
    issues = ProblemCollector("staffing")
    if not grids:
        issues.add("workloads", expected="at least one grid", found="none",
                   fix="partition the jurisdiction into grids first")
    for g, w in zip(grids, load, strict=True):
        if not (math.isfinite(w) and w >= 0):
            issues.add(f"grid {g}", expected="a workload >= 0 officer-hours/week", found=str(w),
                       fix="recompute the grid's workload")
    if not isinstance(headcount, int | np.integer) or headcount < 0:
        issues.add("headcount", expected="a whole number of officers >= 0",
                   found=repr(headcount), fix="count the squad's enforcement officers")
    issues.raise_if_any("staffing input is not usable")


def _ration(demand: np.ndarray, *, lower: int, upper: np.ndarray, total: int) -> np.ndarray:
    """Integers in [lower, upper] summing to ``total``, proportional to demand where possible."""

    def shares(scale: float) -> np.ndarray:
        return np.clip(scale * demand, lower, upper)

    lo_scale, hi_scale = 0.0, 1.0
    while shares(hi_scale).sum() < total:
        hi_scale *= 2.0
    for _ in range(200):  # bisection on the common scale factor λ
        mid = 0.5 * (lo_scale + hi_scale)
        lo_scale, hi_scale = (mid, hi_scale) if shares(mid).sum() < total else (lo_scale, mid)
    quota = shares(hi_scale)
    base = np.floor(quota + 1e-9).astype(int)
    left = total - int(base.sum())
    remainder = quota - base
    # Largest remainder first; ties to the larger demand, then to the first grid.
    order = sorted(range(len(base)), key=lambda k: (-round(remainder[k], 9), -demand[k], k))
    for k in order:
        if left <= 0:
            break
        if base[k] < upper[k]:
            base[k] += 1
            left -= 1
    return base


# --------------------------------------------------------------------------------------------
# AB pairs (AB角)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ABPairing:
    """Cover groups: pairs, plus triads where a grid had no partner left; islands apart."""

    groups: tuple[tuple[Hashable, ...], ...]
    islands: tuple[Hashable, ...]

    def partners(self, grid: Hashable) -> tuple[Hashable, ...]:
        for group in self.groups:
            if grid in group:
                return tuple(g for g in group if g != grid)
        return ()

    def problems(self, adjacency: nx.Graph) -> list[Problem]:
        """Every grid covered exactly once; every group connected in the adjacency graph."""
        found: list[Problem] = []
        seen = [g for group in self.groups for g in group] + list(self.islands)
        if sorted(map(str, seen)) != sorted(map(str, adjacency.nodes)):
            found.append(Problem("ABPairing", "", "every grid exactly once",
                                 f"{len(seen)} entries for {adjacency.number_of_nodes()} grids",
                                 "report a bug"))
        for group in self.groups:
            if len(group) < 2 or not nx.is_connected(adjacency.subgraph(group)):
                found.append(Problem("ABPairing", f"group {group}", "adjacent grids",
                                     "grids that do not touch", "report a bug"))
        return found


def ab_pairs(
    adjacency: nx.Graph,
    *,
    workloads_h_week: Mapping[Hashable, float],
    stations_xy_m: Mapping[Hashable, tuple[float, float]] | None = None,
    workload_weight: float = 0.5,
) -> ABPairing:
    """Pair every grid with an adjacent one for surge cover (AB角).

    ``adjacency``: nodes are grid codes, an edge joins grids sharing a boundary (e.g.
    ``gridplan.grids.adjacency.unit_adjacency(grids).to_graph()`` relabelled by code).
    Edge weight = 1 + ``workload_weight`` × similarity + (1 − ``workload_weight``) × closeness,
    where similarity = smaller ÷ larger workload and closeness = 1 − station distance ÷ the
    longest station distance among adjacent grids (metric CRS; 1 when stations are not given).
    The constant 1 makes the matching pair as many grids as possible first.
    """
    graph = _weighted(adjacency, workloads_h_week, stations_xy_m, workload_weight)
    matching = nx.max_weight_matching(graph, maxcardinality=True, weight="weight")
    pairs = sorted(tuple(sorted((a, b), key=str)) for a, b in matching)
    group_of: dict[Hashable, list[Hashable]] = {}
    groups = [list(pair) for pair in pairs]
    for group in groups:
        for g in group:
            group_of[g] = group
    islands = []
    for grid in sorted(graph.nodes, key=str):
        if grid in group_of:
            continue
        neighbours = sorted(graph[grid], key=lambda n: (-graph[grid][n]["weight"], str(n)))
        if not neighbours:
            islands.append(grid)
            continue
        group_of[neighbours[0]].append(grid)  # the odd one out joins its best neighbour's pair
    return ABPairing(tuple(tuple(g) for g in groups), tuple(islands))


def _weighted(
    adjacency: nx.Graph,
    workloads: Mapping[Hashable, float],
    stations: Mapping[Hashable, tuple[float, float]] | None,
    workload_weight: float,
) -> nx.Graph:
    issues = ProblemCollector("ab_pairs")
    if not 0 <= workload_weight <= 1:
        issues.add("workload_weight", expected="in [0, 1]", found=str(workload_weight),
                   fix="0.5 weighs workload and distance equally")
    for grid in adjacency.nodes:
        if grid not in workloads:
            issues.add(f"grid {grid}", expected="a workload", found="none",
                       fix="give a workload for every grid in the adjacency graph")
        if stations is not None and grid not in stations:
            issues.add(f"grid {grid}", expected="a station position", found="none",
                       fix="suggest stations first, or pass stations_xy_m=None")
    issues.raise_if_any("AB pairing input is not usable")
    edges = sorted((tuple(sorted((a, b), key=str)) for a, b in adjacency.edges if a != b),
                   key=lambda e: (str(e[0]), str(e[1])))
    dist = {e: _distance(stations, *e) for e in edges}
    longest = max(dist.values(), default=0.0)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(adjacency.nodes, key=str))
    for a, b in edges:
        wa, wb = float(workloads[a]), float(workloads[b])
        similarity = 1.0 if max(wa, wb) == 0 else min(wa, wb) / max(wa, wb)
        closeness = 1.0 if longest == 0 else 1.0 - dist[(a, b)] / longest
        weight = 1.0 + workload_weight * similarity + (1 - workload_weight) * closeness
        graph.add_edge(a, b, weight=weight)
    return graph


def _distance(stations: Mapping[Hashable, tuple[float, float]] | None, a: Hashable,
              b: Hashable) -> float:
    if stations is None:
        return 0.0
    (xa, ya), (xb, yb) = stations[a], stations[b]
    return math.hypot(xa - xb, ya - yb)
