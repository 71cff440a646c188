"""Observed blind spots next to the roster's planned ones.

The roster's blind spots (:func:`gridplan.grids.roster.blind_spots`) are the hours of the week a
grid has nobody on duty. Officers' tracks show the other kind: streets and key points of a grid
nobody reached in the last N days, nights or weekend days
(:attr:`gridplan.coverage.CoverageReport.blind_spots`). Put side by side, each observed blind
spot gets a likely cause from the roster: the share of that period's hours (nights: the hours
``TrackParams.night_start_h``–``night_end_h`` of every day; weekend: Saturday and Sunday; days:
every other hour) in which the grid has at least ``min_on_duty`` officers on duty —

* ``not rostered`` (share 0): nobody is on duty then; a roster question;
* ``partly rostered`` (0 < share < 1): some of those hours have nobody;
* ``rostered, not walked`` (share 1): officers are on duty and still do not go there; a patrol
  question (routes, supervision), not a staffing one.

Grids of the coverage the roster does not know keep a share of ``None``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gridplan.coverage.params import TrackParams
from gridplan.coverage.report import CoverageReport
from gridplan.errors import InvalidInputError, Problem

PERIODS = ("day", "night", "weekend")
PERIOD_ZH = {"day": "天", "night": "个夜间", "weekend": "个周末日"}
TOP_NAMES = 5
COLUMNS = ["grid", "period", "street_km", "streets", "key_points", "names", "rostered_share",
           "cause"]


@dataclass(frozen=True)
class ObservedBlindSpots:
    """Per grid and period: what the tracks never reached, and how far the roster staffs it."""

    rows: pd.DataFrame  # COLUMNS
    blind_days: int

    def lines(self, *, top: int = 10) -> list[str]:
        """Plain-language lines, e.g. "310101000000002 近 7 个夜间未到: 3.7 km 街道 (福州路…),
        2 个重点点位 — rostered, not walked (夜间在岗 100%)"."""
        out = []
        for r in self.rows.head(top).itertuples():
            names = f" ({'、'.join(r.names)}…)" if r.names else ""
            kps = f", {r.key_points} 个重点点位" if r.key_points else ""
            share = ("roster unknown" if r.rostered_share is None
                     else f"on duty {r.rostered_share:.0%} of those hours")
            out.append(f"{r.grid} 近 {self.blind_days} {PERIOD_ZH[r.period]}未到: "
                       f"{r.street_km:.2f} km 街道{names}{kps} — {r.cause} ({share})")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"blind_days": self.blind_days, "rows": [
            {k: (list(v) if isinstance(v, tuple) else v) for k, v in row.items()}
            for row in self.rows.to_dict("records")]}


def observed_blind_spots(coverage: CoverageReport | Mapping[str, Any],
                         on_duty_by_hour: Mapping[Hashable, np.ndarray], *,
                         min_on_duty: int = 1, params: TrackParams | None = None
                         ) -> ObservedBlindSpots:
    """The coverage's 盲区 per grid and period, each with the roster's share of those hours
    staffed (``on_duty_by_hour[grid]``: (7, 24) officers on duty, e.g.
    :meth:`gridplan.grids.roster.Roster.coverage_by_hour`) and the likely cause (module doc).
    ``coverage``: a report or its ``to_dict()`` form (``coverage.json``)."""
    params = params or TrackParams()
    spots = _blind_frame(coverage)
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
    frame = frame.sort_values(["street_km", "key_points"], ascending=False, kind="stable")
    # the N the coverage was measured with ("7 nights"), whatever the parameters here say
    days = int(str(spots["not_reached_in"].iloc[0]).split()[0]) if len(spots) else \
        params.blind_days
    return ObservedBlindSpots(frame.reset_index(drop=True), days)


def _cause(share: float | None) -> str:
    if share is None:
        return "grid not in the roster"
    if share == 0:
        return "not rostered"
    return "partly rostered" if share < 1 else "rostered, not walked"


def _period_hours(params: TrackParams) -> dict[str, np.ndarray]:
    """(7, 24) masks of the hours of the week each period covers."""
    night = np.array([params.is_night_hour(h) for h in range(24)])
    weekend = np.zeros((7, 24), bool)
    weekend[5:] = True
    return {"night": np.tile(night, (7, 1)), "day": np.tile(~night, (7, 1)),
            "weekend": weekend}


def _blind_frame(coverage: CoverageReport | Mapping[str, Any]) -> pd.DataFrame:
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
