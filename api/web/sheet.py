"""The joint meeting's printable sheet (PDF) drawn from a finished ``joint_patrols`` job: the
zone, meeting points and joint routes the submitter was allowed to see, and nothing else — the
two districts appear only as their outlines near the zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
AROUND_DEG = 0.004  # ~400 m of each district's outline around the zone, for orientation


def _routes(flagged: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    rows = []
    for row in flagged:
        joint = row["joint_patrol"]
        route = joint.get("route") or {}
        geometry = route.get("geometry")
        if not geometry:
            continue
        lines = shape(geometry)
        parts = list(getattr(lines, "geoms", [lines]))
        officer = f"联合巡查{joint['rank']}（{joint.get('lead', '')}牵头）"
        rows += [{"officer": officer, "seq": i, "name": "", "deadhead": False,
                  "length_m": float(part.length), "minutes": 0.0, "geometry": part}
                 for i, part in enumerate(parts) if not part.is_empty and part.length > 0]
    columns = ["officer", "seq", "name", "deadhead", "length_m", "minutes", "geometry"]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=WGS84)
    if not frame.empty:  # lengths in metres, as the sheet prints them
        frame["length_m"] = frame.to_crs(frame.estimate_utm_crs()).length
    return frame


def plan_date(result: dict[str, Any], finished_at: dt.datetime) -> dt.date:
    """The day the joint plan was made, in the pair's time zone (``finished_at`` as stored: UTC,
    naive or aware) — the date the sheet prints, whenever it is downloaded."""
    from gridplan.timezones import DEFAULT_TZ, time_zone

    made = finished_at if finished_at.tzinfo else finished_at.replace(tzinfo=dt.UTC)
    return made.astimezone(time_zone(result.get("time_zone") or DEFAULT_TZ)).date()


def meeting_sheet_pdf(result: dict[str, Any], districts: list[tuple[str, str, BaseGeometry]],
                      folder: Path, *, streets: gpd.GeoDataFrame | None, made: dt.date,
                      lang: str = "zh") -> Path:
    """Write the sheet of a joint_patrols job ``result`` to ``folder``; ``districts`` are the
    pair's (code, name, WGS-84 geometry); ``streets`` the zone's street lines (WGS-84);
    ``made`` the plan's date (:func:`plan_date`)."""
    from maps.sheet import write_meeting_sheet

    zone = shape(result["zone"]) if result.get("zone") else None
    around = zone.envelope.buffer(AROUND_DEG) if zone is not None and not zone.is_empty else None
    jurisdictions = gpd.GeoDataFrame(
        [{"code": c, "name": n, "geometry": g.intersection(around) if around is not None else g}
         for c, n, g in districts], geometry="geometry", crs=WGS84)
    zones = None
    if zone is not None and not zone.is_empty:
        zones = gpd.GeoDataFrame([{"side": s, "code": "|".join(result["jurisdictions"]),
                                   "geometry": zone.intersection(g)} for s, _, g in districts
                                  if s in result.get("visible_sides", [])],
                                 geometry="geometry", crs=WGS84)
        zones = zones[~zones.geometry.is_empty]
    flagged = result.get("flagged", [])
    meeting = gpd.GeoDataFrame(
        [{"label": f"会合点 {r['joint_patrol']['rank']}",
          "geometry": Point(r["joint_patrol"]["meeting_point"]["lon"],
                            r["joint_patrol"]["meeting_point"]["lat"])} for r in flagged],
        columns=["label", "geometry"], geometry="geometry", crs=WGS84)
    meeting_list = pd.DataFrame(result.get("meeting_list") or [])
    sheet = write_meeting_sheet(
        jurisdictions, folder / "meeting_sheet.png", folder / "meeting_sheet.pdf", dpi=72,
        date=made, zones=zones, joint_routes=_routes(flagged),
        meeting_points=meeting if len(meeting) else None, streets=streets, lang=lang,
        meeting_list=meeting_list if not meeting_list.empty else None)
    return sheet.pdf
