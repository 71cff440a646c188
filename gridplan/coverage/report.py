"""Coverage of officers' tracks: :func:`track_coverage`, the one workflow of this package.

Streets of a grid are those with at least half their length inside it (as for planning). Per
street: passes (see :mod:`gridplan.coverage.passes`), metres walked, when last walked by day,
at night and at a weekend. Street-km by grade for each day and ISO week: required pass-km
(length × sides × passes per day × days, from :class:`~gridplan.routing.params.PatrolParams`)
against done pass-km (passes counted up to the requirement). Per officer, day and shift
(白 day / 黑 night): street-km walked, pass-km, minutes outside their grid (their grid is the one
holding most of their points). Key points: visits (runs of points within
``key_point_radius_m``), arrival, dwell inside the window, dwell long enough. 盲区: streets and
key points of each grid not reached in the last ``blind_days`` days, nights or weekend days
before the end of the tracks. With a plan: each route's streets on plan / skipped / off plan.

Streets and sides (:mod:`gridplan.street_sides`): a dual road mapped as two one-way carriageways,
or a road with its sidewalks mapped, is one street whose ways are its sides. Officers patrol a
street from either side and GPS cannot tell the sides apart, so a street is walked where any of
its sides is (``street_walked``, ``street_walked_m``, ``status``, the map's colours, 盲区, plan
against actual, street-km); passes stay per way, so pass-km and side-km count each side: a
carriageway of a dual road is one side, required once; an unpaired wide street is required on
each side (twice). Every way keeps its own row (``street`` = the way) with ``street_group`` (the
street it is a side of), ``side`` and its own ``walked_m`` and ``passes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from gridplan.coverage.intervals import length
from gridplan.coverage.matcher import MatchedTrack, match_track
from gridplan.coverage.params import TrackParams
from gridplan.coverage.passes import passes_frame, pieces_frame, walked_by_street, walked_spans
from gridplan.coverage.plan_compare import PlannedRoute, compare
from gridplan.coverage.sides import street_walked
from gridplan.coverage.streets import StreetIndex
from gridplan.errors import InvalidInputError, Problem
from gridplan.model import Grid, KeyPoint
from gridplan.network import StreetNetwork
from gridplan.routing.params import PatrolParams
from gridplan.routing.plan_area import INSIDE_SHARE
from gridplan.street_sides import StreetSides, street_sides


@dataclass(frozen=True)
class CoverageReport:
    """What :func:`track_coverage` found (frames in the network's metric CRS)."""

    streets: gpd.GeoDataFrame
    passes: pd.DataFrame  # officer, street, street_id, walked_m, start, end
    by_grade: pd.DataFrame
    street_km: pd.DataFrame  # per grid: street-km walked of all, side-km of both-sides streets
    by_officer: pd.DataFrame
    key_points: gpd.GeoDataFrame  # one row per visit (or per key point never reached)
    blind_spots: pd.DataFrame
    tracks: gpd.GeoDataFrame
    start: datetime
    end: datetime
    points: int
    points_flagged: int
    plan_streets: pd.DataFrame | None = None
    plan_routes: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    simulated: bool = False

    def summary(self) -> str:
        label = " — SIMULATED tracks" if self.simulated else ""
        lines = [f"Coverage {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}{label}",
                 f"  points {self.points:,} ({self.points_flagged:,} flagged and left out), "
                 f"officers {self.tracks['officer'].nunique()}"]
        for (grid, kind, start), rows in self.by_grade.groupby(["grid", "period",
                                                                 "period_start"]):
            parts = [f"grade {int(r.grade)} {r.done_km:.1f}/{r.required_km:.1f}" for r in
                     rows.itertuples()]
            done, need = rows["done_km"].sum(), rows["required_km"].sum()
            share = done / need if need else 1.0
            lines.append(f"  grid {grid} {kind} {start}: {done:.1f} of {need:.1f} pass-km "
                         f"({share:.0%}) — " + ", ".join(parts))
        for r in self.street_km.itertuples():
            lines.append(f"  grid {r.grid} streets walked {r.walked_km:.1f} of {r.street_km:.1f}"
                         f" street-km, both-sides streets {r.sides_done_km:.1f} of "
                         f"{r.sides_km:.1f} side-km")
        for r in self.by_officer.itertuples():
            lines.append(f"  {r.officer} {r.day} {r.shift}: streets walked {r.walked_km:.2f} "
                         f"km, passes {r.pass_km:.2f} pass-km, outside grid "
                         f"{r.outside_grid_min:.0f} min, matched {r.matched_share:.0%}")
        if len(self.key_points):
            reached = self.key_points.groupby("id")["ok"].any()
            lines.append(f"  key points reached in window with dwell: {int(reached.sum())} of "
                         f"{len(reached)}")
        if self.plan_routes is not None:
            for r in self.plan_routes.itertuples():
                lines.append(f"  route {r.route} ({r.officer or 'no track'}): on plan "
                             f"{r.on_plan_km:.2f} km ({r.on_plan_share:.0%}), skipped "
                             f"{r.skipped_km:.2f} km, off plan {r.off_plan_km:.2f} km")
        for kind, rows in self.blind_spots.groupby("not_reached_in", sort=False):
            km = rows.loc[rows["kind"] == "street", "length_m"].sum() / 1000
            kps = int((rows["kind"] == "key point").sum())
            lines.append(f"  盲区 not reached in the last {kind}: {km:.2f} km of streets, "
                         f"{kps} key point(s)")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready figures (no geometry), with the per-street table and the passes that
        :func:`gridplan.coverage.missed_share` reads back."""
        def records(frame: pd.DataFrame | None) -> list[dict] | None:
            if frame is None:
                return None
            return [{k: _plain(v) for k, v in row.items()} for row in
                    frame.drop(columns="geometry", errors="ignore").to_dict("records")]

        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "simulated": self.simulated, "points": self.points,
                "points_flagged": self.points_flagged, "by_grade": records(self.by_grade),
                "street_km": records(self.street_km),
                "by_officer": records(self.by_officer), "key_points": records(self.key_points),
                "blind_spots": records(self.blind_spots),
                "plan_routes": records(self.plan_routes), "notes": list(self.notes),
                # what the next plan's priorities are read from (gridplan.coverage.missed_share)
                "streets": records(self.streets.drop(columns="street")),
                "passes": records(self.passes.drop(columns="street"))}


def _plain(value: object) -> object:
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    return value


# ---------------------------------------------------------------------------------- workflow
def track_coverage(network: StreetNetwork, grids: Sequence[Grid], points: gpd.GeoDataFrame, *,
                   plan: Sequence[PlannedRoute] | None = None,
                   key_points: Sequence[tuple[str, KeyPoint]] = (),
                   params: TrackParams | None = None, patrol: PatrolParams | None = None,
                   index: StreetIndex | None = None, simulated: bool = False) -> CoverageReport:
    """Match officers' tracks to ``network`` and measure coverage of ``grids``.

    ``points``: one row per GPS fix in the network's metric CRS with ``officer``, tz-aware
    ``time``, optional ``accuracy`` (m) and ``flag`` (non-empty = a bad point, left out; see
    ``geodata.tracks``). ``key_points``: (grid code, key point) pairs. ``plan``: the routes to
    compare with. ``index`` reuses a prepared :class:`StreetIndex` of the same network.
    """
    params = params or TrackParams()
    patrol = patrol or PatrolParams()
    good = _good_points(points)
    tz = str(good["time"].dt.tz)
    index = index or StreetIndex(network)
    sides = street_sides(network, patrol)
    matched = match_all(index, good, params)
    pieces = pieces_frame(index, matched, tz=tz)
    passes = passes_frame(index, pieces, params)
    start, end = good["time"].min(), good["time"].max()
    streets = _grid_streets(index, grids, patrol, sides)
    spans = walked_spans(pieces)
    across = street_walked(index, sides, spans, reach_m=2 * patrol.side_max_gap_m,
                           max_angle_deg=patrol.side_max_angle_deg)
    streets = _street_status(streets, passes, spans, across, sides, end, params)
    own_grid = _officer_grids(good, grids)
    plan_streets = plan_routes = None
    if plan is not None:
        walked = {o: set(map(str, g["street_id"])) for o, g in passes.groupby("officer")}
        lengths = {str(s.street_id): s.length_m for s in index.streets}
        same = {str(w): frozenset(map(str, m)) for w, m in sides.partners.items()}
        plan_streets, plan_routes = compare(list(plan), walked, lengths, same)
    visits = _key_point_visits(good, key_points, params)
    return CoverageReport(
        streets=streets, passes=passes, by_grade=_by_grade(streets, passes, start, end, patrol),
        street_km=_street_km(streets),
        by_officer=_by_officer(index, good, matched, pieces, passes, grids, own_grid, params),
        key_points=visits,
        blind_spots=_blind_spots(streets, visits, key_points, end, params),
        tracks=_track_lines(good, matched, network.crs), start=start.to_pydatetime(),
        end=end.to_pydatetime(), points=len(points), points_flagged=len(points) - len(good),
        plan_streets=plan_streets, plan_routes=plan_routes, simulated=simulated,
        notes=_notes(matched))


def match_all(index: StreetIndex, good: gpd.GeoDataFrame, params: TrackParams
              ) -> dict[str, MatchedTrack]:
    """One :class:`MatchedTrack` per officer (points sorted by time)."""
    out = {}
    for officer, rows in good.groupby("officer", sort=True):
        acc = rows["accuracy"].to_numpy(float) if "accuracy" in rows else None
        out[str(officer)] = match_track(index, _xy(rows), _seconds(rows["time"]), params=params,
                                        accuracy_m=acc, officer=str(officer))
    return out


def _good_points(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in ("officer", "time") if c not in points.columns]
    if missing:
        raise InvalidInputError("track points", [Problem(
            "tracks", "columns", "officer and time columns", ", ".join(map(str, points.columns)),
            "load tracks with geodata.tracks.load_tracks")])
    good = points if "flag" not in points else points[points["flag"].fillna("") == ""]
    if good.empty:
        raise InvalidInputError("no usable track points", [Problem(
            "tracks", "", "at least one point not flagged", f"{len(points)} points, all flagged "
            "or none", "see the track report for what is wrong with them")])
    return good.sort_values(["officer", "time"], kind="stable")


def _xy(rows: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(rows.geometry.values)


def _seconds(times: pd.Series) -> np.ndarray:
    return ((times.dt.tz_convert("UTC") - pd.Timestamp(0, tz="UTC"))
            / pd.Timedelta(seconds=1)).to_numpy(float)


# ---------------------------------------------------------------------------------- streets
def _grid_streets(index: StreetIndex, grids: Sequence[Grid], patrol: PatrolParams,
                  sides: StreetSides) -> gpd.GeoDataFrame:
    rows = []
    for grid in grids:
        inside = shapely.length(shapely.intersection(index.geoms, grid.geometry))
        for k in np.flatnonzero(inside >= INSIDE_SHARE * np.maximum(index.lengths, 1e-9)):
            s = index.streets[k]
            sid = s.street_id
            rows.append({"grid": grid.code, "street": int(k), "street_id": sid,
                         "name": s.name, "grade": s.grade, "length_m": s.length_m,
                         "street_group": sides.street_of(sid), "side": sides.side_of(sid),
                         "counts_street_km": sides.is_axis(sid),
                         "sides": patrol.sides(s.grade, s.lanes, one_side=sides.one_side(sid)),
                         "passes_per_day": patrol.passes_per_day[s.grade],
                         "geometry": s.geometry})
    columns = ["grid", "street", "street_id", "name", "grade", "length_m", "street_group",
               "side", "counts_street_km", "sides", "passes_per_day", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry",
                            crs=index.network.crs)


def _street_status(streets: gpd.GeoDataFrame, passes: pd.DataFrame, spans: dict, across: dict,
                   sides: StreetSides, end: pd.Timestamp, params: TrackParams
                   ) -> gpd.GeoDataFrame:
    """Per way: its own passes and walked metres, and (see the module docstring) whether its
    street was walked there on any side; last walked on any side, by day, night, weekend."""
    out = streets.copy()
    count = passes.groupby("street").size()
    out["passes"] = out["street"].map(count).fillna(0).astype(int)
    out["walked_m"] = out["street"].map({k: length(v) for k, v in spans.items()}).fillna(0.0)
    out["walked"] = out["passes"] > 0
    out["street_walked_m"] = np.minimum(out["street"].map(
        {k: length(v) for k, v in across.items()}).fillna(0.0), out["length_m"])
    out["street_walked"] = out["walked"] | (
        out["street_walked_m"] >= params.walked_share * out["length_m"] - 1e-6)
    out["status"] = walk_status(out)
    # a pass on a way counts for the ways it is paired with (its street's other sides)
    own = list(zip(passes["street_id"], passes["start"], strict=True))
    shared = own + [(w, t) for sid, t in own for w in sides.partners.get(sid, ())]
    on_any = pd.DataFrame({"street_id": pd.Series([w for w, _ in shared], dtype=object),
                           "start": pd.Series([t for _, t in shared],
                                              dtype=passes["start"].dtype)})
    tz = end.tz
    night = on_any[_is_night(on_any["start"], params)]
    weekend = on_any[on_any["start"].dt.day_of_week >= 5]
    for column, rows in (("last_walked", on_any), ("last_night", night),
                         ("last_weekend", weekend)):
        out[column] = _latest(out["street_id"], rows.groupby("street_id")["start"].max(), tz)
    return out


def _street_km(streets: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per grid: street-km walked on any side (each street counted once, on the ways that
    count its length) and side-km of streets patrolled on both sides (a carriageway of a dual
    road is one side; an unpaired wide street needs two passes, one per side)."""
    axis = streets[streets["counts_street_km"].astype(bool)]
    both = streets[(streets["sides"] > 1) | (streets["side"] == "carriageway")]
    rows = []
    for grid in dict.fromkeys(streets["grid"]):
        a, b = axis[axis["grid"] == grid], both[both["grid"] == grid]
        rows.append({"grid": grid, "street_km": a["length_m"].sum() / 1000,
                     "walked_km": a["street_walked_m"].sum() / 1000,
                     "sides_km": (b["length_m"] * b["sides"]).sum() / 1000,
                     "sides_done_km": (b["length_m"] * np.minimum(b["passes"], b["sides"])
                                       ).sum() / 1000})
    return pd.DataFrame(rows, columns=["grid", "street_km", "walked_km", "sides_km",
                                       "sides_done_km"])


#: a street with no full pass but more than this share of it walked is "partly" walked
PARTLY_SHARE = 0.2


def walk_status(streets: pd.DataFrame) -> pd.Series:
    """"walked" (at least one pass), "partly" (no pass, more than :data:`PARTLY_SHARE` of it
    walked) or "missed", from ``passes``, ``walked_m`` and ``length_m`` — or, when present, on
    any side of its street (``street_walked``, ``street_walked_m``): how maps colour it."""
    if "street_walked" in streets:
        share = streets["street_walked_m"] / streets["length_m"].clip(lower=1e-9)
        done = streets["street_walked"].astype(bool)
    else:
        share = streets["walked_m"] / streets["length_m"].clip(lower=1e-9)
        done = streets["passes"] > 0
    status = np.where(done, "walked",
                      np.where(share > PARTLY_SHARE, "partly", "missed"))
    return pd.Series(status, index=streets.index, dtype=object)


def _latest(keys: pd.Series, latest: pd.Series, tz) -> pd.Series:
    found = dict(latest.items())
    return pd.Series([found.get(k, pd.NaT) for k in keys], index=keys.index,
                     dtype=pd.DatetimeTZDtype(tz=tz))


def _is_night(times: pd.Series, params: TrackParams) -> pd.Series:
    return times.dt.hour.map(params.is_night_hour).astype(bool)


def _service_day(times: pd.Series, params: TrackParams) -> pd.Series:
    """The date a time's shift belongs to (a night shift past midnight: the evening before)."""
    early = _is_night(times, params) & (times.dt.hour < params.night_end_h)
    return (times - pd.to_timedelta(early.astype(int), unit="D")).dt.date


# ---------------------------------------------------------------------------------- by grade
def _by_grade(streets: gpd.GeoDataFrame, passes: pd.DataFrame, start: pd.Timestamp,
              end: pd.Timestamp, patrol: PatrolParams) -> pd.DataFrame:
    days = pd.date_range(start.normalize(), end.normalize(), freq="D")
    periods = [("day", d.date(), d, d + pd.Timedelta(days=1), 1) for d in days]
    mondays = sorted({(d - pd.Timedelta(days=d.weekday())) for d in days})
    periods += [("week", m.date(), m, m + pd.Timedelta(days=7), 7) for m in mondays]
    rows = []
    for kind, label, lo, hi, n_days in periods:
        inside = passes[(passes["start"] >= lo) & (passes["start"] < hi)]
        count = inside.groupby("street").size()
        done_passes = streets["street"].map(count).fillna(0).to_numpy(float)
        need = (streets["sides"] * streets["passes_per_day"] * n_days).to_numpy(float)
        table = pd.DataFrame({"grid": streets["grid"], "grade": streets["grade"],
                              "required_km": streets["length_m"] * need / 1000,
                              "done_km": streets["length_m"] * np.minimum(done_passes, need)
                              / 1000})
        agg = table.groupby(["grid", "grade"], as_index=False).sum()
        agg.insert(1, "period", kind)
        agg.insert(2, "period_start", label)
        rows.append(agg)
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    out["share"] = np.where(out["required_km"] > 0, out["done_km"] / out["required_km"].where(
        out["required_km"] > 0, 1.0), 1.0)
    return out


# ---------------------------------------------------------------------------------- officers
def _officer_grids(good: gpd.GeoDataFrame, grids: Sequence[Grid]) -> dict[str, Grid]:
    out = {}
    for officer, rows in good.groupby("officer"):
        counts = [int(shapely.contains_xy(g.geometry, *_xy(rows).T).sum()) for g in grids]
        if counts and max(counts) > 0:
            out[str(officer)] = grids[int(np.argmax(counts))]
    return out


def _by_officer(index, good, matched, pieces, passes, grids, own_grid, params) -> pd.DataFrame:
    rows = []
    for officer, pts in good.groupby("officer"):
        officer = str(officer)
        m = matched[officer]
        times = pts["time"].reset_index(drop=True)
        day, night = _service_day(times, params), _is_night(times, params)
        dt = np.r_[np.diff(_seconds(times)), 0.0]
        dt = np.where(dt <= params.gap_break_s, dt, 0.0)
        grid = own_grid.get(officer)
        outside = np.zeros(len(pts), bool)
        if grid is not None:
            zone = grid.geometry.buffer(params.grid_tolerance_m)
            outside = ~shapely.contains_xy(zone, *_xy(pts).T)
        mine = pieces[pieces["officer"] == officer]
        mine_day = _service_day(mine["start"], params)
        mine_night = _is_night(mine["start"], params)
        my_passes = passes[passes["officer"] == officer]
        pass_day = _service_day(my_passes["start"], params)
        pass_night = _is_night(my_passes["start"], params)
        for (d, is_night), sel in pd.DataFrame({"d": day, "n": night}).groupby(["d", "n"]):
            idx = sel.index.to_numpy()
            here = mine[(mine_day == d).to_numpy() & (mine_night == is_night).to_numpy()]
            walked = walked_by_street(here)
            done = my_passes[(pass_day == d).to_numpy() & (pass_night == is_night).to_numpy()]
            rows.append({"officer": officer, "day": d, "shift": "night" if is_night else "day",
                         "grid": grid.code if grid else "", "points": len(idx),
                         "matched_share": float(np.mean(m.street[idx] >= 0)),
                         "walked_km": sum(walked.values()) / 1000,
                         "pass_km": float(np.sum([index.streets[k].length_m
                                                  for k in done["street"]])) / 1000,
                         "outside_grid_min": float(dt[idx][outside[idx]].sum()) / 60})
    return pd.DataFrame(rows, columns=["officer", "day", "shift", "grid", "points",
                                       "matched_share", "walked_km", "pass_km",
                                       "outside_grid_min"])


# ---------------------------------------------------------------------------------- key points
def _key_point_visits(good: gpd.GeoDataFrame, key_points, params: TrackParams) -> pd.DataFrame:
    rows = []
    for grid_code, kp in key_points:
        near = good[good.geometry.distance(kp.point) <= params.key_point_radius_m]
        found = False
        for officer, pts in near.groupby("officer"):
            for arrive, leave in _runs(pts["time"], params.key_point_gap_s):
                in_window = _minutes_in_window(arrive, leave, kp.window)
                reached = in_window > 0 or kp.window is None or _at_in(arrive, kp.window)
                rows.append({"grid": grid_code, "id": kp.id, "name": kp.name,
                             "officer": str(officer), "arrival": arrive, "departure": leave,
                             "dwell_min": (leave - arrive) / pd.Timedelta(minutes=1),
                             "dwell_in_window_min": in_window,
                             "ok": reached and in_window >= kp.dwell_minutes,
                             "geometry": kp.point})
                found = True
        if not found:
            rows.append({"grid": grid_code, "id": kp.id, "name": kp.name, "officer": "",
                         "arrival": pd.NaT, "departure": pd.NaT, "dwell_min": 0.0,
                         "dwell_in_window_min": 0.0, "ok": False, "geometry": kp.point})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[
        "grid", "id", "name", "officer", "arrival", "departure", "dwell_min",
        "dwell_in_window_min", "ok", "geometry"]), geometry="geometry", crs=good.crs)


def _runs(times: pd.Series, gap_s: float) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    times = times.sort_values()
    runs = []
    for t in times:
        if runs and (t - runs[-1][1]) / pd.Timedelta(seconds=1) <= gap_s:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def _minutes_in_window(arrive: pd.Timestamp, leave: pd.Timestamp, window) -> float:
    """Minutes of [arrive, leave] inside the key point's daily window (local wall clock)."""
    total = (leave - arrive) / pd.Timedelta(minutes=1)
    if window is None:
        return total
    start, stop = window
    out = 0.0
    for offset in range(-1, (leave.normalize() - arrive.normalize()).days + 1):
        day = arrive.normalize() + pd.Timedelta(days=offset)
        lo = day + pd.Timedelta(hours=start.hour, minutes=start.minute)
        hi = day + pd.Timedelta(hours=stop.hour, minutes=stop.minute)
        if hi <= lo:
            hi += pd.Timedelta(days=1)
        overlap = (min(hi, leave) - max(lo, arrive)) / pd.Timedelta(minutes=1)
        out += max(overlap, 0.0)
    return out


def _at_in(t: pd.Timestamp, window) -> bool:
    clock = t.time()
    start, stop = window
    return start <= clock < stop if start < stop else clock >= start or clock < stop


# ---------------------------------------------------------------------------------- 盲区
def _blind_spots(streets: gpd.GeoDataFrame, visits: pd.DataFrame, key_points, end,
                 params: TrackParams) -> pd.DataFrame:
    since = end - pd.Timedelta(days=params.blind_days)
    n = params.blind_days
    checks = [("day", f"{n} days", "last_walked"), ("night", f"{n} nights", "last_night"),
              ("weekend", f"{n} weekend days", "last_weekend")]
    rows = []
    for period, label, column in checks:
        missed = streets[~(streets[column] >= since).to_numpy(bool)]
        for r in missed.itertuples():
            rows.append({"grid": r.grid, "kind": "street", "id": str(r.street_id),
                         "name": r.name, "grade": r.grade, "length_m": r.length_m,
                         "period": period, "not_reached_in": label,
                         "last": getattr(r, column), "geometry": r.geometry})
    ok = visits[visits["ok"]] if len(visits) else visits
    for grid_code, kp in key_points:
        seen = ok[(ok["id"] == kp.id) & (ok["arrival"] >= since)] if len(ok) else ok
        reached = {("day", "days"): len(seen) > 0,
                   ("night", "nights"): bool(len(seen)) and _is_night(
                       seen["arrival"], params).any(),
                   ("weekend", "weekend days"): bool(len(seen)) and bool(
                       (seen["arrival"].dt.day_of_week >= 5).any())}
        for (period, what), hit in reached.items():
            if not hit:
                rows.append({"grid": grid_code, "kind": "key point", "id": kp.id,
                             "name": kp.name, "grade": None, "length_m": 0.0,
                             "period": period, "not_reached_in": f"{n} {what}", "last": None,
                             "geometry": kp.point})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[
        "grid", "kind", "id", "name", "grade", "length_m", "period", "not_reached_in", "last",
        "geometry"]), geometry="geometry", crs=streets.crs)


# ---------------------------------------------------------------------------------- tracks
def _track_lines(good: gpd.GeoDataFrame, matched, crs) -> gpd.GeoDataFrame:
    rows = []
    for officer, pts in good.groupby("officer"):
        xy = _xy(pts)
        m = matched[str(officer)]
        rows.append({"officer": str(officer), "points": len(pts),
                     "matched_share": m.matched_share, "sigma_m": m.sigma_m,
                     "start": pts["time"].min(), "end": pts["time"].max(),
                     "geometry": LineString(xy) if len(xy) > 1 else shapely.points(xy[0])})
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=crs)


def _notes(matched: dict[str, MatchedTrack]) -> tuple[str, ...]:
    notes = []
    for officer, m in matched.items():
        if m.matched_share < 0.8:
            notes.append(f"{officer}: only {m.matched_share:.0%} of points near a street "
                         "(squares, courtyards, indoors, or another datum?)")
    if matched:
        sigmas = ", ".join(f"{o} {m.sigma_m:.0f} m" for o, m in matched.items())
        notes.append(f"GPS noise used for matching: {sigmas}")
    return tuple(notes)

