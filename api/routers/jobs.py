from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import defer

from api.auth import Principal, Role
from api.db.models import Job
from api.deps import JobRunnerDep, OneThreadRoute, PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES, ErrorBody, invalid_input
from api.jobs import FINISHED, SUCCEEDED
from api.pagination import Page, PageDep, page_of_query
from api.policy import check_owner
from api.schemas.job import JobCreate, JobError, JobKindPublic, JobPublic, JobResult
from gridplan.errors import InvalidInputError, Problem

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


def public_job(job: Job, principal: Principal) -> JobPublic:
    """The job as its caller may see it: an unexpected error's traceback and exception text are
    for administrators (they name server paths and internals); the owner learns that an internal
    error stopped the job and what to quote. Problems in the input stay fully reported."""
    out = JobPublic.of(job)
    if principal.role is Role.ADMIN or not (job.error and "traceback" in job.error):
        return out
    note = f"an internal error stopped this job; an administrator can look up job {job.id}"
    return out.model_copy(update={"message": note,
                                  "error": JobError(kind="internal_error", report=note)})


@router.get("/kinds", response_model=list[JobKindPublic])
def list_kinds(runner: JobRunnerDep, principal: PrincipalDep) -> list[JobKindPublic]:
    return [JobKindPublic(name=k.name, description=k.description,
                          params_schema=k.params.model_json_schema())
            for k in runner.registry.kinds.values()]


@router.post("", response_model=JobPublic, status_code=202)
def submit_job(body: JobCreate, session: SessionDep, principal: PrincipalDep,
               runner: JobRunnerDep, response: Response) -> JobPublic:
    """Queue long work; poll ``GET /jobs/{id}``, cancel with ``DELETE /jobs/{id}``."""
    kind = runner.registry.kinds.get(body.kind)
    if kind is None:
        raise InvalidInputError("unknown job kind", [Problem(
            "job", "kind", " or ".join(sorted(runner.registry.kinds)), repr(body.kind),
            "see GET /jobs/kinds")])
    try:
        params = kind.params.model_validate(body.params)
    except ValidationError as exc:
        raise invalid_input(exc, f"bad parameters for job {kind.name}", source="params",
                            fix="see params_schema in GET /jobs/kinds") from None
    kind.authorize(session, principal, params)
    job = runner.create(session, kind=kind.name, params=params, owner=principal)
    session.commit()
    runner.submit(job.id, principal)
    response.headers["Location"] = f"/jobs/{job.id}"
    return public_job(job, principal)


@router.get("", response_model=Page[JobPublic])
def list_jobs(session: SessionDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    """The caller's jobs (every job for an admin), newest first, one page at a time."""
    query = select(Job).options(defer(Job.result)).order_by(Job.created_at.desc(), Job.id)
    if principal.role is not Role.ADMIN:
        query = query.where(Job.owner == principal.username)
    return page_of_query(session, query, page, lambda job: public_job(job, principal))


def _job(session: SessionDep, job_id: str, *, with_result: bool = False) -> Job:
    # A poll never loads the result: it can be megabytes of GeoJSON
    options = () if with_result else (defer(Job.result),)
    job = session.get(Job, job_id, options=options)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id}")
    return job


@router.get("/{job_id}", response_model=JobPublic)
def read_job(job_id: str, session: SessionDep, principal: PrincipalDep) -> JobPublic:
    """Status and progress (no result: see ``result_url``)."""
    job = _job(session, job_id)
    check_owner(principal, job.owner)
    return public_job(job, principal)


@router.get("/{job_id}/result", response_model=JobResult,
            responses={409: {"model": ErrorBody, "description": "job has no result (yet)"}})
def read_job_result(job_id: str, session: SessionDep, principal: PrincipalDep) -> JobResult:
    """The result of a succeeded job, typed by kind and versioned."""
    job = _job(session, job_id, with_result=True)
    check_owner(principal, job.owner)
    if job.status != SUCCEEDED:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"job is {job.status}: no result")
    return JobResult.of(job)


@router.delete("/{job_id}", response_model=JobPublic, status_code=202,
               responses={409: {"model": ErrorBody, "description": "job already finished"}})
def cancel_job(job_id: str, session: SessionDep, principal: PrincipalDep,
               runner: JobRunnerDep) -> JobPublic:
    """Ask a job to stop: queued jobs stop at once, running ones at their next checkpoint."""
    job = _job(session, job_id)
    check_owner(principal, job.owner)
    if job.status in FINISHED:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"job already {job.status}")
    runner.request_cancel(session, job)
    session.commit()
    return public_job(job, principal)
