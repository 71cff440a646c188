"""What every job reads and reports: its street network, a stored grid in the network's metric
CRS, key points, and progress steps that honour cancellation.

The job kinds (:mod:`api.planning_jobs`, :mod:`api.tracks_jobs`, :mod:`api.roster_jobs`,
:mod:`api.joint_jobs`) all stand on this module, so none of them imports another for its inputs.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from pydantic import BaseModel, Field, field_validator
from shapely.geometry.base import BaseGeometry

from api.db.models import Grid, StreetNetworkRecord
from api.jobs import JobContext
from gridplan.errors import InvalidInputError, Problem
from gridplan.model import Grid as ModelGrid
from gridplan.network import StreetNetwork
from gridplan.progress import report
from gridplan.routing.shifts import parse_span

WGS84 = "EPSG:4326"


class KeyPointIn(BaseModel):
    """A key point (重点点位) of a routes job, WGS-84."""

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=100)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    dwell_minutes: float = Field(default=0.0, ge=0, le=480)
    window: str | None = Field(default=None, max_length=40, description="HH:MM-HH:MM")

    @field_validator("window")
    @classmethod
    def _window_is_a_span(cls, text: str | None) -> str | None:
        return checked(parse_span, text, "window") if text else None


def checked(parse: Any, text: str, source: str) -> str:
    """``text`` if the library's parser takes it; pydantic wants ValueError with its words."""
    try:
        parse(text, source=source)
    except InvalidInputError as exc:
        problem = exc.problems[0]
        raise ValueError(f"{problem.expected}; found {problem.found}") from None
    return text


def key_points_of(points: list[KeyPointIn], crs: object) -> list[Any]:
    """The job's key points as the engine's, in the network's metric CRS."""
    from shapely.geometry import Point

    from gridplan.model import KeyPoint

    return [KeyPoint(k.id, to_metric(Point(k.lon, k.lat), crs), k.dwell_minutes,
                     parse_span(k.window, source="window") if k.window else None, k.name)
            for k in points]


def step(ctx: JobContext, fraction: float, message: str) -> None:
    report(fraction, message, progress=ctx.progress, should_cancel=ctx.should_cancel)


def load_network_of(ctx: JobContext, network_id: int) -> StreetNetwork:
    from geodata.osm import load_network

    with ctx.db.session() as session:
        rec = session.get_one(StreetNetworkRecord, network_id)
        path, mode, status = rec.file_path, rec.mode, rec.status
    if status != "ready":  # only files that passed network_parse's caps are parsed in-process
        raise InvalidInputError("street network not ready", [Problem(
            "network_id", str(network_id), "a network whose upload was parsed (status ready)",
            status, "wait for its network_parse job, or upload the file again")])
    return load_network(path, mode=mode, cache_dir=ctx.settings.effective_cache_dir)


def to_metric(geometry: BaseGeometry, crs: object) -> BaseGeometry:
    return gpd.GeoSeries([geometry], crs=WGS84).to_crs(crs).iloc[0]


def domain_grid(grid: Grid, crs: object) -> ModelGrid:
    """A stored grid as the routing engine's grid, in the network's metric CRS."""
    station = to_metric(grid.station, crs) if grid.station is not None else None
    return ModelGrid(code=grid.code, geometry=to_metric(grid.geometry, crs),
                     parent_code=grid.jurisdiction_code, name=grid.name or "",
                     station=station, staff=dict(grid.staff or {}))


def scaled_progress(ctx: JobContext, start: float, end: float) -> Any:
    """An engine's progress 0…1 reported as ``start``…``end`` of the job."""
    return lambda fraction, message: ctx.progress(start + (end - start) * fraction, message)
