"""From matched tracks to passes: who walked which street, when, how much of it.

A *pass* is a one-way leg of one officer's walk along one street covering at least
``walked_share`` of its length; turning back counts as a new leg only after ``turn_back_m`` or
``turn_back_sigmas`` × the track's GPS noise σ, whichever is longer (so jitter while standing,
or matched positions wobbling back and forth along the street with the noise, is not a pass,
but up one side and back down the other is two). Both
sides of a wide street are two passes, as the planner counts them (``PatrolParams.sides``): GPS
noise (5–50 m) is as wide as the road, so the side of a single pass is not told apart. A dual
road mapped as two one-way carriageways is one street whose carriageways are its two sides
(:mod:`gridplan.street_sides`): a pass is credited to the carriageway it was matched to, and
each carriageway is required once.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from gridplan.coverage.intervals import Intervals, length, union
from gridplan.coverage.matcher import MatchedTrack
from gridplan.coverage.params import TrackParams
from gridplan.coverage.streets import StreetIndex

PIECE_COLUMNS = ["officer", "street", "street_id", "from_m", "to_m", "start", "end", "run",
                 "sigma_m"]
PASS_COLUMNS = ["officer", "street", "street_id", "walked_m", "start", "end"]


def to_time(seconds: np.ndarray, tz: str) -> pd.DatetimeIndex:
    return pd.to_datetime(np.asarray(seconds, float), unit="s", utc=True).tz_convert(tz)


def pieces_frame(index: StreetIndex, matched: Mapping[str, MatchedTrack], *, tz: str
                 ) -> pd.DataFrame:
    """Every walked piece of every officer, with ``run`` numbering stays on one street."""
    frames = []
    for officer, m in sorted(matched.items()):
        p = m.pieces
        if not len(p):
            continue
        street = p[:, 0].astype(int)
        new_run = np.r_[True, street[1:] != street[:-1]] | np.r_[True, p[1:, 3] > p[:-1, 4]]
        frames.append(pd.DataFrame({
            "officer": officer, "street": street,
            "street_id": [index.streets[k].street_id for k in street],
            "from_m": p[:, 1], "to_m": p[:, 2], "start": to_time(p[:, 3], tz),
            "end": to_time(p[:, 4], tz), "run": np.cumsum(new_run), "sigma_m": m.sigma_m}))
    if not frames:
        return _timed(pd.DataFrame(columns=PIECE_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def passes_frame(index: StreetIndex, pieces: pd.DataFrame, params: TrackParams) -> pd.DataFrame:
    """The passes in ``pieces`` (see the module docstring)."""
    rows = []
    for (officer, _run), run in pieces.groupby(["officer", "run"], sort=False):
        k = int(run["street"].iat[0])
        need = params.walked_share * index.streets[k].length_m - 1e-6
        turn_back = max(params.turn_back_m, params.turn_back_sigmas * run["sigma_m"].iat[0])
        for a, b, t0, t1 in _legs(run, turn_back):
            if abs(b - a) >= need:
                rows.append((officer, k, index.streets[k].street_id, abs(b - a), t0, t1))
    return _timed(pd.DataFrame(rows, columns=PASS_COLUMNS))


def _timed(frame: pd.DataFrame) -> pd.DataFrame:
    """Start and end columns typed as tz-aware times even when the frame is empty."""
    if frame.empty:
        for col in ("start", "end"):
            frame[col] = frame[col].astype(pd.DatetimeTZDtype(tz="UTC"))
    return frame


def _legs(run: pd.DataFrame, turn_back_m: float) -> list[tuple]:
    """Split a stay on one street into one-way legs: turning back counts only after
    ``turn_back_m`` (GPS jitter while standing is not a new pass)."""
    pos = [float(run["from_m"].iat[0]), *map(float, run["to_m"])]
    times = [run["start"].iat[0], *run["end"]]
    legs = []
    start = ext = pos[0]
    t_start = t_ext = times[0]
    direction = 0
    for x, t in zip(pos[1:], times[1:], strict=True):
        if direction == 0:
            if abs(x - start) >= abs(ext - start):
                ext, t_ext = x, t
            if abs(ext - start) > turn_back_m:
                direction = 1 if ext > start else -1
        elif (x - ext) * direction >= 0:
            ext, t_ext = x, t
        elif abs(x - ext) > turn_back_m:
            legs.append((start, ext, t_start, t_ext))
            start, t_start, ext, t_ext, direction = ext, t_ext, x, t, -direction
    legs.append((start, ext, t_start, t_ext))
    return legs


def walked_spans(pieces: pd.DataFrame) -> dict[int, Intervals]:
    """Stretches of each street walked at least once (union over officers and times)."""
    return {int(k): union(zip(group["from_m"], group["to_m"], strict=True))
            for k, group in pieces.groupby("street")}


def walked_by_street(pieces: pd.DataFrame) -> dict[int, float]:
    """Metres of each street walked at least once (union over officers and times)."""
    return {k: length(v) for k, v in walked_spans(pieces).items()}
