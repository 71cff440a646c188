"""Jobs over HTTP: a poll is small (status, progress, where the result is); the result is its
own, typed and versioned resource (``GET /jobs/{id}/result``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from geojson_pydantic import Feature, FeatureCollection
from pydantic import BaseModel, Field, ValidationError

RESULT_VERSION = 1
REPORT_CHARS = 2000  # a poll stays small even when a job failed with a long report


class JobCreate(BaseModel):
    kind: str = Field(description="a registered job kind, see GET /jobs/kinds")
    params: dict[str, Any] = Field(default_factory=dict)


class JobProblem(BaseModel):
    """One problem of a failed job's input (as in a 422 body: where, expected, found, fix)."""

    source: str
    where: str
    expected: str
    found: str
    fix: str


class JobError(BaseModel):
    kind: str = Field(description="the error's class")
    report: str = Field(default="", description="what was wrong and how to fix it")
    problems: list[JobProblem] = Field(default_factory=list, description="the report's problems "
                                       "one by one (the first 100), for a list on screen")
    traceback: str | None = Field(default=None, description="where an unexpected error "
                                  "happened; shown to administrators only")


class JobPublic(BaseModel):
    """A job's state, without its result (fetch ``result_url`` once ``status`` is succeeded)."""

    id: str
    kind: str
    params: dict[str, Any]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: float
    message: str
    error: JobError | None
    cancel_requested: bool
    owner: str
    attempts: int = Field(description="times the job was recovered after its process stopped")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result_url: str | None = Field(description="GET this for the result; null until succeeded")

    @classmethod
    def of(cls, job: Any) -> JobPublic:
        error = None
        if job.error:
            error = JobError(kind=str(job.error.get("kind", "")),
                             report=str(job.error.get("report", ""))[:REPORT_CHARS],
                             problems=job.error.get("problems") or [],
                             traceback=job.error.get("traceback"))
        return cls(id=job.id, kind=job.kind, params=job.params, status=job.status,
                   progress=job.progress, message=job.message, error=error,
                   cancel_requested=job.cancel_requested, owner=job.owner,
                   attempts=job.attempts or 0, created_at=job.created_at,
                   started_at=job.started_at, finished_at=job.finished_at,
                   result_url=f"/jobs/{job.id}/result" if job.status == "succeeded" else None)


class OfficerRoute(BaseModel):
    officer: str
    length_m: float
    minutes: float
    geometry: dict[str, Any] | None = Field(description="GeoJSON line, WGS-84")


class RouteContext(BaseModel):
    """What a route map draws under the routes: the grid's outline and the streets around it."""

    grid: FeatureCollection[Feature]
    streets: FeatureCollection[Feature]


class RouteLayers(BaseModel):
    """A routes job's map layers (WGS-84), from which its maps and exports are drawn."""

    routes: FeatureCollection[Feature]
    key_points: FeatureCollection[Feature]
    uncovered: FeatureCollection[Feature]
    context: RouteContext | None = Field(default=None, description="absent in results stored "
                                         "before the maps drew the streets")
    officers: list[dict[str, Any]]
    title: str
    lang: str
    model_config = {"extra": "allow"}  # layers a later version adds reach older clients too


class RoutesResult(BaseModel):
    """``routes``: the plan's figures (``PatrolPlan.to_dict``), validity, lines and layers."""

    kind: Literal["routes"] = "routes"
    grid_id: int
    network_id: int
    grid: str
    valid: bool
    longest_min: float
    lower_bound_min: float
    gap: float
    coverage: float
    routes: list[OfficerRoute]
    layers: RouteLayers
    model_config = {"extra": "allow"}  # the remaining figures of PatrolPlan.to_dict


class OtherResult(BaseModel):
    """Any other kind's result, as its job function returned it (see ``GET /jobs/kinds``)."""

    kind: str
    model_config = {"extra": "allow"}


class JobResult(BaseModel):
    """A finished job's result, versioned: a client checks ``version`` before reading."""

    job_id: str
    kind: str
    version: Literal[1] = RESULT_VERSION
    result: RoutesResult | OtherResult

    @classmethod
    def of(cls, job: Any) -> JobResult:
        body = {"kind": job.kind, **(job.result or {})}
        result: RoutesResult | OtherResult
        try:
            result = (RoutesResult if job.kind == "routes" else OtherResult).model_validate(body)
        except ValidationError:  # stored by an older version: served as it was kept
            result = OtherResult.model_validate(body)
        return cls(job_id=job.id, kind=job.kind, result=result)


class JobKindPublic(BaseModel):
    name: str
    description: str
    params_schema: dict[str, Any]
