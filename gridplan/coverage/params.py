"""Parameters of track checking, map matching and coverage (TOML table ``[tracks]``)."""

from __future__ import annotations

from dataclasses import dataclass

from gridplan.errors import ProblemCollector
from gridplan.params import Params, param


@dataclass(frozen=True, kw_only=True)
class TrackParams(Params):
    """How tracks are checked, matched to streets and turned into coverage.

    The matcher is a hidden Markov model (Newson & Krumm 2009): each GPS point's hidden state is
    a position on a nearby street; a point ``d`` metres from a position is Gaussian with
    ``gps_sigma_m``; a move between consecutive states costs ``|route − straight| / beta`` where
    ``route`` is the walking distance along streets and ``straight`` the distance between the two
    GPS points; Viterbi picks the most likely sequence, and consecutive states are joined by
    their shortest walk.
    """

    _section = "tracks"

    # ----------------------------------------------------------- checking points
    walk_max_speed_kmh: float = param(
        15.0, unit="km/h", gt=0, le=60,
        help="a jump faster than this between two points of a walking track is flagged")
    drive_max_speed_kmh: float = param(
        120.0, unit="km/h", gt=0, le=400,
        help="a jump faster than this between two points of a driving track is flagged")
    jump_tolerance_m: float = param(
        50.0, unit="m", ge=0,
        help="GPS noise allowed for before a jump between two points counts as too fast")
    area_margin_m: float = param(
        2000.0, unit="m", ge=0,
        help="points farther than this outside the street network's extent are flagged")
    # ----------------------------------------------------------- matching
    gps_sigma_m: float = param(
        0.0, unit="m", ge=0, le=200,
        help="GPS noise (standard deviation); 0 = estimate it from the track")
    search_radius_sigmas: float = param(
        4.0, gt=0, le=10, help="candidate streets lie within this many sigmas of a point")
    min_search_radius_m: float = param(
        40.0, unit="m", gt=0, le=500, help="smallest candidate search radius")
    max_candidates: int = param(8, ge=1, le=50, help="nearest candidate streets kept per point")
    beta_m: float = param(
        10.0, unit="m", gt=0, le=1000,
        help="how strongly a detour between two points is penalised (larger = more lenient)")
    thin_sigmas: float = param(
        1.0, ge=0, le=5,
        help="points closer than this many sigmas to the last kept point are matched with it")
    spur_evidence: float = param(
        3.0, ge=0, le=50,
        help="a step into a street and back out the same end is kept only when its fixes are "
             "at least e^this times likelier there than on the streets around it (natural log; "
             "else it is GPS noise at a junction)")
    gap_break_s: float = param(
        600.0, unit="s", gt=0,
        help="a gap longer than this between points is not bridged (the walk is unknown)")
    # ----------------------------------------------------------- coverage
    walked_share: float = param(
        0.8, gt=0, le=1,
        help="a pass counts when this share of a street's length is walked in one go")
    turn_back_m: float = param(
        25.0, unit="m", ge=0,
        help="walking back along a street starts a new pass only after this far (jitter while "
             "standing is not a pass)")
    turn_back_sigmas: float = param(
        3.0, ge=0, le=10,
        help="walking back also needs this many sigmas of the track's GPS noise, when longer "
             "than turn_back_m (matched positions wobble along a street with the noise; two "
             "fixes differ by less than 2√2 σ 95 % of the time)")
    key_point_radius_m: float = param(
        30.0, unit="m", gt=0, help="a key point is reached within this distance")
    key_point_gap_s: float = param(
        120.0, unit="s", ge=0, help="a visit continues across absences up to this long")
    grid_tolerance_m: float = param(
        20.0, unit="m", ge=0, help="points this close to the grid count as inside it")
    night_start_h: int = param(20, unit="h", ge=0, le=23, help="nights (白+黑) start at this hour")
    night_end_h: int = param(6, unit="h", ge=0, le=23, help="nights end at this hour")
    blind_days: int = param(
        7, unit="days", ge=1, help="盲区: streets and key points not reached in this many days")
    priority_lookback_days: int = param(
        7, unit="days", ge=1,
        help="coverage of this many days before a plan raises the priority of missed streets")

    def _check(self, issues: ProblemCollector) -> None:
        if self.night_start_h == self.night_end_h:
            issues.add("night_start_h", expected="a start hour different from night_end_h",
                       found=f"{self.night_start_h} and {self.night_end_h}",
                       fix="e.g. 20 and 6")

    def max_speed_mps(self, mode: str) -> float:
        kmh = self.walk_max_speed_kmh if mode == "walk" else self.drive_max_speed_kmh
        return kmh / 3.6

    def is_night_hour(self, hour: int) -> bool:
        start, end = self.night_start_h, self.night_end_h
        return start <= hour or hour < end if start > end else start <= hour < end
