"""Officers' tracks → streets actually patrolled → coverage → the next plan's priorities.

:func:`track_coverage` is the workflow (map matching with :func:`match_track`, passes, coverage
by grade / officer / shift / day / week, key points, plan against actual, 盲区);
:func:`missed_share` turns a report into the planner's per-street priority input
(:func:`street_priority_from`: the same before a plan's first shift).
"""

from gridplan.coverage.matcher import MatchedTrack, match_track
from gridplan.coverage.params import TrackParams
from gridplan.coverage.plan_compare import PlannedRoute, planned_routes
from gridplan.coverage.priority import missed_share, street_priority_from
from gridplan.coverage.report import CoverageReport, track_coverage
from gridplan.coverage.streets import StreetIndex

__all__ = ["CoverageReport", "MatchedTrack", "PlannedRoute", "StreetIndex", "TrackParams",
           "match_track", "missed_share", "planned_routes", "street_priority_from",
           "track_coverage"]
