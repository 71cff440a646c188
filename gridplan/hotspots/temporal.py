"""When hotspots happen: hour × weekday profiles, peak windows, weekly Gi* trends.

Trend classes (adapted from ArcGIS "Emerging Hot Spot Analysis"; a unit's weekly Gi* z-scores over
T weeks, "hot" = significant hot at the chosen confidence in that week, FDR across units per week):

* ``none``         — never significantly hot.
* ``new``          — hot in the final week and in no earlier week.
* ``intensifying`` — hot in at least ``persistent_share`` of weeks including the final one, and
  the Mann–Kendall test on the z-series shows a significant increase.
* ``diminishing``  — hot in at least ``persistent_share`` of weeks (the final one need not be)
  and a significant decrease.
* ``persistent``   — hot in at least ``persistent_share`` of weeks, no significant trend.
* ``sporadic``     — hot in some weeks, but none of the above (on-again, off-again).

Mann–Kendall: S = Σ_{i<j} sign(x_j − x_i); Var S = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18
over groups of tied values (weeks with no events anywhere have z = NaN and enter as 0);
Z = (S − sign(S)) / √Var S (continuity correction), two-sided
p = 2 P(N(0,1) > |Z|) via scipy. Needs n ≥ 3; a constant series has no trend (Z = 0, p = 1).

Hotspot trends (:func:`cluster_trend`) — why a second rule set. Per-unit weekly Gi* with FDR over
every unit needs a strong signal in one 100 m cell in one week: at realistic volumes (a few
hundred reports a week over hundreds of cells, < 1 per cell per week) a unit is rarely
significant in a given week, so nearly every unit ends up ``sporadic`` whatever happens. A
hotspot, however, is a group of units already found significant over the whole period, and the
question is how *that group* changes. So each week it is tested as one zone:

* weekly counts ``c_t`` of the group's incidents, in **complete** weeks: 7-day periods counted
  back from the end of the last incident's local day, dropping a leading partial week (weeks cut
  by the data's start or end would read as a fall or a rise);
* the group's weekly Gi* as one zone — Getis–Ord Gi* with weight 1 on the group's units:
  z_t = (c_t − x̄_t n_c) / (s_t √((N n_c − n_c²)/(N − 1))) over the N units' counts that week —
  and the week is *hot* when z_t > 0 with two-sided p < ``hot_alpha`` (BH over the group's weeks
  when ``trend_fdr``). The group was picked on the same data, so this leans towards "hot"; it
  decides between persistent and sporadic, not whether the hotspot exists;
* Mann–Kendall on ``c_t`` (``measure="count"``, what the squads face) or on z_t
  (``measure="gi"``, the group relative to the whole area that week, robust to an area-wide rise
  in reporting).

With several hotspots their Mann–Kendall tests are one family (Benjamini–Hochberg at
``trend_alpha`` when ``trend_fdr``). Classes, first match: ``none`` hot in no single week (too few
incidents per week to say anything about time); ``new`` hot in the final week only; ``intensifying``
significant increase and hot in the final week; ``diminishing`` significant decrease;
``persistent`` hot in ≥ ``persistent_share`` of weeks; ``sporadic`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse, special

from gridplan.errors import InvalidInputError, Problem
from gridplan.hotspots.fdr import significant, significant_columns
from gridplan.hotspots.gistar import Transform, getis_ord
from gridplan.params import Params, param

LOCAL_TZ = "Asia/Shanghai"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def data_time_zone(times: pd.Series | np.ndarray | list, *, default: str = LOCAL_TZ) -> str:
    """The zone the timestamps carry (a tz-aware column, e.g. from :func:`geodata.incidents.
    load_incidents` with ``tz=``); ``default`` for naive stamps, taken as local wall-clock time.

    Profiles, peak windows and weeks are counted in this zone: an hour of day only means
    something in the place's own clock (a San José report at 14:00 is 05:00 or 06:00 in
    Shanghai)."""
    try:
        zone = pd.to_datetime(pd.Series(times)).dt.tz
    except (TypeError, ValueError, AttributeError):  # mixed offsets: no single zone to read
        return default
    return default if zone is None else str(zone)


def _local_times(times: pd.Series | np.ndarray | list, tz: str) -> pd.Series:
    t = pd.to_datetime(pd.Series(times))
    if t.dt.tz is None:  # naive stamps are taken as local wall-clock time already
        return t
    return t.dt.tz_convert(tz)


def hour_weekday_profile(times: pd.Series | np.ndarray | list, *, tz: str = LOCAL_TZ) -> np.ndarray:
    """Counts as a (7, 24) int array: rows Monday…Sunday, columns hour 0…23 of local time."""
    t = _local_times(times, tz)
    profile = np.zeros((7, 24), dtype=np.int64)
    if len(t):
        np.add.at(profile, (t.dt.day_of_week.to_numpy(), t.dt.hour.to_numpy()), 1)
    return profile


@dataclass(frozen=True, slots=True)
class PeakWindow:
    """The shortest run of whole hours (circular, may wrap midnight) holding ``share`` of events."""

    start_hour: int  # inclusive, local time
    end_hour: int  # exclusive, local time, modulo 24 (start == end means all 24 hours)
    count: float
    total: float

    @property
    def hours(self) -> int:
        return (self.end_hour - self.start_hour) % 24 or 24

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def label(self) -> str:
        return f"{self.start_hour:02d}:00–{self.end_hour:02d}:00"

    def contains_hour(self, hour: int) -> bool:
        return (hour - self.start_hour) % 24 < self.hours


def peak_window(hour_counts: np.ndarray, *, share: float = 0.6) -> PeakWindow:
    """Shortest contiguous circular hour window with at least ``share`` of all counts.

    ``hour_counts``: 24 values (or a (7, 24) profile, summed over weekdays). Ties between
    windows of the same length go to the one with more events, then the earliest start.
    """
    counts = np.asarray(hour_counts, dtype=float)
    if counts.shape == (7, 24):
        counts = counts.sum(axis=0)
    problems = []
    if counts.shape != (24,) or (counts < 0).any() or not np.isfinite(counts).all():
        problems.append(
            Problem(
                "hour_counts",
                "",
                "24 non-negative hourly counts",
                f"shape {counts.shape}",
                "pass hour_weekday_profile(...)",
            )
        )
    elif counts.sum() == 0:
        problems.append(
            Problem(
                "hour_counts",
                "",
                "at least one incident",
                "none",
                "a peak window needs incidents with times",
            )
        )
    if not 0 < share <= 1:
        problems.append(Problem("share", "", "a fraction in (0, 1]", repr(share), "use 0.6"))
    if problems:
        raise InvalidInputError("cannot find a peak window", problems)
    total = counts.sum()
    cumulative = np.concatenate([[0.0], np.cumsum(np.concatenate([counts, counts]))])
    starts = np.arange(24)[:, None]
    lengths = np.arange(1, 25)[None, :]
    window_sums = cumulative[starts + lengths] - cumulative[starts]  # [start, length - 1]
    enough = window_sums >= share * total - 1e-9 * total
    length_index = int(np.argmax(enough.any(axis=0)))
    candidates = np.where(enough[:, length_index], window_sums[:, length_index], -np.inf)
    start = int(np.argmax(candidates))  # argmax takes the first of equal maxima
    hours = length_index + 1
    return PeakWindow(
        start, (start + hours) % 24, float(window_sums[start, length_index]), float(total)
    )


@dataclass(frozen=True, slots=True)
class MannKendallResult:
    s: int
    variance: float
    z: float
    p_two_sided: float
    tau: float
    n: int

    def trend(self, *, alpha: float = 0.05) -> Literal["increasing", "decreasing", "no trend"]:
        if self.p_two_sided < alpha:
            return "increasing" if self.s > 0 else "decreasing"
        return "no trend"


def mann_kendall(series: np.ndarray) -> MannKendallResult:
    """Mann–Kendall trend test with tie correction and continuity correction (see module doc)."""
    x = np.asarray(series, dtype=float)
    if x.ndim != 1 or len(x) < 3 or not np.isfinite(x).all():
        raise InvalidInputError(
            "cannot run the Mann-Kendall test",
            [
                Problem(
                    "series",
                    "",
                    "at least 3 finite values in time order",
                    f"{x.shape} {x[:5]}",
                    "use more weeks, or drop missing weeks",
                )
            ],
        )
    rows = mann_kendall_rows(x[None, :])
    n = len(x)
    s = int(rows.s[0])
    return MannKendallResult(
        s=s,
        variance=float(rows.variance[0]),
        z=float(rows.z[0]),
        p_two_sided=float(rows.p_two_sided[0]),
        tau=s / (n * (n - 1) / 2),
        n=n,
    )


@dataclass(frozen=True, slots=True)
class MannKendallRows:
    """:func:`mann_kendall` of every row of an (n, T) array at once."""

    s: np.ndarray  # (n,) int
    variance: np.ndarray
    z: np.ndarray
    p_two_sided: np.ndarray


#: Rows per block in :func:`mann_kendall_rows`: bounds the temporaries to ~ block × T values.
MK_BLOCK_ROWS = 2048


def mann_kendall_rows(x: np.ndarray) -> MannKendallRows:
    """Mann–Kendall for each row of finite ``x`` (n, T ≥ 3), vectorised.

    S sums sign(x_j − x_i) over i < j one lag at a time (T − 1 array operations instead of
    n·T²/2 Python-level pairs); tie groups come from each row sorted. Same numbers as calling
    :func:`mann_kendall` row by row, which is what the trend step did before (17,711 calls of
    ``norm.sf`` on a city-wide run).
    """
    x = np.asarray(x, dtype=float)
    n_rows, t = x.shape
    s = np.zeros(n_rows, dtype=np.int64)
    for start in range(0, n_rows, MK_BLOCK_ROWS):
        block = x[start : start + MK_BLOCK_ROWS]
        total = np.zeros(len(block), dtype=np.int64)
        for lag in range(1, t):
            total += np.sign(block[:, lag:] - block[:, :-lag]).sum(axis=1).astype(np.int64)
        s[start : start + MK_BLOCK_ROWS] = total
    ordered = np.sort(x, axis=1)
    new_group = np.ones(x.shape, dtype=bool)
    new_group[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(new_group, axis=1) - 1 + (np.arange(n_rows) * t)[:, None]
    ties = np.bincount(group.ravel(), minlength=n_rows * t).reshape(n_rows, t).astype(float)
    tie_term = (ties * (ties - 1) * (2 * ties + 5)).sum(axis=1)
    variance = (t * (t - 1) * (2 * t + 5) - tie_term) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where((variance > 0) & (s != 0), (s - np.sign(s)) / np.sqrt(variance), 0.0)
    return MannKendallRows(s, variance, z, two_sided_p(z))


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """2 P(N(0,1) > |z|), capped at 1; NaN stays NaN (``scipy.special.ndtr``, one ufunc call)."""
    return np.minimum(1.0, 2.0 * special.ndtr(-np.abs(np.asarray(z, dtype=float))))


class Trend(StrEnum):
    NONE = "none"
    NEW = "new"
    INTENSIFYING = "intensifying"
    DIMINISHING = "diminishing"
    PERSISTENT = "persistent"
    SPORADIC = "sporadic"


Measure = Literal["count", "gi"]


@dataclass(frozen=True, kw_only=True)
class TrendParams(Params):
    """How weekly history becomes a trend class (rules in the module docstring)."""

    _section = "trends"
    hot_alpha: float = param(0.10, gt=0, lt=1, help="a week counts as hot below this two-sided "
                             "p-value (0.10 = 90 % confidence)")
    trend_fdr: bool = param(True, help="Benjamini-Hochberg across units per week and across "
                            "hotspots' trend tests")
    persistent_share: float = param(0.9, gt=0, le=1,
                                    help="share of hot weeks that makes a place persistent")
    trend_alpha: float = param(0.05, gt=0, lt=1, help="Mann-Kendall significance level")
    measure: Measure = param("count", choices=("count", "gi"),
                             help="hotspot trends: Mann-Kendall on weekly counts or on the "
                             "weekly zone Gi*")


def weekly_counts(
    unit_ids: np.ndarray,
    times: pd.Series,
    n_units: int,
    *,
    tz: str = LOCAL_TZ,
    weeks: pd.DatetimeIndex | None = None,
) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """(n_units, T) counts per ISO week (Monday 00:00 local), from the first to the last week.
    Units < 0 are ignored. Returns the matrix and the week starts."""
    t = _local_times(times, tz)
    week_start = t.dt.normalize() - pd.to_timedelta(t.dt.day_of_week, unit="D")
    if t.dt.tz is not None:
        week_start = week_start.dt.tz_localize(None)
    if weeks is None:
        weeks = pd.date_range(week_start.min(), week_start.max(), freq="7D")
    col = np.searchsorted(weeks.to_numpy(), week_start.to_numpy())
    ids = np.asarray(unit_ids)
    keep = (ids >= 0) & (col < len(weeks))
    matrix = sparse.coo_matrix(
        (np.ones(keep.sum()), (ids[keep], col[keep])), shape=(n_units, len(weeks))
    ).toarray()
    return matrix, weeks


@dataclass(frozen=True, slots=True)
class TrendResult:
    """Per unit: the weekly Gi* z-series, the weekly hot flags, Mann–Kendall and the class."""

    z: np.ndarray  # (n, T)
    hot: np.ndarray  # (n, T) bool
    mk_z: np.ndarray  # (n,) NaN where not tested (hot in fewer than persistent_share of weeks)
    mk_p: np.ndarray  # (n,) likewise
    classes: np.ndarray  # (n,) of Trend values (str)
    weeks: pd.DatetimeIndex


def classify_trends(
    weekly: np.ndarray,
    weights: sparse.spmatrix,
    *,
    weeks: pd.DatetimeIndex | None = None,
    params: TrendParams | None = None,
    transform: Transform = "B",
    checkpoint: Callable[[float], None] | None = None,
) -> TrendResult:
    """Weekly Gi* per unit and its trend class (rules in the module docstring).

    ``checkpoint(fraction)`` is called between blocks of weeks (progress and cancellation:
    :func:`gridplan.progress.report` raises there when the caller asked to stop).

    ``weekly``: (n, T) counts with T ≥ 3 weeks; ``weights``: the same neighbour matrix as the
    overall analysis. Weeks with no events at all give NaN z (never hot).
    """
    params = params or TrendParams()
    weekly = np.asarray(weekly, dtype=float)
    if weekly.ndim != 2 or weekly.shape[1] < 3:
        raise InvalidInputError(
            "not enough weeks for a trend",
            [
                Problem(
                    "weekly",
                    "",
                    "counts for at least 3 weeks",
                    f"shape {weekly.shape}",
                    "use a longer incident history",
                )
            ],
        )
    z, hot = _weekly_hot(weekly, weights, params, transform, checkpoint)
    # Mann–Kendall decides only between persistent / intensifying / diminishing, i.e. for units
    # hot in at least persistent_share of the weeks; every other unit's class is settled by its
    # hot weeks alone, so it is not tested (NaN) — a city-wide run has tens of thousands of them.
    tested = hot.mean(axis=1) >= params.persistent_share
    mk_s = np.zeros(len(z), dtype=np.int64)
    mk_z, mk_p = np.full(len(z), np.nan), np.full(len(z), np.nan)
    if tested.any():
        mk = mann_kendall_rows(np.nan_to_num(z[tested]))
        mk_s[tested], mk_z[tested], mk_p[tested] = mk.s, mk.z, mk.p_two_sided
    classes = _trend_classes(hot, mk_s, mk_p, params)
    return TrendResult(
        z=z,
        hot=hot,
        mk_z=mk_z,
        mk_p=mk_p,
        classes=classes,
        weeks=weeks if weeks is not None else pd.DatetimeIndex([]),
    )


#: Values per block of weeks in :func:`_weekly_hot` (~32 MB of float64 per temporary).
GI_BLOCK_VALUES = 1_000_000


def _weekly_hot(weekly: np.ndarray, weights: sparse.spmatrix, params: TrendParams,
                transform: Transform, checkpoint: Callable[[float], None] | None = None,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Weekly Gi* z (n, T) and hot flags, a block of weeks at a time: Gi* of one week does not
    depend on another, and whole-matrix temporaries are what made city-wide runs need ~1 GB."""
    n, t = weekly.shape
    z = np.empty((n, t))
    hot = np.empty((n, t), dtype=bool)
    width = max(1, GI_BLOCK_VALUES // max(n, 1))
    for start in range(0, t, width):
        if checkpoint is not None:
            checkpoint(start / t)
        cols = slice(start, min(t, start + width))
        gi = getis_ord(weekly[:, cols], weights, star=True, transform=transform)
        z[:, cols] = gi.z
        # each week is one family of tests across units (BH per column)
        hot[:, cols] = significant_columns(gi.p_two_sided, params.hot_alpha,
                                           fdr=params.trend_fdr) & (gi.z > 0)
    return z, hot


def _trend_classes(
    hot: np.ndarray, mk_s: np.ndarray, mk_p: np.ndarray, params: TrendParams
) -> np.ndarray:
    hot_share = hot.mean(axis=1)
    last = hot[:, -1]
    ever = hot.any(axis=1)
    earlier = hot[:, :-1].any(axis=1)
    mostly = hot_share >= params.persistent_share
    trending = mk_p < params.trend_alpha
    classes = np.full(hot.shape[0], Trend.SPORADIC.value, dtype=object)
    classes[~ever] = Trend.NONE.value
    classes[last & ~earlier] = Trend.NEW.value
    classes[mostly & ~trending] = Trend.PERSISTENT.value
    classes[mostly & last & trending & (mk_s > 0)] = Trend.INTENSIFYING.value
    classes[mostly & trending & (mk_s < 0)] = Trend.DIMINISHING.value
    return classes


def complete_week_counts(
    unit_ids: np.ndarray, times: pd.Series, n_units: int, *, tz: str = LOCAL_TZ
) -> tuple[np.ndarray, pd.DatetimeIndex, int]:
    """(n_units, T) counts per complete 7-day week counted back from the last incident's day.

    Weeks end at local midnight after the last incident; a leading week that starts before the
    first incident's day is partial and left out. Returns the matrix, each week's first day (local,
    naive) and the number of incidents left out with it. Units < 0 are ignored.
    """
    days = _local_times(times, tz).dt.normalize()
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    if len(days) == 0:
        return np.zeros((n_units, 0)), pd.DatetimeIndex([]), 0
    last, first = days.max(), days.min()
    back = ((last - days).dt.days // 7).to_numpy()  # 0 = the final week
    span_weeks = (last - first).days // 7 + 1
    full = span_weeks if (last - first).days % 7 == 6 else span_weeks - 1
    week = full - 1 - back  # 0 = the earliest complete week, < 0 = partial leading week
    ids = np.asarray(unit_ids)
    keep = (ids >= 0) & (week >= 0)
    matrix = sparse.coo_matrix(
        (np.ones(keep.sum()), (ids[keep], week[keep])), shape=(n_units, full)
    ).toarray()
    starts = pd.DatetimeIndex(
        [last - pd.Timedelta(days=7 * (full - 1 - k) + 6) for k in range(full)]
    )
    return matrix, starts, int(((week < 0) & (ids >= 0)).sum())


def zone_gi_star(weekly: np.ndarray, members: np.ndarray, *,
                 moments: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z and two-sided p per week of the units ``members`` taken as one zone (binary weights).

    ``weekly``: (N, T) counts of every unit. Equal to :func:`~.gistar.getis_ord` (``star=True``,
    ``transform="B"``) for a unit whose neighbours including itself are exactly ``members``.
    Weeks with constant counts give NaN.
    """
    x = np.asarray(weekly, dtype=float)
    n, n_c = x.shape[0], len(members)
    mean, spread = moments if moments is not None else weekly_moments(x)
    scale = spread * np.sqrt((n * n_c - n_c**2) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(scale > 0, (x[members].sum(axis=0) - mean * n_c) / scale, np.nan)
    return z, two_sided_p(z)


def weekly_moments(weekly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population standard deviation of every week's counts over all units (what
    :func:`zone_gi_star` needs; computed once for all hotspots)."""
    x = np.asarray(weekly, dtype=float)
    return x.mean(axis=0), x.std(axis=0)


@dataclass(frozen=True, slots=True)
class ClusterTrend:
    """The weekly history of one hotspot (a group of units) and its trend class (module doc)."""

    trend: Trend
    counts: np.ndarray  # (T,) incidents per complete week
    z: np.ndarray  # (T,) the group's weekly Gi* as one zone
    hot: np.ndarray  # (T,) bool
    mann_kendall: MannKendallResult
    measure: str
    weeks: pd.DatetimeIndex

    def as_dict(self) -> dict[str, object]:
        mk = self.mann_kendall
        return {
            "trend": str(self.trend),
            "weeks": len(self.counts),
            "first_week": str(self.weeks[0].date()) if len(self.weeks) else None,
            "weekly_counts": [int(c) for c in self.counts],
            "hot_weeks": int(self.hot.sum()),
            "measure": self.measure,
            "mann_kendall": {
                "s": mk.s,
                "z": round(mk.z, 3),
                "p": round(mk.p_two_sided, 4),
                "tau": round(mk.tau, 3),
            },
        }


def cluster_trends(
    weekly: np.ndarray,
    groups: list[np.ndarray] | list[list[int]],
    *,
    weeks: pd.DatetimeIndex | None = None,
    params: TrendParams | None = None,
) -> list[ClusterTrend]:
    """Trend class of each group of units from every unit's (N, T) complete-week counts.

    With ``params.trend_fdr`` the Mann–Kendall tests of all groups form one family: a trend counts
    when its p-value passes the Benjamini–Hochberg cut-off at ``trend_alpha`` (with a handful of
    hotspots, one at p ≈ 0.05 is what chance alone gives).
    """
    params = params or TrendParams()
    weekly = np.asarray(weekly, dtype=float)
    groups = [np.asarray(g, dtype=int) for g in groups]
    if weekly.ndim != 2 or weekly.shape[1] < 3 or any(len(g) == 0 for g in groups):
        raise InvalidInputError(
            "cannot classify hotspot trends",
            [
                Problem(
                    "weekly",
                    "",
                    "counts of at least one member unit over 3 or more complete weeks",
                    f"shape {weekly.shape}, group sizes {[len(g) for g in groups]}",
                    "use a longer incident history",
                )
            ],
        )
    parts = []
    moments = weekly_moments(weekly)
    for members in groups:
        counts = weekly[members].sum(axis=0)
        z, p = zone_gi_star(weekly, members, moments=moments)
        hot = significant(p, params.hot_alpha, fdr=params.trend_fdr) & (np.nan_to_num(z) > 0)
        mk = mann_kendall(counts if params.measure == "count" else np.nan_to_num(z))
        parts.append((counts, z, hot, mk))
    mk_p = np.array([mk.p_two_sided for *_, mk in parts])
    trending = (significant(mk_p, params.trend_alpha, fdr=params.trend_fdr) if len(parts)
                else mk_p > 0)
    weeks = weeks if weeks is not None else pd.DatetimeIndex([])
    return [
        ClusterTrend(
            _cluster_class(hot, mk, bool(t), params), counts, z, hot, mk, params.measure, weeks
        )
        for (counts, z, hot, mk), t in zip(parts, trending, strict=True)
    ]


def cluster_trend(
    weekly: np.ndarray,
    members: np.ndarray | list[int],
    *,
    weeks: pd.DatetimeIndex | None = None,
    params: TrendParams | None = None,
) -> ClusterTrend:
    """:func:`cluster_trends` for a single group (no multiple-testing adjustment needed)."""
    return cluster_trends(weekly, [members], weeks=weeks, params=params)[0]


def _cluster_class(
    hot: np.ndarray, mk: MannKendallResult, trending: bool, params: TrendParams
) -> Trend:
    if not hot.any():
        return Trend.NONE
    if hot[-1] and not hot[:-1].any():
        return Trend.NEW
    if trending and mk.s > 0 and hot[-1]:
        return Trend.INTENSIFYING
    if trending and mk.s < 0:
        return Trend.DIMINISHING
    if hot.mean() >= params.persistent_share:
        return Trend.PERSISTENT
    return Trend.SPORADIC
