"""Background jobs: a registry of job kinds and a thread-pool runner that persists everything.

A job kind is one small function ``run(ctx, params) -> result`` plus a pydantic model of its
parameters and an ``authorize(session, principal, params)`` rule; register it with
:func:`job_kind`. The runner stores status, progress, message, result and error in the ``jobs``
table, so any worker (or a restarted service) can answer ``GET /jobs/{id}``. Cancellation is
cooperative: ``ctx.should_cancel()`` turns true and the engine stops at its next
:func:`gridplan.progress.report` checkpoint by raising :class:`~gridplan.progress.Cancelled`.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import Job
from api.db.session import Database
from gridplan.errors import GridPlanError
from gridplan.progress import Cancelled

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})
_PROGRESS_EVERY_S = 0.25  # at most this often a progress write or a cancel-flag read hits the DB


@dataclass
class JobContext:
    """What a running job may use: the database, its owner, progress and cancellation."""

    job_id: str
    owner: Principal
    db: Database
    settings: Any
    _runner: JobRunner
    _last_write: float = 0.0
    _last_poll: float = 0.0
    _cancelled: bool = False

    def progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - self._last_write < _PROGRESS_EVERY_S and fraction < 1.0:
            return
        self._last_write = now
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id == self.job_id)
                            .values(progress=min(1.0, max(0.0, fraction)), message=message[:500]))

    def should_cancel(self) -> bool:
        if self._cancelled or self._runner.cancel_flag(self.job_id).is_set():
            return True
        now = time.monotonic()
        if now - self._last_poll >= _PROGRESS_EVERY_S:  # another worker may have set the flag
            self._last_poll = now
            with self.db.session() as session:
                self._cancelled = bool(session.get_one(Job, self.job_id).cancel_requested)
        return self._cancelled


JobFunction = Callable[[JobContext, Any], dict[str, Any]]
Authorize = Callable[[Session, Principal, Any], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    params: type[BaseModel]
    run: JobFunction
    authorize: Authorize
    description: str = ""


@dataclass
class JobRegistry:
    kinds: dict[str, JobKind] = field(default_factory=dict)

    def add(self, kind: JobKind) -> None:
        if kind.name in self.kinds:
            raise ValueError(f"job kind {kind.name!r} registered twice")
        self.kinds[kind.name] = kind

    def job_kind(self, name: str, *, params: type[BaseModel], authorize: Authorize
                 ) -> Callable[[JobFunction], JobFunction]:
        """Decorator registering ``run(ctx, params) -> dict`` as job kind ``name``."""

        def register(run: JobFunction) -> JobFunction:
            self.add(JobKind(name, params, run, authorize, (run.__doc__ or "").strip()))
            return run

        return register


def _now() -> datetime:
    return datetime.now(UTC)


class JobRunner:
    """Runs queued jobs on a thread pool; one instance per service process."""

    def __init__(self, db: Database, registry: JobRegistry, *, workers: int, settings: Any) -> None:
        self.db = db
        self.registry = registry
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gridplan-job")
        self._flags: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def cancel_flag(self, job_id: str) -> threading.Event:
        with self._lock:
            return self._flags.setdefault(job_id, threading.Event())

    def create(self, session: Session, *, kind: str, params: BaseModel, owner: Principal) -> Job:
        job = Job(id=str(uuid.uuid4()), kind=kind, params=params.model_dump(mode="json"),
                  status=QUEUED, progress=0.0, message="queued", owner=owner.username,
                  cancel_requested=False, created_at=_now())
        session.add(job)
        return job

    def submit(self, job_id: str, owner: Principal) -> None:
        self._pool.submit(self._run, job_id, owner)

    def request_cancel(self, session: Session, job: Job) -> None:
        """Queued jobs are cancelled at once; running ones see the flag at their next checkpoint."""
        if job.status == QUEUED:
            job.status, job.message, job.finished_at = CANCELLED, "cancelled before start", _now()
        job.cancel_requested = True
        self.cancel_flag(job.id).set()

    def recover(self) -> int:
        """At start: jobs a dead process left running are failed (their work is gone)."""
        with self.db.session() as session:
            result = session.execute(
                update(Job).where(Job.status.in_([QUEUED, RUNNING])).values(
                    status=FAILED, finished_at=_now(),
                    message="the service stopped before this job finished; submit it again"))
            return int(result.rowcount or 0)

    def shutdown(self) -> None:
        with self._lock:
            for flag in self._flags.values():
                flag.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _claim(self, job_id: str) -> Job | None:
        with self.db.session() as session:
            claimed = session.execute(
                update(Job).where(Job.id == job_id, Job.status == QUEUED)
                .values(status=RUNNING, started_at=_now(), message="running")).rowcount
            return session.get(Job, job_id) if claimed else None

    def _finish(self, job_id: str, **values: Any) -> None:
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id == job_id)
                            .values(finished_at=_now(), **values))
        with self._lock:
            self._flags.pop(job_id, None)

    def _run(self, job_id: str, owner: Principal) -> None:
        job = self._claim(job_id)
        if job is None:  # cancelled while queued
            return
        kind = self.registry.kinds[job.kind]
        ctx = JobContext(job_id, owner, self.db, self.settings, self)
        try:
            params = kind.params.model_validate(job.params)
            result = kind.run(ctx, params)
        except Cancelled as exc:
            self._finish(job_id, status=CANCELLED, message=str(exc.args[0])[:500])
        except GridPlanError as exc:
            self._finish(job_id, status=FAILED, message=str(exc.args[0])[:500],
                         error={"kind": type(exc).__name__, "report": exc.report()})
        except Exception as exc:  # noqa: BLE001 - a job must never kill its worker thread
            self._finish(job_id, status=FAILED, message=f"internal error: {exc!r}"[:500],
                         error={"kind": type(exc).__name__,
                                "traceback": traceback.format_exc()[-4000:]})
        else:
            self._finish(job_id, status=SUCCEEDED, progress=1.0, message="done", result=result)
