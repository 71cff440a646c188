"""Recent coverage into the next plan: streets missed recently get priority.

Rule (parameter ``TrackParams.priority_lookback_days``, default 7): take the days of the
lookback window before the plan's shift that the tracks actually cover (the window clipped to
the report's first and last fix, rounded up to whole days — a report of one day says nothing
about the six before it, so it asks for one day's passes, not seven). Over those ``days`` a
street of the grid needed ``sides × passes_per_day × days`` passes (from
:class:`~gridplan.routing.params.PatrolParams`); the officers' tracks show ``done`` of them. Its
priority is the share it missed, ``1 − min(done, needed) / needed`` — 0 for a street walked as
often as required, 1 for one nobody walked; every street is 0 when the tracks do not reach into
the window. The planner ranks passes by this share right after the grade (so a missed grade-3
lane never outranks a grade-1 road, but among streets of one grade the missed ones are kept
first when the shift is too short, across the officers' routes; key-point streets and each
street's first pass come before all that), before recent incidents: pass the mapping as
``street_priority=`` to :func:`gridplan.routing.plan_routes` or :func:`gridplan.routing.plan_grid`.

The coverage may be a :class:`CoverageReport` or its :meth:`CoverageReport.to_dict` form (the
``coverage.json`` of ``gridplan tracks coverage --out``, the service's ``track_coverage`` job
result), so a plan can use coverage measured elsewhere, on the same network.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from gridplan.coverage.params import TrackParams
from gridplan.coverage.report import CoverageReport
from gridplan.errors import InvalidInputError, Problem
from gridplan.routing.shifts import ShiftPattern, shift_on
from gridplan.timezones import DEFAULT_TZ

_STREET_COLUMNS = ("street_id", "sides", "passes_per_day")


def missed_share(coverage: CoverageReport | Mapping[str, Any], *, before: datetime,
                 params: TrackParams | None = None) -> dict[Hashable, float]:
    """Street id → share of its required passes missed in the lookback window before
    ``before`` (tz-aware; normally the next shift's start). This is the per-street priority
    input of the planner (see the module docstring)."""
    params = params or TrackParams()
    streets, passes, start, end = _frames(coverage)
    stop = pd.Timestamp(before)
    if stop.tzinfo is None:
        raise InvalidInputError("coverage priority", [Problem(
            "before", "", "a time with its zone", str(before), "e.g. the shift's start")])
    lo = max(stop - pd.Timedelta(days=params.priority_lookback_days), start)
    hi = min(stop, end)
    days = math.ceil((hi - lo) / pd.Timedelta(days=1)) if hi > lo else 0
    recent = passes[(passes["start"] >= lo) & (passes["start"] < stop)]
    done = recent.groupby("street_id").size()
    streets = streets.drop_duplicates("street_id")
    needed = (streets["sides"] * streets["passes_per_day"] * days).to_numpy(float)
    got = streets["street_id"].map(done).fillna(0).to_numpy(float)
    share = np.where(needed > 0, 1.0 - np.minimum(got, needed) / np.where(needed > 0, needed, 1),
                     0.0)
    return {sid: round(float(v), 3) for sid, v in zip(streets["street_id"], share, strict=True)}


def street_priority_from(coverage: CoverageReport | Mapping[str, Any], *, day: date,
                         shift: str | None = "08:00-12:00", pattern: str | None = None,
                         tz: str = DEFAULT_TZ, params: TrackParams | None = None
                         ) -> dict[Hashable, float]:
    """The ``street_priority`` of a plan for ``day`` from recent coverage: :func:`missed_share`
    before the plan's first shift (``shift`` on ``day`` in ``tz``; ``None``: the first shift of
    ``pattern``), with the same arguments :func:`gridplan.routing.plan_routes` takes."""
    shifts = ([shift_on(day, shift, tz=tz)] if shift is not None
              else ShiftPattern.parse(pattern).shifts_on(day, tz=tz))
    if not shifts:
        raise InvalidInputError("which shift?", [Problem(
            "shift", "", "a shift (HH:MM-HH:MM) or a day pattern with several shifts",
            "neither", "give a shift, e.g. 08:00-12:00, or a pattern, e.g. day+night")])
    first = min(shifts, key=lambda s: s.start)
    return missed_share(coverage, before=first.start, params=params)


def _frames(coverage: CoverageReport | Mapping[str, Any]
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    """(streets: street_id, sides, passes_per_day; passes: street_id, start; first; last fix)."""
    if isinstance(coverage, CoverageReport):
        return (coverage.streets[list(_STREET_COLUMNS)], coverage.passes[["street_id", "start"]],
                pd.Timestamp(coverage.start), pd.Timestamp(coverage.end))
    return _frames_of_dict(coverage)


def _frames_of_dict(data: Mapping[str, Any]
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    problems = []
    for key, what in (("streets", "one record per street of the grids"),
                      ("passes", "one record per pass (street_id, start)"),
                      ("start", "the first fix's time"), ("end", "the last fix's time")):
        if key not in data:
            problems.append(Problem("coverage", key, what, "missing",
                                    "write the coverage with this version's `gridplan tracks "
                                    "coverage --out` or the service's track_coverage job"))
    if problems:
        raise InvalidInputError("coverage", problems)
    streets = pd.DataFrame(list(data["streets"]), columns=list(_STREET_COLUMNS))
    passes = pd.DataFrame(list(data["passes"]), columns=["street_id", "start"])
    bad = streets[list(_STREET_COLUMNS)].isna().any(axis=1)
    for i in np.flatnonzero(bad.to_numpy())[:20]:
        problems.append(Problem("coverage", f"streets[{i}]", "street_id, sides and "
                                "passes_per_day", str(data["streets"][i]), "rewrite the file"))
    try:
        passes["start"] = pd.to_datetime(passes["start"], utc=True, format="ISO8601")
        start, end = (pd.Timestamp(data[k]) for k in ("start", "end"))
    except (ValueError, TypeError) as exc:
        problems.append(Problem("coverage", "passes/start/end", "ISO 8601 times with offset",
                                str(exc), "rewrite the file"))
        start = end = pd.NaT
    if problems:
        raise InvalidInputError("coverage", problems)
    # JSON turns the tuple ids of bridge links into lists; the network keys them as tuples
    for frame in (streets, passes):
        frame["street_id"] = frame["street_id"].map(
            lambda s: tuple(s) if isinstance(s, list) else s)
    return streets, passes, start, end
