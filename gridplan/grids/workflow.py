"""The planner's workflow: today's layout as a plan, a redesign, and both judged side by side.

Everything here is pure: it takes a street network, GeoDataFrames in the network's metric CRS
(metres) and parameters, and returns result objects; :mod:`gridplan.grids.jobs` chains these steps
into the planner's jobs, and :mod:`geodata.grid_plans` reads and writes their files.

1. :func:`planning_units` — basic units (street blocks or ~10,000 m² cells) of the jurisdictions
   *where the network has streets* (each jurisdiction is clipped to the convex hull of the
   network's streets: land beyond the loaded streets is not planned), with their workload.
2. :func:`current_layout` — today's grid polygons mapped onto those units: each unit goes to the
   grid covering most of its area. A unit less than ``min_cover_share`` covered by all grids
   together lies *outside every grid*: it goes to a "no grid" bucket of its jurisdiction (one
   bucket per jurisdiction, keyed ``无网格-<jurisdiction>``, no code, no staff) and is listed in
   :attr:`CurrentLayout.uncovered_units`, so today's plan still covers every unit and the
   comparison is over the same units.
3. :func:`staff_plan` — officers per grid (allocated under a headcount, or as on file),
   a week roster, the blind-spot report against the incidents, AB pairs and stations.
4. :func:`redesign` — partition, codes kept from today where a grid is unchanged, staffing,
   roster, blind spots, stations, AB pairs, other staff carried over, and the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from gridplan.errors import InfeasibleError, InvalidInputError, Problem, ProblemCollector
from gridplan.grids.adjacency import UnitAdjacency, unit_adjacency
from gridplan.grids.codes import CodeLayout, assign_codes
from gridplan.grids.compare import PlanComparison, compare_plans
from gridplan.grids.core import PartitionParams
from gridplan.grids.observed import ObservedBlindSpots
from gridplan.grids.partition import GridPlan, partition_units
from gridplan.grids.roster import (
    DAY_NAMES_ZH,
    DAYS,
    HOURS_PER_WEEK,
    BlindSpotReport,
    Roster,
    RosterParams,
    blind_spots,
    build_roster,
)
from gridplan.grids.staffing import (
    ABPairing,
    StaffingParams,
    StaffingPlan,
    ab_pairs,
    allocate_staff,
)
from gridplan.grids.stations import StationSuggestion, grid_subgraph, suggest_station
from gridplan.grids.units import (
    WorkloadParams,
    add_workload,
    attach_incidents,
    attach_streets,
    square_cells,
    street_blocks,
    street_lines,
)
from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams

UnitKind = Literal["blocks", "cells"]
OTHER_ROLES = ("sanitation", "municipal", "greening")
NO_GRID_PREFIX = "无网格-"


# ---- 1. units ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanningUnits:
    """Units with workload (metric CRS), their rook adjacency and the clipped jurisdictions."""

    units: gpd.GeoDataFrame
    adjacency: UnitAdjacency
    jurisdictions: gpd.GeoDataFrame  # code + geometry clipped to the streets' hull
    incidents_outside: int = 0  # incidents that fell outside every unit
    warnings: tuple[Problem, ...] = ()  # slivers of the jurisdiction polygons, dropped


def planning_units(
    network: StreetNetwork,
    jurisdictions: gpd.GeoDataFrame,
    *,
    code_col: str = "code",
    kind: UnitKind = "blocks",
    split_above_m2: float | None = None,
    cell_area_m2: float = 10_000.0,
    min_unit_m2: float = 400.0,
    incidents: gpd.GeoDataFrame | None = None,
    as_of: datetime | None = None,
    workload: WorkloadParams | None = None,
    patrol: PatrolParams | None = None,
) -> PlanningUnits:
    """Basic units of ``jurisdictions`` where ``network`` has streets, with ``workload_h``.

    ``jurisdictions`` and ``incidents`` may be in any CRS; they are projected to the network's
    metric CRS. ``as_of`` (for recency weights) defaults to the latest incident; ``patrol`` is
    the patrol policy the street workload is sized with (the one routes are planned with). A
    jurisdiction the network's streets do not reach raises :class:`InvalidInputError` (all of
    them at once). Units below ``min_unit_m2`` merge into a neighbour of their jurisdiction;
    slivers touching none are dropped and listed in :attr:`PlanningUnits.warnings`.
    """
    if kind not in ("blocks", "cells"):
        raise InvalidInputError(
            "unknown unit kind",
            [Problem("units", "kind", "'blocks' or 'cells'", repr(kind), "pick one of them")],
        )
    clipped = _clip_to_streets(network, jurisdictions, code_col)
    if kind == "blocks":
        units = street_blocks(network, clipped, split_above_m2=split_above_m2,
                              min_area_m2=min_unit_m2)
    else:
        units = square_cells(clipped, cell_area_m2=cell_area_m2, min_area_m2=min_unit_m2)
    slivers = tuple(units.attrs.get("slivers", ()))
    units = attach_streets(units, network, patrol=patrol)  # the policy routes are planned with
    outside = 0
    if incidents is not None and len(incidents):
        metric = incidents.to_crs(network.crs)
        when = as_of or pd.Timestamp(metric["time"].max()).to_pydatetime()
        units = attach_incidents(units, metric, as_of=when)
        outside = int(units.attrs.get("incidents_outside", 0))
    units = add_workload(units, workload)
    return PlanningUnits(units, unit_adjacency(units), clipped, outside, slivers)


def _frame_problems(issues: ProblemCollector, frame: gpd.GeoDataFrame, code_col: str, *,
                    what: str, fix: str) -> None:
    """A polygon frame the planner can use: a code column, rows, a CRS (never assumed)."""
    if code_col not in frame.columns:
        issues.add("columns", expected=f"a '{code_col}' column", found=str(list(frame.columns)),
                   fix=fix)
    if len(frame) == 0:
        issues.add("", expected=f"at least one {what}", found="none", fix=fix)
    if frame.crs is None:
        issues.add("crs", expected="a CRS", found="none",
                   fix="set it, e.g. frame.set_crs('EPSG:4326') for longitude/latitude")


def _clip_to_streets(
    network: StreetNetwork, jurisdictions: gpd.GeoDataFrame, code_col: str
) -> gpd.GeoDataFrame:
    issues = ProblemCollector("jurisdictions")
    _frame_problems(issues, jurisdictions, code_col, what="jurisdiction",
                    fix="pass the districts, towns or communities to plan")
    issues.raise_if_any("no jurisdictions to plan")
    lines = street_lines(network)
    metric = jurisdictions.to_crs(network.crs)
    hull = shapely.union_all(lines.geometry.values).convex_hull if len(lines) else None
    tree = shapely.STRtree(lines.geometry.values)
    geoms = []
    for code, geom in zip(metric[code_col].astype(str), metric.geometry, strict=True):
        clipped = shapely.intersection(geom, hull) if hull is not None else shapely.Polygon()
        polys = shapely.get_parts(clipped)
        clipped = (
            shapely.union_all(polys[shapely.get_type_id(polys) == 3])
            if len(polys)
            else (shapely.Polygon())
        )
        if clipped.is_empty or len(tree.query(clipped, predicate="intersects")) == 0:
            issues.add(
                f"jurisdiction {code}",
                expected="streets of the network inside it",
                found="no street of the network reaches it",
                fix="load an OSM file covering it, or leave it out of the plan",
            )
        geoms.append(clipped)
    issues.raise_if_any("some jurisdictions have no streets to plan")
    return gpd.GeoDataFrame(
        {"code": metric[code_col].astype(str).to_numpy()}, geometry=geoms, crs=network.crs
    )


# ---- 2. today's layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentLayout:
    """Today's grids as a :class:`GridPlan` over the planning units.

    ``keys``: grid number → key (the grid's code, or ``无网格-<jurisdiction>`` for a bucket of
    units outside every grid). ``staff``: per key, ``name``, ``enforcement`` and the other roles
    as on file (buckets have none). ``warnings``: grids that cover no unit or sit in another
    jurisdiction than their units, units outside every grid.
    """

    plan: GridPlan
    keys: Mapping[int, str]
    staff: pd.DataFrame
    uncovered_units: tuple[str, ...]
    stations_xy_m: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()

    @property
    def enforcement_total(self) -> int:
        return int(self.staff["enforcement"].sum())

    @property
    def n_real_grids(self) -> int:
        return sum(not k.startswith(NO_GRID_PREFIX) for k in self.keys.values())


def current_layout(
    units: gpd.GeoDataFrame,
    adjacency: UnitAdjacency,
    grids: gpd.GeoDataFrame,
    *,
    code_col: str = "code",
    parent_col: str = "parent_code",
    min_cover_share: float = 0.5,
    stations_xy_m: Mapping[str, tuple[float, float]] | None = None,
) -> CurrentLayout:
    """Map today's grid polygons (any CRS) onto ``units`` (metric CRS); see the module docstring.

    ``grids`` columns: ``code`` (unique), ``parent_code``; optional ``name`` and staff counts
    ``enforcement``, ``sanitation``, ``municipal``, ``greening`` (missing counts are 0).
    """
    _check_layout(grids, code_col, min_cover_share)
    metric = grids.to_crs(units.crs).reset_index(drop=True)
    codes = metric[code_col].astype(str).to_numpy()
    best, covered = _best_cover(units, metric)
    outside = covered < min_cover_share
    jur = units["jurisdiction"].astype(str).to_numpy()
    used = sorted(set(best[~outside].tolist()))
    number = {g: i for i, g in enumerate(used)}
    buckets = sorted(set(jur[outside].tolist()))
    number.update({("bucket", j): len(used) + k for k, j in enumerate(buckets)})
    labels = np.array(
        [
            number[("bucket", jur[i])] if outside[i] else number[int(best[i])]
            for i in range(len(units))
        ],
        dtype=np.int64,
    )
    keys = {number[g]: codes[g] for g in used}
    keys.update({number[("bucket", j)]: f"{NO_GRID_PREFIX}{j}" for j in buckets})
    plan = GridPlan.from_assignment(
        units,
        adjacency,
        pd.Series(labels, index=units.index),
        codes={number[g]: codes[g] for g in used},
    )
    warnings = _layout_warnings(metric, codes, used, units, labels, number, parent_col, outside)
    return CurrentLayout(
        plan,
        keys,
        _staff_table(metric, codes, used, keys, number),
        tuple(str(u) for u in units.index[outside]),
        dict(stations_xy_m or {}),
        tuple(warnings),
    )


def _check_layout(grids: gpd.GeoDataFrame, code_col: str, min_cover_share: float) -> None:
    issues = ProblemCollector("current grids")
    _frame_problems(issues, grids, code_col, what="grid polygon",
                    fix="load the layout with geodata.grids.load_grids")
    if code_col in grids.columns and grids[code_col].astype(str).duplicated().any():
        issues.add(code_col, expected="unique codes", found="duplicates", fix="renumber")
    if not 0 < min_cover_share <= 1:
        issues.add(
            "min_cover_share",
            expected="a fraction in (0, 1]",
            found=str(min_cover_share),
            fix="e.g. 0.5: a unit at least half covered by grids belongs to one",
        )
    issues.raise_if_any("today's grid layout is not usable")


def _best_cover(units: gpd.GeoDataFrame, grids: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per unit: the grid (row) covering most of its area, and the share covered by all grids."""
    u_geoms = units.geometry.values
    g_geoms = grids.geometry.values
    ui, gi = shapely.STRtree(g_geoms).query(u_geoms, predicate="intersects")
    area = shapely.area(shapely.intersection(u_geoms[ui], g_geoms[gi]))
    table = sparse.coo_matrix((area, (ui, gi)), shape=(len(units), len(grids))).tocsr()
    best = np.asarray(table.argmax(axis=1)).ravel()
    unit_area = np.maximum(shapely.area(u_geoms), 1e-12)
    covered = np.minimum(np.asarray(table.sum(axis=1)).ravel() / unit_area, 1.0)
    return best, covered


def _layout_warnings(
    grids, codes, used, units, labels, number, parent_col, outside
) -> list[Problem]:
    found = [
        Problem(
            "current grids",
            f"grid {codes[g]}",
            "units of the planned area",
            "no unit is mostly inside it",
            "check it lies in the jurisdictions and on the loaded streets",
        )
        for g in range(len(codes))
        if g not in set(used)
    ]
    if parent_col in grids.columns:
        jur = units["jurisdiction"].astype(str).to_numpy()
        for g in used:
            mine = set(jur[labels == number[g]].tolist())
            parent = str(grids[parent_col].iloc[g])
            if mine != {parent}:
                found.append(
                    Problem(
                        "current grids",
                        f"grid {codes[g]}",
                        f"units of its parent {parent}",
                        f"units of {sorted(mine)}",
                        "fix parent_code or the grid polygon",
                    )
                )
    if outside.any():
        area = float(units.loc[outside, "area_m2"].sum())
        work = float(units.loc[outside, "workload_h"].sum()) if "workload_h" in units else 0.0
        found.append(
            Problem(
                "current grids",
                "",
                "every unit inside a grid",
                f"{int(outside.sum())} units outside every grid ({area / 1e6:.3f} "
                f"km², {work:.1f} h/week), kept in a 'no grid' bucket",
                "the redesign covers them; or extend today's grids",
            )
        )
    return found


def _staff_table(grids, codes, used, keys, number) -> pd.DataFrame:
    rows = []
    for n, key in sorted(keys.items()):
        row: dict[str, Any] = {
            "key": key,
            "name": key,
            "enforcement": 0,
            **{r: 0 for r in OTHER_ROLES},
        }
        g = next((g for g in used if number[g] == n), None)
        if g is not None:
            src = grids.iloc[g]
            row["name"] = str(src["name"]) if "name" in grids and pd.notna(src["name"]) else key
            for role in ("enforcement", *OTHER_ROLES):
                if role in grids.columns and pd.notna(src[role]):
                    row[role] = int(src[role])
        rows.append(row)
    return pd.DataFrame(rows).set_index("key")


# ---- 3. staffing, roster, blind spots, AB pairs, stations ----------------------------------


@dataclass(frozen=True, eq=False)
class StaffedPlan:
    """A plan with its officers, roster, blind spots, AB pairs and stations (keys = codes)."""

    plan: GridPlan
    keys: Mapping[int, str]
    staffing: StaffingPlan  # needs per grid; allocation under the headcount (or as on file)
    officers: Mapping[str, int]
    headcount: int  # officers available: the allocation's headcount, or the officers on file
    roster: Roster
    blind_spots: BlindSpotReport
    ab: ABPairing
    stations: Mapping[str, StationSuggestion | tuple[float, float]]
    warnings: tuple[Problem, ...] = ()
    #: what officers' tracks never reached, next to the roster (with recent coverage given)
    observed: ObservedBlindSpots | None = None

    @property
    def staff_needed(self) -> int:
        return sum(g.needed for g in self.staffing.grids)

    @property
    def uncovered_share(self) -> float:
        """Share of incidents (all classes) in an hour their grid has nobody on duty."""
        totals = self.blind_spots.total_by_class
        n = sum(totals.values())
        hit = sum(self.blind_spots.uncovered_share_by_class[c] * totals[c] for c in totals)
        return hit / n if n else 0.0

    def station_xy(self, key: str) -> tuple[float, float] | None:
        s = self.stations.get(key)
        if s is None:
            return None
        return s.points_xy_m[0] if isinstance(s, StationSuggestion) else s

    def problems(self) -> list[Problem]:
        found = list(self.plan.problems()) + self.roster.problems()
        found += self.ab.problems(grid_graph(self.plan, self.keys))
        found += [
            Problem(
                "roster",
                f"grid {s.grid}",
                f"{s.target} on duty {DAY_NAMES_ZH[s.day]} {s.shift}",
                str(s.on_duty),
                "add officers or lower the targets",
            )
            for s in self.roster.shortfalls()
        ]
        return found


def grid_graph(plan: GridPlan, keys: Mapping[int, str]) -> nx.Graph:
    """Grids (by key) joined when two of their units share a boundary."""
    coo = sparse.triu(plan.adjacency.matrix, k=1).tocoo()
    labels = plan.labels()
    graph = nx.Graph()
    graph.add_nodes_from(keys[int(g)] for g in plan.grids.index)
    a, b = labels[coo.row], labels[coo.col]
    for ga, gb in set(zip(a[a != b].tolist(), b[a != b].tolist(), strict=True)):
        graph.add_edge(keys[ga], keys[gb])
    return graph


def incident_grids(
    plan: GridPlan, keys: Mapping[int, str], incidents: gpd.GeoDataFrame
) -> pd.Series:
    """The grid key of each incident (NaN outside every unit); incidents in any CRS."""
    points = incidents.to_crs(plan.units.crs).geometry.values
    pi, ui = shapely.STRtree(plan.units.geometry.values).query(points, predicate="within")
    row = np.full(len(points), -1)
    row[pi[::-1]] = ui[::-1]
    labels = plan.labels()
    out = [keys[int(labels[r])] if r >= 0 else np.nan for r in row]
    return pd.Series(out, index=incidents.index, dtype=object)


def _hour_of_week(times: pd.Series, tz: str) -> np.ndarray:
    local = pd.to_datetime(times).dt.tz_convert(tz)
    return (local.dt.day_of_week * 24 + local.dt.hour).to_numpy(dtype=int)


def _roster_demand(
    keys: list[str], grid_of: pd.Series, hours: np.ndarray, params: RosterParams
) -> dict[str, np.ndarray]:
    """(7, n_shifts) incident counts per grid in each shift's hours: where extras help most."""
    demand = {}
    for key in keys:
        per_hour = np.bincount(hours[(grid_of == key).to_numpy()], minlength=HOURS_PER_WEEK)
        demand[key] = np.array(
            [[per_hour[s.hours_of_week(d)].sum() for s in params.shifts] for d in range(DAYS)],
            dtype=float,
        )
    return demand


def _needs(workloads: Mapping[str, float], params: StaffingParams) -> StaffingPlan:
    """Each grid's need (clamped to min..max): the allocation with staff for everyone."""
    return allocate_staff(
        workloads, headcount=params.max_officers_per_grid * len(workloads), params=params
    )


def staff_plan(
    plan: GridPlan,
    keys: Mapping[int, str],
    *,
    headcount: int | None = None,
    officers: Mapping[str, int] | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    network: StreetNetwork | None = None,
    stations_xy_m: Mapping[str, tuple[float, float]] | None = None,
    staffing_params: StaffingParams | None = None,
    roster_params: RosterParams | None = None,
    tz: str = "Asia/Shanghai",
    min_on_duty: int = 1,
) -> StaffedPlan:
    """Officers, roster, blind spots, AB pairs and stations of ``plan``.

    Officers: ``officers`` (per key, e.g. today's staff on file) if given, else
    :func:`allocate_staff` under ``headcount`` (``None``: every grid gets its need). Stations:
    ``stations_xy_m`` if given, else the p-median station of each grid's streets in ``network``
    (none without a network). ``incidents`` need ``time`` (tz-aware) and ``event_class``.
    """
    staffing_params = staffing_params or StaffingParams()
    roster_params = roster_params or RosterParams()
    workloads = {keys[int(g)]: float(w) for g, w in plan.grids["workload_h"].items()}
    needs = _needs(workloads, staffing_params)
    if officers is not None:
        staffing, alloc = needs, {k: int(officers.get(k, 0)) for k in workloads}
    else:
        total = sum(g.needed for g in needs.grids) if headcount is None else headcount
        staffing = allocate_staff(workloads, headcount=int(total), params=staffing_params)
        alloc = {str(k): int(v) for k, v in staffing.officers.items()}
    frame = (
        incidents
        if incidents is not None
        else gpd.GeoDataFrame(
            {"time": pd.Series([], dtype="datetime64[ns, UTC]"), "event_class": []},
            geometry=[],
            crs=plan.units.crs,
        )
    )
    grid_of = incident_grids(plan, keys, frame)
    hours = _hour_of_week(frame["time"], tz)
    roster = build_roster(
        {k: [f"{k}-{i + 1:02d}" for i in range(n)] for k, n in alloc.items()},
        params=roster_params,
        demand=_roster_demand(list(alloc), grid_of, hours, roster_params),
        on_shortfall="report",
    )
    table = pd.DataFrame(
        {
            "grid": grid_of.to_numpy(),
            "time": frame["time"].reset_index(drop=True),
            "event_class": frame["event_class"].astype(str).to_numpy(),
        }
    )
    report = blind_spots(table, roster.coverage_by_hour(), min_on_duty=min_on_duty, tz=tz)
    stations, warnings = _stations(plan, keys, network, stations_xy_m)
    graph = grid_graph(plan, keys)
    xy = {
        k: (s.points_xy_m[0] if isinstance(s, StationSuggestion) else s)
        for k, s in stations.items()
    }
    pairs = ab_pairs(
        graph, workloads_h_week=workloads, stations_xy_m=xy if set(xy) >= set(graph.nodes) else None
    )
    available = sum(alloc.values()) if officers is not None else staffing.headcount
    return StaffedPlan(
        plan,
        dict(keys),
        staffing,
        alloc,
        int(available),
        roster,
        report,
        pairs,
        stations,
        tuple(warnings),
    )


def _stations(
    plan: GridPlan,
    keys: Mapping[int, str],
    network: StreetNetwork | None,
    given: Mapping[str, tuple[float, float]] | None,
) -> tuple[dict[str, Any], list[Problem]]:
    if given is not None or network is None:
        return dict(given or {}), []
    out: dict[str, Any] = {}
    warnings = []
    for g, polygon in plan.grids.geometry.items():
        key = keys[int(g)]
        sub = grid_subgraph(network.graph, polygon)
        if sub.number_of_edges() == 0:
            warnings.append(
                Problem(
                    "stations",
                    f"grid {key}",
                    "streets inside the grid",
                    f"{sub.number_of_nodes()} nodes, no street",
                    "no station suggested: place it by hand",
                )
            )
            continue
        out[key] = suggest_station(sub)
    return out, warnings


# ---- 4. the redesign -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Redesign:
    """A proposed layout, staffed, beside today's (when known)."""

    proposed: StaffedPlan
    current: StaffedPlan | None
    current_layout: CurrentLayout | None
    comparison: PlanComparison | None
    other_staff: pd.DataFrame  # per proposed code: sanitation, municipal, greening
    seed: int
    #: what the inputs needed to be usable: repaired polygons, dropped slivers, layout mismatches
    warnings: tuple[Problem, ...] = ()

    def problems(self) -> list[Problem]:
        """Everything wrong with the proposal: plan, roster rules and targets, AB pairs."""
        return self.proposed.problems() + list(self.proposed.staffing.problems())

    def is_valid(self) -> bool:
        return not self.problems()

    def summary(self) -> dict[str, Any]:
        """Plain data (JSON-ready): both layouts' key figures and the comparison."""
        out: dict[str, Any] = {"seed": self.seed, "proposed": _staffed_summary(self.proposed)}
        if self.current is not None and self.current_layout is not None:
            out["current"] = _staffed_summary(self.current) | {
                "units_outside_every_grid": len(self.current_layout.uncovered_units),
                "warnings": [str(w) for w in self.current_layout.warnings],
            }
        if self.comparison is not None:
            out["comparison"] = self.comparison.to_dict()["measures"]
            out["units_changed_grid"] = [str(u) for u in self.comparison.changed_units]
        out["problems"] = [str(p) for p in self.problems()]
        out["warnings"] = [str(w) for w in self.warnings]
        return out


def _staffed_summary(s: StaffedPlan) -> dict[str, Any]:
    short = s.roster.shortfalls()
    return {
        **s.plan.summary(),
        "staff_needed": s.staff_needed,
        "officers": int(sum(s.officers.values())),
        "headcount": s.headcount,
        "reserve": s.headcount - int(sum(s.officers.values())),
        "over_max": [str(p) for p in s.staffing.over_max()],
        "roster_meets_targets": not short,
        "roster_shortfalls": len(short),
        "incidents_uncovered_share": round(s.uncovered_share, 4),
        "blind_spots": s.blind_spots.lines(top=5),
        "ab_groups": [list(map(str, g)) for g in s.ab.groups],
        "ab_islands": [str(g) for g in s.ab.islands],
    }


def redesign(
    units: gpd.GeoDataFrame,
    adjacency: UnitAdjacency,
    *,
    n_grids: int | None = None,
    target_workload_h: float | None = None,
    current: CurrentLayout | None = None,
    headcount: int | None = None,
    network: StreetNetwork | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    seed: int = 0,
    staffing_params: StaffingParams | None = None,
    roster_params: RosterParams | None = None,
    partition_params: PartitionParams | None = None,
    code_layout: CodeLayout | None = None,
    keep_overlap: float = 0.9,
    tz: str = "Asia/Shanghai",
) -> Redesign:
    """Redraw the grids of ``units`` and judge the proposal against ``current``.

    Grid count: ``n_grids`` or ``target_workload_h``; neither → as many grids as today's layout
    has (real grids, not 'no grid' buckets). Headcount: ``headcount``, else today's enforcement
    staff (when any is on file), else every grid's need. Bad requests (more grids than units, a
    headcount below grids × minimum) are reported together before any work. Same ``seed`` ⇒
    same redesign.
    """
    staffing_params = staffing_params or StaffingParams()
    if n_grids is None and target_workload_h is None:
        if current is None:
            raise InvalidInputError(
                "how many grids?",
                [
                    Problem(
                        "redesign",
                        "n_grids / target_workload_h",
                        "one of them (no current layout to copy the count from)",
                        "neither",
                        "pass n_grids=N or target_workload_h=H",
                    )
                ],
            )
        if current.n_real_grids == 0:
            raise InvalidInputError(
                "today's grids cover none of the planned units",
                [
                    Problem(
                        "redesign",
                        "current layout",
                        "grids lying on the planned jurisdictions' streets",
                        "no unit is mostly inside any of today's grids",
                        "check the grids file's coordinates and parent codes, or pass "
                        "n_grids=N or target_workload_h=H",
                    )
                ],
            )
        n_grids = current.n_real_grids
    if headcount is None and current is not None and current.enforcement_total > 0:
        headcount = current.enforcement_total  # no staff on file: every grid gets its need
    _check_request(len(units), n_grids, headcount, staffing_params)
    plan = partition_units(
        units,
        adjacency,
        n_grids=n_grids,
        target_workload_h=target_workload_h,
        seed=seed,
        params=partition_params,
    )
    plan = assign_codes(
        plan,
        previous=current.plan if current else None,
        layout=code_layout,
        keep_overlap=keep_overlap,
    )
    keys = {int(g): plan.codes[int(g)] for g in plan.grids.index}
    if headcount is not None:
        _check_request(len(units), len(keys), headcount, staffing_params)
    proposed = staff_plan(
        plan,
        keys,
        headcount=headcount,
        incidents=incidents,
        network=network,
        staffing_params=staffing_params,
        roster_params=roster_params,
        tz=tz,
    )
    if current is None:
        other = pd.DataFrame(0, index=list(keys.values()), columns=list(OTHER_ROLES))
        return Redesign(proposed, None, None, None, other, seed)
    today = staff_plan(
        current.plan,
        current.keys,
        officers=current.staff["enforcement"].to_dict(),
        incidents=incidents,
        stations_xy_m=current.stations_xy_m,
        staffing_params=staffing_params,
        roster_params=roster_params,
        tz=tz,
    )
    comparison = compare_plans(
        current.plan,
        plan,
        staff=lambda p: (today if p is current.plan else proposed).staff_needed,
        blind_spots=lambda p: (today if p is current.plan else proposed).uncovered_share,
    )
    other = carry_staff(current, plan, keys)
    return Redesign(proposed, today, current, comparison, other, seed)


def _check_request(
    n_units: int, n_grids: int | None, headcount: int | None, params: StaffingParams
) -> None:
    issues = ProblemCollector("redesign")
    if n_grids is not None and n_grids > n_units:
        issues.add(
            "n_grids",
            expected=f"at most {n_units} (the number of units)",
            found=str(n_grids),
            fix="ask for fewer grids, or use smaller units (cells)",
        )
    if n_grids is not None and n_grids < 1:
        issues.add("n_grids", expected="at least 1", found=str(n_grids), fix="ask for 1 or more")
    if (
        headcount is not None
        and n_grids is not None
        and headcount < n_grids * (params.min_officers_per_grid)
    ):
        need = n_grids * params.min_officers_per_grid
        issues.add(
            "headcount",
            expected=f">= {need} ({n_grids} grids × {params.min_officers_per_grid} minimum)",
            found=str(headcount),
            fix=f"add {need - headcount} officers, ask for fewer grids, or lower "
            "min_officers_per_grid",
        )
    only_staff = issues.problems and all(p.where == "headcount" for p in issues.problems)
    issues.raise_if_any(
        "the redesign cannot be staffed" if only_staff else "the redesign request is not usable",
        error=InfeasibleError if only_staff else InvalidInputError,
    )


def carry_staff(current: CurrentLayout, plan: GridPlan, keys: Mapping[int, str]) -> pd.DataFrame:
    """Sanitation, municipal and greening staff follow the streets they serve.

    Each of today's grids spreads its staff over its units in proportion to street metres
    (area where a grid has no street); each proposed grid sums its units' shares, rounded by
    largest remainder so every role keeps today's total.
    """
    units = plan.units
    street_cols = [c for c in units.columns if c.startswith("street_m_g")]
    weight = units[street_cols].sum(axis=1).to_numpy(float) if street_cols else np.zeros(len(units))
    today = current.plan.units["grid"].reindex(units.index).to_numpy()
    share = np.zeros(len(units))
    for g in np.unique(today):
        mine = today == g
        w = weight[mine] if weight[mine].sum() > 0 else units["area_m2"].to_numpy(float)[mine]
        share[mine] = w / w.sum() if w.sum() > 0 else 1.0 / mine.sum()
    new = plan.labels()
    out = {}
    for role in OTHER_ROLES:
        per_today = (
            current.staff[role].reindex([current.keys[int(g)] for g in today]).to_numpy(float)
        )
        quota = np.bincount(new, weights=share * per_today, minlength=int(new.max()) + 1)
        out[role] = _largest_remainder(quota, int(round(current.staff[role].sum())))
    frame = pd.DataFrame(out)
    frame.index = [keys[int(g)] for g in frame.index]
    return frame.loc[[keys[int(g)] for g in plan.grids.index]]


def _largest_remainder(quota: np.ndarray, total: int) -> np.ndarray:
    base = np.floor(quota + 1e-9).astype(int)
    order = np.argsort(-(quota - base), kind="stable")
    for k in order[: max(0, total - int(base.sum()))]:
        base[k] += 1
    return base
