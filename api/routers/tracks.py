"""Officers' tracks: upload a track file of a grid's officers; its coverage is computed in a job.

``POST /tracks/coverage`` (multipart: ``file`` GPX / CSV / GeoJSON, ``grid_id``, ``network_id``,
``coords``, optional ``key_points`` as JSON) stores the file under the upload size limit, checks
the caller may plan routes for the grid, and queues a ``track_coverage`` job; poll
``GET /jobs/{id}`` for the report (:mod:`api.tracks_jobs`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import TypeAdapter, ValidationError

from api.deps import JobRunnerDep, OneThreadRoute, PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES, invalid_input
from api.job_inputs import KeyPointIn
from api.schemas.common import RowId
from api.schemas.job import JobPublic
from api.tracks_jobs import TrackCoverageParams, authorize_track_coverage
from api.uploads import TRACK_KINDS, quota_left, save_upload

router = APIRouter(prefix="/tracks", tags=["tracks"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


@router.post("/coverage", response_model=JobPublic, status_code=202,
             responses={413: {"description": "file over the upload limit"},
                        415: {"description": "the content is not GPX, CSV or GeoJSON"}})
def upload_tracks(
    file: Annotated[UploadFile, File(description="GPX 1.0/1.1, CSV officer,time,lon,lat"
                                                 "[,accuracy] or GeoJSON of GPS fixes")],
    grid_id: Annotated[RowId, Form()], network_id: Annotated[RowId, Form()],
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, runner: JobRunnerDep,
    response: Response,
    coords: Annotated[Literal["wgs84", "gcj02", "bd09", "cgcs2000"], Form()] = "wgs84",
    key_points: Annotated[str | None, Form(
        max_length=20_000,
        description="JSON list of key points (id, name, lon, lat, dwell_minutes, window)")
    ] = None,
) -> JobPublic:
    """Queue the coverage of ``grid_id`` by the uploaded tracks; poll ``GET /jobs/{id}``."""
    params = TrackCoverageParams(grid_id=grid_id, network_id=network_id, coords=coords,
                                 upload="0" * 64 + ".gpx", filename=file.filename or "tracks",
                                 key_points=_key_points(key_points))
    authorize_track_coverage(session, principal, params)  # before storing anything
    saved = save_upload(file, folder=settings.uploads_dir / "tracks", kinds=TRACK_KINDS,
                        max_bytes=settings.max_upload_bytes,
                        quota_bytes=quota_left(session, principal.username,
                                               settings.upload_quota_bytes))
    params = params.model_copy(update={"upload": saved.path.name})
    job = runner.create(session, kind="track_coverage", params=params, owner=principal)
    session.commit()
    runner.submit(job.id, principal)
    response.headers["Location"] = f"/jobs/{job.id}"
    return JobPublic.of(job)


def _key_points(text: str | None) -> list[KeyPointIn]:
    """The form's key points (a JSON list), every problem reported at once."""
    if not text:
        return []
    try:
        return TypeAdapter(list[KeyPointIn]).validate_json(text)
    except ValidationError as exc:
        raise invalid_input(exc, "bad key points", source="key_points",
                            fix="a JSON list of {id, name, lon, lat, dwell_minutes, window}"
                            ) from None
