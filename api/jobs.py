"""Background jobs: a registry of job kinds, and the runner that queues them on the engine.

A job kind is one small function ``run(ctx, params) -> result`` plus a pydantic model of its
parameters and an ``authorize(session, principal, params)`` rule; register it with
:meth:`JobRegistry.job_kind`. The API process never runs a job: :class:`JobRunner` stores the
job, submits :func:`api.engine.jobs.execute_job` to the Dask engine (an embedded cluster of
worker processes, or ``GRIDPLAN_SCHEDULER``) and only reads and writes the database after that.

Leases. Every unfinished job has a lease owner and an expiry. The API process that queued a job
renews its lease while the job waits; the worker that runs it renews it while it runs. Every API
process sweeps for jobs whose lease ran out (their process died) and recovers each exactly once —
a compare-and-set on the old lease, so with several processes on one PostgreSQL one wins — by
re-queueing it (kinds without side effects) or failing it (``on_lost="fail"``). Live jobs of other
processes are never touched.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.db.models import Job, User
from api.db.session import Database
from api.engine.jobs import (  # noqa: F401 - re-exported for job kinds and routers
    CANCELLED,
    FAILED,
    FINISHED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobContext,
    execute_job,
    forget_database,
    now,
    process_id,
)

MAX_ATTEMPTS = 3  # a job lost this often is failed, not re-queued again

JobFunction = Callable[[JobContext, Any], dict[str, Any]]
Authorize = Callable[[Session, Principal, Any], None]
OnLost = Literal["requeue", "fail"]
#: ``(session, job params, message)``: a job of the kind ended without its own code finishing
#: (lost past its retries, refused by the engine, cancelled while queued); records its
#: submission marked as pending (a network "parsing") are set straight here.
GivenUp = Callable[[Session, dict[str, Any], str], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    params: type[BaseModel]
    run: JobFunction
    authorize: Authorize
    description: str = ""
    on_lost: OnLost = "requeue"  # "fail" for kinds that write data (may have half-done it)
    given_up: GivenUp | None = None


@dataclass
class JobRegistry:
    kinds: dict[str, JobKind] = field(default_factory=dict)

    def add(self, kind: JobKind) -> None:
        if kind.name in self.kinds:
            raise ValueError(f"job kind {kind.name!r} registered twice")
        self.kinds[kind.name] = kind

    def job_kind(self, name: str, *, params: type[BaseModel], authorize: Authorize,
                 on_lost: OnLost = "requeue", given_up: GivenUp | None = None
                 ) -> Callable[[JobFunction], JobFunction]:
        """Decorator registering ``run(ctx, params) -> dict`` as job kind ``name``."""

        def register(run: JobFunction) -> JobFunction:
            self.add(JobKind(name, params, run, authorize, (run.__doc__ or "").strip(), on_lost,
                             given_up))
            return run

        return register


class JobRunner:
    """Queues jobs on the engine and keeps their leases; one instance per API process.

    ``engine`` is a context manager factory yielding a ``distributed.Client``; it is entered on
    the first job (most requests never need a cluster)."""

    def __init__(self, db: Database, registry: JobRegistry, *, settings: Any,
                 engine: Callable[[], Any]) -> None:
        self.db, self.registry, self.settings = db, registry, settings
        self.lease_s = float(settings.job_lease_s)
        self.holder = process_id("api")
        self._engine_factory = engine
        self._engine: Any = None
        self._client: Any = None
        self._futures: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="gridplan-leases", daemon=True)

    # ------------------------------------------------------------------------------ requests
    def create(self, session: Session, *, kind: str, params: BaseModel, owner: Principal) -> Job:
        job = Job(id=str(uuid.uuid4()), kind=kind, params=params.model_dump(mode="json"),
                  status=QUEUED, progress=0.0, message="queued", owner=owner.username,
                  cancel_requested=False, created_at=now(), lease_owner=self.holder,
                  lease_expires_at=now() + timedelta(seconds=self.lease_s), attempts=0)
        session.add(job)
        return job

    def submit(self, job_id: str, owner: Principal) -> None:
        kind = self._kind_of(job_id)
        try:
            client = self._ensure_client()
            future = client.submit(execute_job, job_id, kind, self.settings, owner,
                                   self.lease_s, key=f"job-{job_id}-{uuid.uuid4().hex[:6]}",
                                   pure=False, retries=1)
        except Exception as exc:  # noqa: BLE001 - no engine: say so on the job, do not hang
            self._fail_queued(job_id, f"the execution engine is unavailable: {exc}"[:500])
            return
        with self._lock:  # a released future would be forgotten by the scheduler
            self._futures[job_id] = future
        future.add_done_callback(lambda _: self._forget(job_id))

    def request_cancel(self, session: Session, job: Job) -> None:
        """Queued jobs are cancelled at once; running ones see the flag at their next checkpoint
        (the flag is in the database, so the worker sees it whichever process set it)."""
        if job.status == QUEUED:
            job.status, job.message, job.finished_at = CANCELLED, "cancelled before start", now()
            job.lease_expires_at = None
            kind = self.registry.kinds.get(job.kind)
            if kind is not None and kind.given_up is not None:
                kind.given_up(session, job.params, "cancelled before it started")
        job.cancel_requested = True

    # ---------------------------------------------------------------------------- lifecycle
    def start(self) -> int:
        """Recover what dead processes left behind, then keep leases alive in the background."""
        recovered = self.recover()
        self._beat.start()
        if getattr(self.settings, "engine_at_start", False):  # worker processes take seconds
            threading.Thread(target=self._warm_up, name="gridplan-engine-start",
                             daemon=True).start()
        return recovered

    def _warm_up(self) -> None:
        with contextlib.suppress(Exception):  # the first job will report the engine's error
            self._ensure_client()

    def shutdown(self) -> None:
        self._stop.set()
        if self._beat.is_alive():
            self._beat.join(timeout=10)
        with self._lock:  # waits for an engine being started to be up, then stops it
            futures, self._futures = list(self._futures.values()), {}
            client, engine, self._engine, self._client = self._client, self._engine, None, None
        if client is not None:
            client.cancel(futures)
        if engine is not None:
            engine.__exit__(None, None, None)
        forget_database(self.settings.effective_database_url)  # held here by thread workers

    def recover(self) -> int:
        """Jobs whose lease ran out: each re-queued or failed (by kind) by exactly one process."""
        with self.db.session() as session:
            expired = list(session.execute(select(Job.id, Job.kind, Job.status,
                                                  Job.lease_expires_at, Job.attempts).where(
                Job.status.in_([QUEUED, RUNNING]), Job.lease_expires_at < now())))
        recovered = 0
        for job_id, kind_name, status, expires, attempts in expired:
            kind = self.registry.kinds.get(kind_name)
            requeue = kind is not None and kind.on_lost == "requeue" and attempts < MAX_ATTEMPTS
            if self._take_over(job_id, status, expires, attempts, requeue=requeue):
                recovered += 1
                if requeue:
                    self.submit(job_id, self._owner_of(job_id))
                else:
                    self._given_up(job_id, f"its process stopped {attempts + 1} time(s) while "
                                           f"it was {status}")
        return recovered

    # ------------------------------------------------------------------------------ helpers
    def _take_over(self, job_id: str, status: str, expires: Any, attempts: int, *,
                   requeue: bool) -> bool:
        """Compare-and-set on the expired lease: True for the one process that wins."""
        if requeue:
            values: dict[str, Any] = {
                "status": QUEUED, "attempts": attempts + 1, "lease_owner": self.holder,
                "lease_expires_at": now() + timedelta(seconds=self.lease_s), "progress": 0.0,
                "message": f"re-queued: its {status} process stopped answering"}
        else:
            values = {"status": FAILED, "finished_at": now(), "lease_expires_at": None,
                      "attempts": attempts + 1,
                      "message": f"its process stopped while the job was {status}; submit it "
                                 "again"}
        with self.db.session() as session:
            return bool(session.execute(update(Job).where(
                Job.id == job_id, Job.status == status, Job.attempts == attempts,
                Job.lease_expires_at == expires).values(**values)).rowcount)

    def _fail_queued(self, job_id: str, message: str) -> None:
        with self.db.session() as session:
            failed = session.execute(update(Job).where(
                Job.id == job_id, Job.status == QUEUED).values(
                status=FAILED, finished_at=now(), lease_expires_at=None,
                message=message)).rowcount
        if failed:
            self._given_up(job_id, message)

    def _given_up(self, job_id: str, message: str) -> None:
        """Let the job's kind set straight what its submission left pending."""
        with self.db.session() as session:
            job = session.get_one(Job, job_id)
            kind = self.registry.kinds.get(job.kind)
            if kind is not None and kind.given_up is not None:
                kind.given_up(session, dict(job.params), message)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            with self._lock:
                waiting = list(self._futures)
            try:
                if waiting:  # queued jobs the engine still holds for us: still wanted
                    with self.db.session() as session:
                        session.execute(update(Job).where(
                            Job.lease_owner == self.holder, Job.status == QUEUED,
                            Job.id.in_(waiting)).values(
                            lease_expires_at=now() + timedelta(seconds=self.lease_s)))
                self.recover()
            except Exception:  # noqa: BLE001, S112 - the database may be briefly away
                continue

    def _ensure_client(self) -> Any:
        with self._lock:
            if self._stop.is_set():
                raise RuntimeError("the service is shutting down")
            if self._client is None:
                self._engine = self._engine_factory()
                self._client = self._engine.__enter__()
            return self._client

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._futures.pop(job_id, None)

    def _kind_of(self, job_id: str) -> JobKind:
        with self.db.session() as session:
            return self.registry.kinds[session.get_one(Job, job_id).kind]

    def _owner_of(self, job_id: str) -> Principal:
        with self.db.session() as session:
            username = session.get_one(Job, job_id).owner
            user = session.scalar(select(User).where(User.username == username))
            if user is None:  # a vanished user's job sees the least: a squad leader's nothing
                return Principal(username, Role.SQUAD_LEADER)
            return Principal.of(user)

