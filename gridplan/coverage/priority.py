"""Recent coverage into the next plan: streets missed recently get priority.

Rule (parameter ``TrackParams.priority_lookback_days``, default 7): over the ``lookback`` days
before the plan's shift, a street of the grid needed ``sides × passes_per_day × days`` passes
(from :class:`~gridplan.routing.params.PatrolParams`); the officers' tracks show ``done`` of
them. Its priority is the share it missed, ``1 − min(done, needed) / needed`` — 0 for a street
walked as often as required, 1 for one nobody walked. The planner is to rank tasks by this share
right after the grade (so a missed grade-3 lane never outranks a grade-1 road, but among streets
of one grade the missed ones are kept first when the shift is too short), before recent
incidents: in ``gridplan.routing.plan._tasks`` the priority tuple gains
``street_priority.get(s.street_id, 0.0)`` after ``-s.grade``, fed by a ``street_priority``
mapping argument of ``plan_grid`` / ``day_plan``.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime

import numpy as np
import pandas as pd

from gridplan.coverage.params import TrackParams
from gridplan.coverage.report import CoverageReport


def missed_share(report: CoverageReport, *, before: datetime,
                 params: TrackParams | None = None) -> dict[Hashable, float]:
    """Street id → share of its required passes missed in the lookback window before
    ``before`` (tz-aware; normally the next shift's start). This is the per-street priority
    input of the planner (see the module docstring)."""
    params = params or TrackParams()
    days = params.priority_lookback_days
    end = pd.Timestamp(before)
    start = end - pd.Timedelta(days=days)
    passes = report.passes
    recent = passes[(passes["start"] >= start) & (passes["start"] < end)]
    done = recent.groupby("street").size()
    streets = report.streets.drop_duplicates("street")
    needed = (streets["sides"] * streets["passes_per_day"] * days).to_numpy(float)
    got = streets["street"].map(done).fillna(0).to_numpy(float)
    share = np.where(needed > 0, 1.0 - np.minimum(got, needed) / np.where(needed > 0, needed, 1),
                     0.0)
    return {sid: round(float(v), 3) for sid, v in zip(streets["street_id"], share, strict=True)}
