"""From matched tracks to passes: who walked which street, when, how much of it.

A *pass* is a run of one officer's walk that stays on one street and covers at least
``walked_share`` of its length (walking back and forth in the run counts once). Both sides of a
wide street are two passes, as the planner counts them (``PatrolParams.sides``): GPS noise
(5–50 m) is as wide as the road, so the side of a single pass is not told apart.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from gridplan.coverage.intervals import length, union
from gridplan.coverage.matcher import MatchedTrack
from gridplan.coverage.params import TrackParams
from gridplan.coverage.streets import StreetIndex

PIECE_COLUMNS = ["officer", "street", "street_id", "from_m", "to_m", "start", "end", "run"]
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
            "end": to_time(p[:, 4], tz), "run": np.cumsum(new_run)}))
    if not frames:
        return pd.DataFrame(columns=PIECE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def passes_frame(index: StreetIndex, pieces: pd.DataFrame, params: TrackParams) -> pd.DataFrame:
    """The passes in ``pieces`` (see the module docstring)."""
    rows = []
    for (officer, _run), run in pieces.groupby(["officer", "run"], sort=False):
        k = int(run["street"].iat[0])
        walked = length(union(zip(run["from_m"], run["to_m"], strict=True)))
        if walked >= params.walked_share * index.streets[k].length_m - 1e-6:
            rows.append((officer, k, index.streets[k].street_id, walked, run["start"].min(),
                         run["end"].max()))
    return pd.DataFrame(rows, columns=PASS_COLUMNS)


def walked_by_street(pieces: pd.DataFrame) -> dict[int, float]:
    """Metres of each street walked at least once (union over officers and times)."""
    out = {}
    for k, group in pieces.groupby("street"):
        out[int(k)] = length(union(zip(group["from_m"], group["to_m"], strict=True)))
    return out
