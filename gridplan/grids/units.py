"""Basic units (基础单元): street blocks or ~10,000 m² cells, each with its weekly workload.

All inputs and outputs are in one metric CRS (metres). A units table is a GeoDataFrame indexed by
``unit_id`` (str) with at least ``jurisdiction`` (the code of the one jurisdiction it lies in),
``area_m2``, ``perimeter_m`` and ``geometry``; :func:`attach_streets`, :func:`attach_incidents`,
:func:`attach_key_points` and :func:`attach_pois` add columns and :func:`add_workload` adds
``workload_h`` (officer-hours per week, see :class:`WorkloadParams`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplan.errors import Problem, ProblemCollector
from gridplan.model import EventClass
from gridplan.network import GRADES, StreetNetwork
from gridplan.params import Params, param
from gridplan.routing.params import PatrolParams
from gridplan.street_sides import street_sides

#: unit cell size of the older event-location grid (万米单元网格)
UNIT_CELL_AREA_M2 = 10_000.0


def _jurisdiction_problems(jurisdictions: gpd.GeoDataFrame, code_col: str) -> ProblemCollector:
    issues = ProblemCollector("jurisdictions")
    if code_col not in jurisdictions.columns:
        issues.add("columns", expected=f"a '{code_col}' column", found=list(jurisdictions.columns)
                   .__repr__(), fix=f"name the jurisdiction code column '{code_col}'")
    if jurisdictions.crs is None or not jurisdictions.crs.is_projected:
        issues.add("crs", expected="a projected (metric) CRS", found=str(jurisdictions.crs),
                   fix="reproject first, e.g. .to_crs(network.crs)")
    for i, geom in enumerate(jurisdictions.geometry):
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            issues.add(f"feature {i}", expected="a polygon", found=str(getattr(geom, "geom_type",
                       None)), fix="keep polygon jurisdictions only")
    if code_col in jurisdictions.columns and jurisdictions[code_col].duplicated().any():
        dup = jurisdictions[code_col][jurisdictions[code_col].duplicated()].tolist()
        issues.add(code_col, expected="unique codes", found=f"duplicates {dup}",
                   fix="dissolve duplicates first (jurisdictions.dissolve(code_col))")
    return issues


def street_lines(network: StreetNetwork, patrol: PatrolParams | None = None
                 ) -> gpd.GeoDataFrame:
    """One line per physical street with its grade, lanes, length (metres, network CRS) and
    whether it is one carriageway of a dual road (``one_side``, found with ``patrol``'s
    ``side_*`` parameters; see :mod:`gridplan.street_sides`)."""
    sides = street_sides(network, patrol)
    rows = []
    for u, v, d in network.undirected().edges(data=True):
        geom = d.get("geometry")
        if geom is None:
            nodes = network.graph.nodes
            geom = shapely.LineString([(nodes[n]["x"], nodes[n]["y"]) for n in (u, v)])
        rows.append({"grade": int(d["grade"]), "lanes": d.get("lanes"),
                     "length_m": float(d["length"]),
                     "one_side": sides.one_side(d.get("street_id")), "geometry": geom})
    return gpd.GeoDataFrame(rows, columns=["grade", "lanes", "length_m", "one_side",
                                           "geometry"], crs=network.crs)


def patrol_minutes_per_week(lines: gpd.GeoDataFrame, patrol: PatrolParams) -> np.ndarray:
    """Minutes a week the patrol policy spends on each street (walking and inspecting every
    side it must, as often as its grade is due) — the same costs the routes are planned with."""
    out = np.empty(len(lines))
    paired = lines["one_side"] if "one_side" in lines else [False] * len(lines)
    for i, (grade, lanes, length_m, carriageway) in enumerate(zip(
            lines["grade"], lines["lanes"], lines["length_m"], paired, strict=True)):
        side = (patrol.travel_minutes(length_m, None, mode="walk")
                + patrol.inspection_minutes(length_m, grade))
        out[i] = (side * patrol.sides(grade, lanes, one_side=bool(carriageway))
                  * patrol.passes_per_week(grade))
    return out


def street_blocks(
    network: StreetNetwork,
    jurisdictions: gpd.GeoDataFrame,
    *,
    code_col: str = "code",
    min_area_m2: float = 400.0,
    split_above_m2: float | None = None,
) -> gpd.GeoDataFrame:
    """Blocks enclosed by streets, cut by jurisdiction lines, tagged with one jurisdiction each.

    The street lines and the jurisdiction boundaries are noded together and polygonised, so the
    land between the outermost streets and a jurisdiction's edge becomes units too. Each face
    goes to the jurisdiction containing its representative point (faces outside every
    jurisdiction are dropped). Faces smaller than ``min_area_m2`` (slivers between dual
    carriageways, traffic islands) merge into the neighbour of the same jurisdiction they share
    the longest boundary with. A jurisdiction no street crosses raises InvalidInputError: blocks
    would only reproduce its outline (use :func:`square_cells` there).

    ``split_above_m2``: faces larger than this (parks, water, land no street crosses) are cut
    into square cells of that area aligned on the CRS grid, so one huge face cannot dominate a
    grid; ``None`` keeps every face whole.
    """
    issues = _jurisdiction_problems(jurisdictions, code_col)
    lines = street_lines(network)
    if jurisdictions.crs is not None and network.crs is not None and (
            not jurisdictions.crs.equals(network.crs)):
        issues.add("crs", expected=f"the network CRS {network.crs}", found=str(jurisdictions.crs),
                   fix="jurisdictions.to_crs(network.crs)")
    issues.raise_if_any("jurisdictions cannot be cut into street blocks")
    tree = shapely.STRtree(lines.geometry.values)
    for code, geom in zip(jurisdictions[code_col], jurisdictions.geometry, strict=True):
        if len(tree.query(geom, predicate="intersects")) == 0:
            issues.add(f"feature {code}", expected="streets inside the jurisdiction",
                       found="no street of the network crosses it",
                       fix="load a network covering it, or use square_cells() there")
    issues.raise_if_any("some jurisdictions have no streets")
    outline = shapely.union_all(jurisdictions.geometry.values)
    inside = lines.geometry.values[tree.query(outline, predicate="intersects")]
    edges = list(shapely.intersection(inside, outline)) + list(
        shapely.boundary(jurisdictions.geometry.values))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(edges))))
    if split_above_m2 is not None:
        faces = _split_large(faces, split_above_m2)
    units = _tag_faces(faces, jurisdictions, code_col)
    return _finish_units(_merge_slivers(units, min_area_m2), "B")


def square_cells(
    jurisdictions: gpd.GeoDataFrame,
    *,
    code_col: str = "code",
    cell_area_m2: float = UNIT_CELL_AREA_M2,
    min_area_m2: float = 400.0,
) -> gpd.GeoDataFrame:
    """Square unit cells (万米单元网格, 100 m × 100 m by default) clipped to each jurisdiction.

    Cells are aligned on multiples of the cell side in the CRS, so redrawing gives the same cells.
    Clipped pieces below ``min_area_m2`` merge into a neighbour of the same jurisdiction.
    """
    issues = _jurisdiction_problems(jurisdictions, code_col)
    if not cell_area_m2 > 0:
        issues.add("cell_area_m2", expected="a positive area", found=str(cell_area_m2),
                   fix="e.g. 10000 for 100 m cells")
    issues.raise_if_any("cannot lay unit cells over the jurisdictions")
    cells = _cell_boxes(tuple(jurisdictions.total_bounds), math.sqrt(cell_area_m2))
    pieces, codes = [], []
    for code, geom in zip(jurisdictions[code_col], jurisdictions.geometry, strict=True):
        hit = cells[shapely.STRtree(cells).query(geom, predicate="intersects")]
        clipped = shapely.get_parts(shapely.intersection(hit, geom))
        clipped = clipped[shapely.get_type_id(clipped) == 3]
        pieces.extend(clipped)
        codes.extend([code] * len(clipped))
    units = gpd.GeoDataFrame({"jurisdiction": codes}, geometry=pieces, crs=jurisdictions.crs)
    return _finish_units(_merge_slivers(units, min_area_m2), "C")


def _cell_boxes(bounds: tuple[float, float, float, float], side: float) -> np.ndarray:
    x0, y0, x1, y1 = bounds
    xs = np.arange(math.floor(x0 / side), math.ceil(x1 / side)) * side
    ys = np.arange(math.floor(y0 / side), math.ceil(y1 / side)) * side
    gx, gy = np.meshgrid(xs, ys)
    return shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + side, gy.ravel() + side)


def _split_large(faces: np.ndarray, above_m2: float) -> np.ndarray:
    side = math.sqrt(above_m2)
    out = []
    for face in faces:
        if face.area <= above_m2:
            out.append(face)
            continue
        parts = shapely.get_parts(shapely.intersection(_cell_boxes(face.bounds, side), face))
        out.extend(p for p in parts if p.geom_type == "Polygon" and p.area > 0)
    return np.asarray(out, dtype=object)


def _tag_faces(faces: np.ndarray, jurisdictions: gpd.GeoDataFrame, code_col: str
               ) -> gpd.GeoDataFrame:
    points = shapely.point_on_surface(faces)
    jtree = shapely.STRtree(jurisdictions.geometry.values)
    face_idx, j_idx = jtree.query(points, predicate="within")
    order = np.argsort(face_idx, kind="stable")
    face_idx, j_idx = face_idx[order], j_idx[order]
    first = np.unique(face_idx, return_index=True)[1]
    codes = jurisdictions[code_col].to_numpy()[j_idx[first]]
    return gpd.GeoDataFrame({"jurisdiction": codes}, geometry=faces[face_idx[first]],
                            crs=jurisdictions.crs)


def _merge_slivers(units: gpd.GeoDataFrame, min_area_m2: float) -> gpd.GeoDataFrame:
    """Merge faces below ``min_area_m2`` into the same-jurisdiction neighbour with most boundary.

    Smallest first; a face already merged is followed to the unit that absorbed it. A face
    below ``min_area_m2`` with no such neighbour is a sliver of the jurisdiction polygon (e.g. a
    boundary digitised a few metres off its neighbour's): it is dropped, since it would become
    a separate piece of whichever grid received it, and reported in ``attrs["slivers"]``.
    """
    geoms = list(units.geometry.values)
    codes = units["jurisdiction"].tolist()
    owner = list(range(len(geoms)))
    dropped: list[int] = []

    def find(i: int) -> int:
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    tree = shapely.STRtree(geoms)
    areas = shapely.area(np.asarray(geoms, dtype=object))
    for i in np.argsort(areas, kind="stable"):
        if areas[i] >= min_area_m2:
            break
        if find(i) != i or geoms[i].area >= min_area_m2:
            continue
        cands = sorted({find(int(j)) for j in tree.query(geoms[i], predicate="dwithin",
                                                         distance=1e-6)} - {i})
        cands = [j for j in cands if codes[j] == codes[i] and j not in dropped]
        shared = [shapely.intersection(geoms[i].boundary, geoms[j].boundary).length
                  for j in cands]
        if not cands or max(shared) <= 0:
            dropped.append(i)  # a sliver: it would be a separate piece of whatever grid got it
            continue
        j = cands[int(np.argmax(shared))]
        geoms[j] = shapely.union(geoms[j], geoms[i])
        owner[i] = j
    keep = [i for i in range(len(geoms)) if owner[i] == i and i not in dropped]
    out = gpd.GeoDataFrame({"jurisdiction": [codes[i] for i in keep]},
                           geometry=[geoms[i] for i in keep], crs=units.crs)
    out.attrs["slivers"] = [_sliver_problem(geoms[i], codes[i], min_area_m2, units.crs)
                            for i in dropped]
    return out


def _sliver_problem(geom, code: object, min_area_m2: float, crs) -> Problem:
    centre = gpd.GeoSeries([geom.representative_point()], crs=crs).to_crs("EPSG:4326").iloc[0]
    return Problem(
        "jurisdictions", f"jurisdiction {code}, piece at {centre.x:.5f}, {centre.y:.5f}",
        f"pieces of at least {min_area_m2:,.0f} m² or touching the rest of the jurisdiction",
        f"a {geom.area:,.0f} m² sliver touching none of it",
        "dropped from the plan (likely a boundary digitised off its neighbour's); fix the "
        "polygon, or lower min_unit_m2 to keep it as a separate piece")


def _finish_units(units: gpd.GeoDataFrame, prefix: str) -> gpd.GeoDataFrame:
    """Stable ids (north→south, west→east by representative point), area and perimeter."""
    pts = shapely.point_on_surface(units.geometry.values)
    order = np.lexsort((np.round(shapely.get_x(pts), 3), -np.round(shapely.get_y(pts), 3),
                        units["jurisdiction"].astype(str).to_numpy()))
    slivers = list(units.attrs.get("slivers", []))
    units = units.iloc[order].reset_index(drop=True)
    units.index = pd.Index([f"{prefix}{i:05d}" for i in range(len(units))], name="unit_id")
    units["area_m2"] = units.geometry.area
    units["perimeter_m"] = units.geometry.length
    units.attrs["slivers"] = slivers
    return units


# ---- attributes ----------------------------------------------------------------------------

def attach_streets(units: gpd.GeoDataFrame, network: StreetNetwork, *, sample_m: float = 10.0,
                   side_offset_m: float = 1.0, patrol: PatrolParams | None = None
                   ) -> gpd.GeoDataFrame:
    """Add ``street_m_g1`` … ``street_m_g4``: metres of street per management grade, and
    ``patrol_min_week``: the minutes a week the patrol policy ``patrol`` (default
    :class:`~gridplan.routing.PatrolParams`) spends on those streets (see
    :func:`patrol_minutes_per_week`) — one policy sizes grids and plans their routes.

    Streets are unit boundaries, so a street is shared **half/half** between the units on its
    two sides: each street is cut into pieces of about ``sample_m`` metres, and each half of a
    piece goes to the unit found ``side_offset_m`` to its left or right. A street running inside
    one unit (a dead end) therefore counts fully for it; a half whose side lies outside every
    unit (beyond the jurisdictions) goes to the other side's unit. The length used is the
    edge's ``length`` attribute, spread evenly along its geometry.
    """
    lines = street_lines(network, patrol)
    out = units.copy()
    totals = np.zeros((len(units), len(GRADES)))
    minutes = np.zeros(len(units))
    if len(lines):
        per_m = patrol_minutes_per_week(lines, patrol or PatrolParams()) / np.maximum(
            lines["length_m"].to_numpy(float), 1e-9)
        left, right, grade, piece_m, line_idx = _side_samples(lines, sample_m, side_offset_m)
        tree = shapely.STRtree(units.geometry.values)
        lu = _locate(tree, left)
        ru = _locate(tree, right)
        lu = np.where(lu < 0, ru, lu)
        ru = np.where(ru < 0, lu, ru)
        for side in (lu, ru):
            ok = side >= 0
            np.add.at(totals, (side[ok], grade[ok] - 1), piece_m[ok] / 2)
            np.add.at(minutes, side[ok], (piece_m * per_m[line_idx])[ok] / 2)
    for k, g in enumerate(GRADES):
        out[f"street_m_g{g}"] = totals[:, k]
    out["patrol_min_week"] = minutes
    return out


def _side_samples(lines: gpd.GeoDataFrame, sample_m: float, offset_m: float):
    geoms = lines.geometry.values
    geo_len = shapely.length(geoms)
    n_pieces = np.maximum(1, np.ceil(geo_len / sample_m)).astype(int)
    line_idx = np.repeat(np.arange(len(geoms)), n_pieces)
    starts = np.concatenate([[0], np.cumsum(n_pieces)[:-1]])
    k = np.arange(len(line_idx)) - np.repeat(starts, n_pieces)
    frac = (k + 0.5) / n_pieces[line_idx]
    eps = np.minimum(0.25 / n_pieces[line_idx], 0.01)
    a = shapely.line_interpolate_point(geoms[line_idx], frac - eps, normalized=True)
    b = shapely.line_interpolate_point(geoms[line_idx], frac + eps, normalized=True)
    mid = shapely.line_interpolate_point(geoms[line_idx], frac, normalized=True)
    dx, dy = shapely.get_x(b) - shapely.get_x(a), shapely.get_y(b) - shapely.get_y(a)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1.0
    nx_, ny_ = -dy / norm * offset_m, dx / norm * offset_m
    mx, my = shapely.get_x(mid), shapely.get_y(mid)
    left = shapely.points(mx + nx_, my + ny_)
    right = shapely.points(mx - nx_, my - ny_)
    piece_m = lines["length_m"].to_numpy()[line_idx] / n_pieces[line_idx]
    return left, right, lines["grade"].to_numpy()[line_idx].astype(int), piece_m, line_idx


def _locate(tree: shapely.STRtree, points: np.ndarray) -> np.ndarray:
    """Row of the unit containing each point, -1 if none (first hit if several)."""
    found = np.full(len(points), -1, dtype=np.int64)
    pi, ui = tree.query(points, predicate="within")
    found[pi[::-1]] = ui[::-1]
    return found


def attach_incidents(
    units: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    as_of: datetime,
    half_life_days: float = 90.0,
    window_days: float | None = None,
    time_col: str = "time",
    class_col: str = "event_class",
) -> gpd.GeoDataFrame:
    """Add recency-weighted incidents per week by class: columns ``incidents_<class>``.

    An incident ``age`` days before ``as_of`` weighs ``0.5 ** (age / half_life_days)``. The
    weekly rate is Σ weights ÷ Σ weights of the observed weeks, i.e. weighted count divided by
    ``∫₀^window 0.5^(t/h) dt`` in weeks, with ``window`` = ``window_days`` or the age of the
    oldest incident. Incidents later than ``as_of`` are rejected; incidents outside every unit
    are reported in ``units.attrs["incidents_outside"]``.
    """
    issues = ProblemCollector("incidents")
    for col in (time_col, class_col):
        if col not in incidents.columns:
            issues.add("columns", expected=f"a '{col}' column", found=str(list(incidents.columns)),
                       fix=f"rename the column to '{col}' or pass {col!r}")
    if not half_life_days > 0:
        issues.add("half_life_days", expected="a positive number of days",
                   found=str(half_life_days), fix="e.g. 90")
    issues.raise_if_any("incidents cannot be attached to units")
    times = pd.to_datetime(incidents[time_col])
    age_days = (pd.Timestamp(as_of) - times).dt.total_seconds().to_numpy() / 86400.0
    for i in np.flatnonzero(age_days < 0)[:20]:
        issues.add(f"row {i}", expected=f"a time not after as_of {as_of:%Y-%m-%d %H:%M}",
                   found=str(times.iloc[i]), fix="drop future incidents or move as_of")
    known = {c.value for c in EventClass} | {c.name for c in EventClass}
    for i, c in enumerate(incidents[class_col].astype(str).tolist()):
        if c not in known and len(issues) < 40:
            issues.add(f"row {i}", expected=f"one of {[e.value for e in EventClass]}",
                       found=repr(c), fix="map the export's labels to the national classes")
    issues.raise_if_any("incidents cannot be attached to units")
    weight = np.power(0.5, age_days / half_life_days)
    window = window_days if window_days is not None else float(age_days.max(initial=0.0))
    weeks = half_life_days / math.log(2) * (1 - 0.5 ** (window / half_life_days)) / 7.0
    weeks = max(weeks, 1.0 / 7.0)  # a window under a day is read as one day
    where = _locate(shapely.STRtree(units.geometry.values), incidents.geometry.values)
    out = units.copy()
    classes = [EventClass(c) if c in {e.value for e in EventClass} else EventClass[c]
               for c in incidents[class_col].astype(str)]
    for cls in EventClass:
        mask = np.array([c is cls for c in classes], dtype=bool) & (where >= 0)
        out[f"incidents_{cls.name.lower()}"] = np.bincount(
            where[mask], weights=weight[mask], minlength=len(units)) / weeks
    out.attrs["incidents_outside"] = int((where < 0).sum())
    return out


def attach_key_points(units: gpd.GeoDataFrame, key_points: gpd.GeoDataFrame, *,
                      dwell_col: str = "dwell_minutes", visits_col: str = "visits_per_week",
                      default_visits_per_week: float = 7.0) -> gpd.GeoDataFrame:
    """Add ``key_points`` (count) and ``key_point_min_week`` (Σ dwell × visits per week)."""
    where = _locate(shapely.STRtree(units.geometry.values), key_points.geometry.values)
    dwell = key_points[dwell_col].to_numpy(float) if dwell_col in key_points else np.zeros(len(
        key_points))
    visits = (key_points[visits_col].to_numpy(float) if visits_col in key_points
              else np.full(len(key_points), default_visits_per_week))
    ok = where >= 0
    out = units.copy()
    out["key_points"] = np.bincount(where[ok], minlength=len(units))
    out["key_point_min_week"] = np.bincount(where[ok], weights=(dwell * visits)[ok],
                                            minlength=len(units))
    out.attrs["key_points_outside"] = int((~ok).sum())
    return out


def attach_pois(units: gpd.GeoDataFrame, pois: gpd.GeoDataFrame, *,
                population_col: str | None = None) -> gpd.GeoDataFrame:
    """Add ``pois`` (count of points, e.g. shops) and optionally ``population`` (sum)."""
    where = _locate(shapely.STRtree(units.geometry.values), pois.geometry.values)
    ok = where >= 0
    out = units.copy()
    out["pois"] = np.bincount(where[ok], minlength=len(units))
    if population_col is not None:
        out["population"] = np.bincount(where[ok], weights=pois[population_col].to_numpy(float)[
            ok], minlength=len(units))
    return out


# ---- workload ------------------------------------------------------------------------------

def _default_handling() -> dict[str, float]:
    return {"CITYSCAPE": 20.0, "ADVERTISING": 15.0, "CONSTRUCTION": 45.0,
            "STREET_ORDER": 25.0, "EMERGENCY": 60.0, "OTHER": 20.0}


@dataclass(frozen=True, kw_only=True)
class WorkloadParams(Params):
    """Weights of the unit workload formula (officer-hours per week).

    ``workload_h`` = patrol_min_week ÷ 60 × (1 + walking_overhead)
    + shopfront_m × inspection_min_per_m × inspections_per_week ÷ 60
    + Σ_class incidents_per_week[c] × handling_min[c] ÷ 60
    + key_point_min_week ÷ 60
    + area_km2 × area_h_per_km2_week.

    ``patrol_min_week`` comes from :func:`attach_streets` under the patrol policy
    (:class:`~gridplan.routing.PatrolParams`: passes per grade, both-sides rule, walking speed,
    inspection minutes) — the policy the routes are planned with, so a grid sized for N hours
    gets routes of about N hours. ``walking_overhead`` adds the walking a route needs between
    its streets and to and from the station (no street is served then). ``shopfront_m`` is the
    unit's ``shopfront_m`` column if present, else ``pois`` × ``shopfront_m_per_poi`` if there is
    a ``pois`` column, else 0. Missing attribute columns count as 0.
    """

    _section = "workload"

    walking_overhead: float = param(
        0.15, ge=0, le=3, help="walking between streets and to the station, as a share of the "
        "patrol minutes it serves")
    inspection_min_per_m: float = param(0.05, unit="min/m", ge=0,
                                        help="shopfront inspection minutes per metre")
    inspections_per_week: float = param(2.0, unit="1/week", ge=0,
                                        help="shopfront inspections per week")
    shopfront_m_per_poi: float = param(8.0, unit="m", ge=0,
                                       help="shopfront metres per point of interest")
    handling_min: Mapping[str, float] = param(
        _default_handling(), unit="min", ge=0,
        help="minutes to handle one incident, by national event class")
    area_h_per_km2_week: float = param(0.0, unit="h/km²/week", ge=0,
                                       help="hours per km² per week (e.g. open-space checks)")

    def _check(self, issues: ProblemCollector) -> None:
        unknown = set(self.handling_min) - {c.name for c in EventClass}
        if unknown:
            issues.add("handling_min", expected=f"keys among {[c.name for c in EventClass]}",
                       found=str(sorted(unknown)), fix="use EventClass member names")


def workload_terms(units: pd.DataFrame, params: WorkloadParams | None = None) -> pd.DataFrame:
    """The formula's terms per unit (hours/week): patrol, inspection, incident, key point, area."""
    p = params or WorkloadParams()

    def col(name: str) -> np.ndarray:
        return units[name].to_numpy(float) if name in units else np.zeros(len(units))

    patrol = col("patrol_min_week") / 60 * (1 + p.walking_overhead)
    shop = col("shopfront_m") if "shopfront_m" in units else col("pois") * p.shopfront_m_per_poi
    inspection = shop * p.inspection_min_per_m * p.inspections_per_week / 60
    incidents = sum(col(f"incidents_{c.name.lower()}") * p.handling_min.get(c.name, 0.0)
                    for c in EventClass) / 60
    key_points = col("key_point_min_week") / 60
    area = col("area_m2") / 1e6 * p.area_h_per_km2_week
    return pd.DataFrame({"patrol_h": patrol, "inspection_h": inspection, "incident_h": incidents,
                         "key_point_h": key_points, "area_h": area}, index=units.index)


def add_workload(units: gpd.GeoDataFrame, params: WorkloadParams | None = None
                 ) -> gpd.GeoDataFrame:
    """Add ``workload_h`` (officer-hours/week) and its terms, see :class:`WorkloadParams`."""
    terms = workload_terms(units, params)
    out = units.copy()
    for name in terms.columns:
        out[name] = terms[name].to_numpy()
    out["workload_h"] = terms.sum(axis=1).to_numpy()
    return out
