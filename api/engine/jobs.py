"""The service's jobs as executed on an engine worker: claim, lease, run, finish.

:func:`execute_job` is what the service submits to Dask. On the worker it claims the queued job
(compare-and-set ``queued → running`` with this worker as lease owner), keeps the lease alive
from a small thread while the job runs, and records the outcome only if it still holds the lease
— so a job whose worker was presumed dead and whose lease was taken over can never flip its
state afterwards. Progress and cancellation go through the database: any API process writes
``cancel_requested``; the job reads it at its next checkpoint (at most every 0.25 s).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import update

from api.db.models import Job
from api.db.session import Database
from gridplan.errors import GridPlanError
from gridplan.progress import Cancelled

if TYPE_CHECKING:
    from pydantic import BaseModel

    from api.auth import Principal

QUEUED, RUNNING, SUCCEEDED = "queued", "running", "succeeded"
FAILED, CANCELLED = "failed", "cancelled"
FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})
PROGRESS_EVERY_S = 0.25  # at most this often a progress write or a cancel-flag read hits the DB
MAX_PROBLEMS = 100  # kept one by one in a failed job's error (the report has them all)


def now() -> datetime:
    return datetime.now(UTC)


def process_id(role: str) -> str:
    """A name for this process in lease columns: role, host, pid and a random suffix."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:128]


_DATABASES: dict[str, Database] = {}
_DATABASES_LOCK = threading.Lock()


def database(url: str) -> Database:
    """One connection pool per database per worker process, reused by every job."""
    with _DATABASES_LOCK:
        db = _DATABASES.get(url)
        if db is None:
            db = _DATABASES[url] = Database.connect(url)
        return db


def forget_database(url: str) -> None:
    """Close this process's pool for ``url`` (an engine of worker threads in the API process
    shares it; its connections must not outlive the service that stopped)."""
    with _DATABASES_LOCK:
        db = _DATABASES.pop(url, None)
    if db is not None:
        db.dispose()


class RunnableKind(Protocol):
    """What a worker needs of a job kind (:class:`api.jobs.JobKind`): its parameters' model and
    its function; who may submit it was decided in the API process."""

    @property
    def params(self) -> type[BaseModel]: ...

    @property
    def run(self) -> Any: ...


@dataclass
class Lease:
    """A job's lease held by this process, renewed every third of its length by a thread."""

    db: Database
    job_id: str
    holder: str
    seconds: float
    lost: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Lease:
        threading.Thread(target=self._keep, name=f"lease-{self.job_id[:8]}", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    def _keep(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                with self.db.session() as session:
                    kept = session.execute(update(Job).where(
                        Job.id == self.job_id, Job.lease_owner == self.holder,
                        Job.status == RUNNING).values(
                        lease_expires_at=now() + timedelta(seconds=self.seconds))).rowcount
            except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                continue
            if not kept:  # taken over (we were presumed dead) or finished elsewhere: stop
                self.lost.set()
                return


@dataclass
class JobContext:
    """What a running job may use: the database, its owner, progress and cancellation."""

    job_id: str
    owner: Principal
    db: Database
    settings: Any
    lease: Lease | None = None
    _last_write: float = 0.0
    _last_poll: float = 0.0
    _cancelled: bool = False

    def progress(self, fraction: float, message: str = "") -> None:
        now_s = time.monotonic()
        if now_s - self._last_write < PROGRESS_EVERY_S and fraction < 1.0:
            return
        self._last_write = now_s
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id == self.job_id, Job.status == RUNNING)
                            .values(progress=min(1.0, max(0.0, fraction)), message=message[:500]))

    def should_cancel(self) -> bool:
        if self._cancelled or (self.lease is not None and self.lease.lost.is_set()):
            return True
        now_s = time.monotonic()
        if now_s - self._last_poll >= PROGRESS_EVERY_S:  # any API process may set the flag
            self._last_poll = now_s
            with self.db.session() as session:
                self._cancelled = bool(session.get_one(Job, self.job_id).cancel_requested)
        return self._cancelled


def _claim(db: Database, job_id: str, holder: str, lease_s: float) -> bool:
    with db.session() as session:
        return bool(session.execute(update(Job).where(Job.id == job_id, Job.status == QUEUED)
                                    .values(status=RUNNING, started_at=now(), message="running",
                                            lease_owner=holder,
                                            lease_expires_at=now() + timedelta(seconds=lease_s))
                                    ).rowcount)


def _finish(db: Database, job_id: str, holder: str, **values: Any) -> bool:
    with db.session() as session:
        return bool(session.execute(update(Job).where(
            Job.id == job_id, Job.lease_owner == holder, Job.status == RUNNING).values(
            finished_at=now(), lease_expires_at=None, **values)).rowcount)


def execute_job(job_id: str, kind: RunnableKind, settings: Any, owner: Principal,
                lease_s: float) -> str:
    """Run one queued job here (on a worker); returns the status it ended with, or ``"skipped"``
    when it was no longer queued (cancelled, or run by another worker already)."""
    db = database(settings.effective_database_url)
    holder = process_id("worker")
    if not _claim(db, job_id, holder, lease_s):
        return "skipped"
    with Lease(db, job_id, holder, lease_s) as lease:
        ctx = JobContext(job_id, owner, db, settings, lease)
        outcome = _run(kind, ctx, db)
    status = outcome["status"]
    if not _finish(db, job_id, holder, **outcome):
        return "lost"  # another process took the job over; its outcome counts, not ours
    return status


def _run(kind: RunnableKind, ctx: JobContext, db: Database) -> dict[str, Any]:
    with db.session() as session:
        raw = session.get_one(Job, ctx.job_id).params
    try:
        result = kind.run(ctx, kind.params.model_validate(raw))
    except Cancelled as exc:
        return {"status": CANCELLED, "message": str(exc.args[0])[:500]}
    except GridPlanError as exc:
        return {"status": FAILED, "message": str(exc.args[0])[:500],
                "error": {"kind": type(exc).__name__, "report": exc.report(),
                          "problems": [asdict(p) for p in exc.problems[:MAX_PROBLEMS]]}}
    except Exception as exc:  # noqa: BLE001 - a job must never kill its worker
        return {"status": FAILED, "message": f"internal error: {exc!r}"[:500],
                "error": {"kind": type(exc).__name__,
                          "traceback": traceback.format_exc()[-4000:]}}
    return {"status": SUCCEEDED, "progress": 1.0, "message": "done", "result": result}
