"""Job leases: a restart recovers only jobs whose lease ran out, each exactly once, even with
several service processes on one database; a worker that lost its lease cannot record anything;
jobs run in engine worker processes, never in the API process."""

from __future__ import annotations

import os
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from api.app import create_app
from api.db.models import Job
from api.engine.jobs import _claim, _finish, now
from api.job_kinds import build_registry
from api.jobs import FAILED, QUEUED, RUNNING, SUCCEEDED, JobContext, JobRunner
from api.settings import Settings
from tests.api.conftest import HP, TestClient, World


def _job(db: Any, *, kind: str, status: str, lease_in_s: float, params: dict | None = None,
         holder: str = "api:elsewhere:1:abc") -> str:
    job_id = str(uuid.uuid4())
    with db.session() as s:
        s.add(Job(id=job_id, kind=kind, params=params or {}, status=status, progress=0.3,
                  message=status, owner="planner", cancel_requested=False, created_at=now(),
                  started_at=now() if status == RUNNING else None, lease_owner=holder,
                  lease_expires_at=now() + timedelta(seconds=lease_in_s), attempts=0))
    return job_id


def _state(db: Any, job_id: str) -> Job:
    with db.session() as s:
        return s.get_one(Job, job_id)


class RecordingEngine:
    """Stands in for the Dask client: records what would run, runs nothing."""

    def __init__(self) -> None:
        self.submitted: list[str] = []
        self._lock = threading.Lock()

    @contextmanager
    def __call__(self) -> Any:
        yield self

    def submit(self, fn: Any, job_id: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.submitted.append(job_id)
        return _Done()

    def cancel(self, futures: Any) -> None:
        pass


class _Done:
    def add_done_callback(self, callback: Any) -> None:
        callback(self)


def test_start_recovers_only_expired_leases_by_kind(world: World) -> None:
    db = world.db
    params = {"plan_a": world.plans[HP], "plan_b": world.proposals[HP]}
    live = _job(db, kind="compare_plans", status=RUNNING, lease_in_s=600, params=params)
    live_queued = _job(db, kind="compare_plans", status=QUEUED, lease_in_s=600, params=params)
    dead = _job(db, kind="compare_plans", status=RUNNING, lease_in_s=-5, params=params)
    dead_writer = _job(db, kind="redesign", status=RUNNING, lease_in_s=-5)
    engine = RecordingEngine()
    runner = JobRunner(db, build_registry(), settings=world.client.app.state.settings,
                       engine=engine)
    assert runner.recover() == 2
    assert engine.submitted == [dead]  # re-queued and handed to the engine
    again = _state(db, dead)
    assert again.status == QUEUED and again.attempts == 1 and again.lease_owner == runner.holder
    assert _state(db, dead_writer).status == FAILED  # it may have half-written: never re-run
    for other in (live, live_queued):  # another process's live jobs: untouched
        assert _state(db, other).status in (RUNNING, QUEUED)
        assert _state(db, other).lease_owner == "api:elsewhere:1:abc"
    assert runner.recover() == 0  # nothing expired any more


def test_several_processes_recover_each_expired_job_exactly_once(world: World) -> None:
    db = world.db
    expired = [_job(db, kind="compare_plans", status=RUNNING, lease_in_s=-1) for _ in range(12)]
    engine = RecordingEngine()
    runners = [JobRunner(db, build_registry(), settings=world.client.app.state.settings,
                         engine=engine) for _ in range(4)]
    counts: list[int] = []
    barrier = threading.Barrier(len(runners))

    def sweep(runner: JobRunner) -> None:
        barrier.wait()
        counts.append(runner.recover())

    threads = [threading.Thread(target=sweep, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(counts) == len(expired)
    assert sorted(engine.submitted) == sorted(expired)  # each handed out once
    holders = {_state(db, j).lease_owner for j in expired}
    assert holders <= {r.holder for r in runners}
    assert all(_state(db, j).attempts == 1 for j in expired)


def test_a_worker_that_lost_its_lease_cannot_record_an_outcome(world: World) -> None:
    db = world.db
    job_id = _job(db, kind="compare_plans", status=QUEUED, lease_in_s=60)
    assert _claim(db, job_id, "worker:a", 60)
    assert not _claim(db, job_id, "worker:b", 60)  # claimed once
    with db.session() as s:  # presumed dead: another process failed it meanwhile
        s.get_one(Job, job_id).status = FAILED
    assert not _finish(db, job_id, "worker:a", status=SUCCEEDED, result={"late": True})
    assert _state(db, job_id).status == FAILED and _state(db, job_id).result is None


class PidParams(BaseModel):
    pass


def report_pid(ctx: JobContext, p: PidParams) -> dict[str, Any]:
    """Which process ran the job."""
    return {"pid": os.getpid()}


def pid_registry() -> Any:
    registry = build_registry()
    registry.job_kind("pid", params=PidParams, authorize=lambda s, p, params: None)(report_pid)
    return registry


@pytest.mark.slow
def test_jobs_run_in_engine_worker_processes_not_the_api_process(settings: Settings) -> None:
    registry = pid_registry()
    real = settings.model_copy(update={"engine_processes": True, "job_workers": 1})
    with TestClient(create_app(real, registry=registry)) as client:
        from api.auth import Role, create_user, new_api_key

        with client.app.state.db.session() as s:  # type: ignore[attr-defined]
            key = new_api_key(s, create_user(s, "sq", "pw-pw-pw-pw",
                                             role=Role.SQUAD_LEADER))[1]
        h = {"X-API-Key": key}
        job_id = client.post("/jobs", json={"kind": "pid", "params": {}}, headers=h).json()["id"]
        deadline = time.monotonic() + 300
        while (job := client.get(f"/jobs/{job_id}", headers=h).json())["status"] != SUCCEEDED:
            assert time.monotonic() < deadline and job["status"] in (QUEUED, RUNNING), job
            time.sleep(0.2)
        result = client.get(job["result_url"], headers=h).json()["result"]
    assert result["pid"] != os.getpid()


class BrokenEngine(RecordingEngine):
    def submit(self, *args: Any, **kwargs: Any) -> Any:
        raise OSError("scheduler tcp://10.9.9.9:8786 unreachable")


def test_a_job_the_engine_cannot_take_fails_at_once_and_says_why(world: World) -> None:
    db = world.db
    job_id = _job(db, kind="compare_plans", status=QUEUED, lease_in_s=60)
    runner = JobRunner(db, build_registry(), settings=world.client.app.state.settings,
                       engine=BrokenEngine())
    runner.submit(job_id, _owner())
    job = _state(db, job_id)
    assert job.status == FAILED and "engine is unavailable" in job.message
    assert "10.9.9.9" in job.message


def _owner() -> Any:
    from api.auth import Principal, Role

    return Principal("planner", Role.PLANNER, districts=frozenset({HP}))


def test_jobs_left_by_a_version_without_leases_are_recovered_after_the_upgrade(
        database_url: str, settings: Settings) -> None:
    from sqlalchemy import text

    from api.db.session import Database, upgrade

    db = Database.connect(database_url)
    try:
        upgrade(db.engine, "0005_token_version")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO jobs (id, kind, params, status, progress, message, "
                "cancel_requested, owner, created_at) VALUES ('old-job', 'compare_plans', "
                "'{}', 'running', 0.5, 'running', false, 'planner', :at)"), {"at": now()})
        upgrade(db.engine)
        assert _state(db, "old-job").lease_expires_at is not None
        time.sleep(0.05)
        engine = RecordingEngine()
        runner = JobRunner(db, build_registry(), settings=settings, engine=engine)
        assert runner.recover() == 1 and engine.submitted == ["old-job"]
    finally:
        db.dispose()


def test_a_parse_job_lost_past_its_retries_fails_its_network(world: World, tmp_path) -> None:
    """A network whose network_parse job was lost (its process died once too often) is marked
    failed with why, not left "parsing" forever; its stored upload goes."""
    from api.db.models import StreetNetworkRecord
    from api.jobs import MAX_ATTEMPTS

    db = world.db
    upload = tmp_path / "lost.osm.pbf"
    upload.write_bytes(b"pbf")
    with db.session() as s:
        rec = StreetNetworkRecord(name="lost", mode="walk", file_path=str(upload),
                                  file_sha256="0" * 64, size_bytes=3,
                                  summary={"source": "city.osm.pbf"}, status="parsing",
                                  created_by="admin")
        s.add(rec)
        s.flush()
        network_id = rec.id
    job_id = _job(db, kind="network_parse", status=RUNNING, lease_in_s=-5,
                  params={"network_id": network_id})
    with db.session() as s:
        s.get_one(Job, job_id).attempts = MAX_ATTEMPTS
    engine = RecordingEngine()
    runner = JobRunner(db, build_registry(), settings=world.client.app.state.settings,
                       engine=engine)
    assert runner.recover() == 1 and engine.submitted == []
    assert _state(db, job_id).status == FAILED
    with db.session() as s:
        net = s.get_one(StreetNetworkRecord, network_id)
        assert net.status == "failed"
        assert "network_parse job ended early" in net.summary["error"]
        assert "upload the file again" in net.summary["error"]
        assert net.summary["source"] == "city.osm.pbf"
    assert not upload.exists()
