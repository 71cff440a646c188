"""Observed blind spots next to the roster's planned ones.

The roster's blind spots (:func:`gridplan.grids.roster.blind_spots`) are the hours of the week a
grid has nobody on duty. Officers' tracks show the other kind: streets and key points of a grid
nobody reached in the last N days, nights or weekend days
(:attr:`gridplan.coverage.CoverageReport.blind_spots`). Put side by side, each observed blind
spot gets a likely cause from the roster: the share of that period's hours (nights: the hours
``TrackParams.night_start_h``–``night_end_h`` of every day; weekend: Saturday and Sunday; days:
every other hour) in which the grid has at least ``min_on_duty`` officers on duty —

* ``not_rostered`` (share 0): nobody is on duty then; a roster question;
* ``partly_rostered`` (0 < share < 1): some of those hours have nobody;
* ``rostered_not_walked`` (share 1): officers are on duty and still do not go there; a patrol
  question (routes, supervision), not a staffing one.

Grids of the coverage the roster does not know keep a share of ``None`` (``not_in_roster``).
Causes are stable codes (:data:`CAUSES` gives the English wording): doors show them in their own
language.

On the roster's calendar, a day's shift is blind by the tracks when one of those periods with
streets or key points never reached covers some of that shift's hours on that day
(:attr:`ObservedBlindSpots.calendar`): a night shift is blind when streets were not reached at
night, Saturday's and Sunday's shifts when they were not reached at a weekend.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gridplan.coverage.params import TrackParams
from gridplan.coverage.report import CoverageReport
from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.roster import DAY_NAMES_ZH, ShiftType

PERIODS = ("day", "night", "weekend")
PERIOD_ZH = {"day": "天", "night": "个夜间", "weekend": "个周末日"}
TOP_NAMES = 5
COLUMNS = ["grid", "period", "street_km", "streets", "key_points", "names", "rostered_share",
           "cause"]
CALENDAR_COLUMNS = ["grid", "day", "shift", "periods", "street_km", "key_points"]
#: the likely causes (module doc), in English; codes are what results carry
CAUSES = {"not_rostered": "not rostered", "partly_rostered": "partly rostered",
          "rostered_not_walked": "rostered, not walked", "not_in_roster": "grid not in the roster"}


@dataclass(frozen=True)
class ObservedBlindSpots:
    """Per grid and period: what the tracks never reached, and how far the roster staffs it."""

    rows: pd.DataFrame  # COLUMNS
    blind_days: int
    #: CALENDAR_COLUMNS: per grid, day (0 = Monday) and roster shift with something never
    #: reached in those hours — the periods that say so, their street-km (each street once)
    #: and key points; empty when no shifts were given
    calendar: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=CALENDAR_COLUMNS))

    def lines(self, *, top: int = 10) -> list[str]:
        """Plain-language lines, e.g. "310101000000002 近 7 个夜间未到: 3.7 km 街道 (福州路…),
        2 个重点点位 — rostered, not walked (on duty 100% of those hours)"."""
        out = []
        for r in self.rows.head(top).itertuples():
            names = f" ({'、'.join(r.names)}…)" if r.names else ""
            kps = f", {r.key_points} 个重点点位" if r.key_points else ""
            share = ("roster unknown" if r.rostered_share is None
                     else f"on duty {r.rostered_share:.0%} of those hours")
            out.append(f"{r.grid} 近 {self.blind_days} {PERIOD_ZH[r.period]}未到: "
                       f"{r.street_km:.2f} km 街道{names}{kps} — {CAUSES[r.cause]} ({share})")
        return out

    def calendar_table(self, grid: Hashable) -> pd.DataFrame:
        """Street-km the tracks left unreached per shift (rows) and day (周一…周日), as the
        roster's table; empty cells: nothing unreached in that shift."""
        cells = self.calendar[self.calendar["grid"] == str(grid)]
        table = cells.pivot_table(index="shift", columns="day", values="street_km",
                                  aggfunc="first", sort=False)
        table = table.reindex(columns=range(7))
        table.columns = list(DAY_NAMES_ZH)
        table.index.name = None
        return table.map(lambda km: "" if pd.isna(km) else f"{km:.1f}")

    def to_dict(self) -> dict[str, Any]:
        def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (list(v) if isinstance(v, tuple) else v) for k, v in row.items()}
                    for row in frame.to_dict("records")]

        return {"blind_days": self.blind_days, "rows": plain(self.rows),
                "calendar": plain(self.calendar)}


Coverage = CoverageReport | Mapping[str, Any]


def observed_blind_spots(coverage: Coverage | Sequence[Coverage],
                         on_duty_by_hour: Mapping[Hashable, np.ndarray], *,
                         min_on_duty: int = 1, params: TrackParams | None = None,
                         shifts: Sequence[ShiftType] = ()) -> ObservedBlindSpots:
    """The coverage's 盲区 per grid and period, each with the roster's share of those hours
    staffed (``on_duty_by_hour[grid]``: (7, 24) officers on duty, e.g.
    :meth:`gridplan.grids.roster.Roster.coverage_by_hour`) and the likely cause (module doc);
    with the roster's ``shifts``, the calendar of the shifts they leave blind.
    ``coverage``: a report or its ``to_dict()`` form (``coverage.json``), or several (e.g. one
    per grid; a grid in two of them is refused: measure its tracks together)."""
    params = params or TrackParams()
    spots = _blind_frames(coverage)
    masks = _period_hours(params)
    rows = []
    for (grid, period), here in spots.groupby(["grid", "period"], sort=True):
        streets = here[here["kind"] == "street"].sort_values("length_m", ascending=False)
        named = [n for n in dict.fromkeys(streets["name"].fillna("")) if n]
        on_duty = on_duty_by_hour.get(grid, on_duty_by_hour.get(str(grid)))
        share = (None if on_duty is None else
                 round(float(np.mean(np.asarray(on_duty)[masks[period]] >= min_on_duty)), 3))
        rows.append({"grid": str(grid), "period": period,
                     "street_km": round(float(streets["length_m"].sum()) / 1000, 3),
                     "streets": len(streets),
                     "key_points": int((here["kind"] == "key point").sum()),
                     "names": tuple(named[:TOP_NAMES]), "rostered_share": share,
                     "cause": _cause(share)})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # a grid the roster does not know keeps None (pandas would make it NaN next to floats)
    frame["rostered_share"] = pd.Series([r["rostered_share"] for r in rows], dtype=object)
    frame = frame.sort_values(["street_km", "key_points"], ascending=False, kind="stable")
    return ObservedBlindSpots(frame.reset_index(drop=True), _blind_days(spots, params),
                              _calendar(spots, masks, shifts))


def _cause(share: float | None) -> str:
    if share is None:
        return "not_in_roster"
    if share == 0:
        return "not_rostered"
    return "partly_rostered" if share < 1 else "rostered_not_walked"


def _blind_days(spots: pd.DataFrame, params: TrackParams) -> int:
    """The N the coverage was measured with ("7 nights"), whatever the parameters here say."""
    days = {int(str(text).split()[0]) for text in spots["not_reached_in"]}
    if len(days) > 1:
        raise InvalidInputError("coverage", [Problem(
            "coverage", "blind_spots.not_reached_in", "one number of days for every report",
            ", ".join(map(str, sorted(days))), "measure every coverage with the same blind_days")])
    return days.pop() if days else params.blind_days


def _calendar(spots: pd.DataFrame, masks: dict[str, np.ndarray],
              shifts: Sequence[ShiftType]) -> pd.DataFrame:
    """Per grid, day and shift: the periods whose hours meet the shift's and that left
    something unreached, with the street-km and key points of their union."""
    week = {period: mask.reshape(-1) for period, mask in masks.items()}
    key = ["kind", "id"] if "id" in spots.columns else ["kind", "name", "length_m"]
    rows = []
    for grid, here in spots.groupby("grid", sort=True):
        blind = set(here["period"])
        for day in range(7):
            for shift in shifts:
                hours = shift.hours_of_week(day)
                periods = [p for p in PERIODS if p in blind and week[p][hours].any()]
                if not periods:
                    continue
                union = here[here["period"].isin(periods)].drop_duplicates(key)
                streets = union[union["kind"] == "street"]
                rows.append({"grid": str(grid), "day": day, "shift": shift.name,
                             "periods": tuple(periods),
                             "street_km": round(float(streets["length_m"].sum()) / 1000, 3),
                             "key_points": int((union["kind"] == "key point").sum())})
    return pd.DataFrame(rows, columns=CALENDAR_COLUMNS)


def _period_hours(params: TrackParams) -> dict[str, np.ndarray]:
    """(7, 24) masks of the hours of the week each period covers."""
    night = np.array([params.is_night_hour(h) for h in range(24)])
    weekend = np.zeros((7, 24), bool)
    weekend[5:] = True
    return {"night": np.tile(night, (7, 1)), "day": np.tile(~night, (7, 1)),
            "weekend": weekend}


def _blind_frames(coverage: Coverage | Sequence[Coverage]) -> pd.DataFrame:
    """The blind spots of one coverage or of several, each grid from one of them."""
    if isinstance(coverage, CoverageReport | Mapping):
        return _blind_frame(coverage)
    frames = [_blind_frame(c) for c in coverage]
    seen: dict[str, int] = {}
    twice = []
    for i, frame in enumerate(frames):
        for grid in map(str, frame["grid"].unique()):
            if seen.setdefault(grid, i) != i:
                twice.append(grid)
    if twice:
        raise InvalidInputError("coverage", [Problem(
            "coverage", f"grid {grid}", "each grid in one coverage report",
            f"reports {seen[grid] + 1} and another", "measure the grid's tracks together")
            for grid in sorted(set(twice))])
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else _blind_frame({"blind_spots": []})


def _blind_frame(coverage: Coverage) -> pd.DataFrame:
    if isinstance(coverage, CoverageReport):
        return pd.DataFrame(coverage.blind_spots.drop(columns="geometry", errors="ignore"))
    records = coverage.get("blind_spots") if isinstance(coverage, Mapping) else None
    need = {"grid", "kind", "name", "length_m", "period", "not_reached_in"}
    frame = pd.DataFrame(list(records or []))
    if records is None or (len(frame) and not need <= set(frame.columns)):
        raise InvalidInputError("coverage", [Problem(
            "coverage", "blind_spots", "records with " + ", ".join(sorted(need)),
            "missing" if records is None else ", ".join(map(str, frame.columns)),
            "write the coverage with this version's `gridplan tracks coverage --out`")])
    if not len(frame):
        return pd.DataFrame(columns=sorted(need))
    bad = sorted(set(frame["period"]) - set(PERIODS))
    if bad:
        raise InvalidInputError("coverage", [Problem(
            "coverage", "blind_spots.period", " or ".join(PERIODS), ", ".join(map(str, bad)),
            "rewrite the file with gridplan tracks coverage")])
    return frame
