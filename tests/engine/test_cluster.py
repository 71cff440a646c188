"""``gridplan routes --all`` on a real Dask cluster: a scheduler and two workers as separate
processes on loopback. The plans equal a single-process run's; a worker killed mid-run loses and
duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__WORKER__DAEMON": "True"}
# One officer per grid (the exact postman tour) and no staffing estimate keep the run short; the
# seeded k-officer search is compared slice against whole network in test_slicing.py.
PARAMS = ROOT / "tests" / "data" / "engine" / "patrol_quick.toml"
ROUTES = ["routes", "--all", "--officers", "1", "--date", "2026-11-25", "--max-iterations", "3",
          "--params", str(PARAMS), "--json"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def dask_worker(address: str, name: str, *, nanny: bool = True) -> list[str]:
    return [str(BIN / "dask"), "worker", address, "--nthreads", "1",
            "--dashboard-address", "127.0.0.1:0", "--name", name, "--memory-limit", "0",
            "--host", "127.0.0.1", *([] if nanny else ["--no-nanny"])]


def gridplan_worker(address: str, name: str, *, nanny: bool = True) -> list[str]:
    return [sys.executable, "-m", "api.cli", "worker", address, "--name", name,
            "--memory-limit", "0"]


@contextmanager
def cluster(tmp_path: Path, *, workers: int = 2, nanny: bool = True, command=dask_worker
            ) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """``dask scheduler`` and worker processes on 127.0.0.1; always shut down."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = (tmp_path / "cluster.log").open("ab")
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--dashboard-address", "127.0.0.1:0"], cwd=tmp_path, env=ENV, stdout=log, stderr=log))
        for i in range(workers):
            started.append(subprocess.Popen(command(address, f"w{i}", nanny=nanny),
                                            cwd=ROOT, env=ENV, stdout=log, stderr=log))
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address, started[1:]
    finally:
        for process in reversed(started):
            _stop(process)
        log.close()


def gridplan(*args: str, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "api.cli", *args, "--out", str(out)],
                            cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def plans(process: subprocess.Popen[bytes]) -> list[dict]:
    """The ``--json`` plans of a finished run, without what may differ between runs."""
    stdout, stderr = process.communicate(timeout=900)
    assert process.returncode == 0, stderr.decode()[-3000:]
    found = json.loads(stdout)
    for plan in found:
        plan.pop("runtime_s")
        plan["files"] = sorted(Path(f).name for f in plan["files"])
    return found


@pytest.fixture(scope="module")
def single_process(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The reference: every grid planned in one process on the whole network."""
    return plans(gridplan(*ROUTES, "--workers", "0", out=tmp_path_factory.mktemp("one")))


@pytest.mark.slow
def test_routes_all_on_a_scheduler_and_two_workers_equal_single_process(
        tmp_path: Path, single_process: list[dict]) -> None:
    with cluster(tmp_path) as (address, _):
        distributed = plans(gridplan(*ROUTES, "--scheduler", address, out=tmp_path / "out"))
    assert len(single_process) == 11 and all(p["valid"] for p in single_process)
    assert distributed == single_process


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
        tmp_path: Path, single_process: list[dict]) -> None:
    from distributed import Client

    with cluster(tmp_path, nanny=False) as (address, workers), \
            Client(address, set_as_default=False) as watcher:
        run = gridplan(*ROUTES, "--scheduler", address, out=tmp_path / "out")
        victim = _busy_worker(watcher, workers, run)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        result = plans(run)
        assert len(watcher.scheduler_info()["workers"]) == 1  # the batch ended on one worker
    assert [p["grid"] for p in result] == [p["grid"] for p in single_process]
    assert result == single_process
    written = sorted(f.name for f in (tmp_path / "out").iterdir())
    assert written == sorted(f for p in single_process for f in p["files"])


def _busy_worker(watcher, workers: list[subprocess.Popen[bytes]],
                 run: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """The worker process that is running a planning task right now."""
    by_pid = {w.pid: w for w in workers}
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert run.poll() is None, "the batch ended before a worker could be killed"
        busy = [addr for addr, keys in watcher.processing().items()
                if any(str(k).startswith("gridplan-") for k in keys)]
        if busy:
            pids = watcher.run(os.getpid, workers=busy[:1])
            return by_pid[next(iter(pids.values()))]
        time.sleep(0.05)
    raise AssertionError("no worker took a planning task")


@pytest.mark.slow
def test_gridplan_worker_joins_a_scheduler_and_runs_the_services_jobs(tmp_path: Path) -> None:
    """``gridplan worker`` processes serve the service's jobs: the API process computes nothing."""
    from distributed import Client

    from api.app import create_app
    from api.auth import Role, create_user, new_api_key
    from api.settings import Settings
    from tests.api.conftest import CHEAP_HASH, TestClient
    from tests.api.test_job_leases import pid_registry

    with cluster(tmp_path, workers=1, command=gridplan_worker) as (address, _):
        with Client(address, set_as_default=False) as watcher:
            preloaded = watcher.run(lambda: "gridplan.slicing" in sys.modules)
        assert list(preloaded.values()) == [True]  # gridplan's engines imported up front
        settings = Settings(data_dir=tmp_path / "data", secret_key="k" * 40, scheduler=address,
                            database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", **CHEAP_HASH)
        with TestClient(create_app(settings, registry=pid_registry())) as client:
            with client.app.state.db.session() as s:  # type: ignore[attr-defined]
                key = new_api_key(s, create_user(s, "sq", "pw-pw-pw-pw",
                                                 role=Role.SQUAD_LEADER))[1]
            h = {"X-API-Key": key}
            job = client.post("/jobs", json={"kind": "pid", "params": {}}, headers=h).json()
            deadline = time.monotonic() + 300
            while (job := client.get(f"/jobs/{job['id']}", headers=h).json())["status"] in (
                    "queued", "running"):
                assert time.monotonic() < deadline, job
                time.sleep(0.2)
            assert job["status"] == "succeeded", job
            result = client.get(job["result_url"], headers=h).json()["result"]
    assert result["pid"] != os.getpid()



@pytest.mark.slow
def test_boundary_studies_per_pair_on_a_scheduler_and_two_workers_equal_single_process(
        tmp_path: Path) -> None:
    """``hotspots --pairs all`` sends each pair's slice to a worker process and its study back
    (pickled both ways); the report is the single-process one. (Week plans and district
    redesigns use the same batch runner: test_batches.py, their results pickled there.)"""
    pairs = ["hotspots", "--pairs", "all", "--top", "3", "--json"]

    def run(*engine: str) -> list[dict]:
        process = subprocess.Popen([sys.executable, "-m", "api.cli", *pairs, *engine], cwd=ROOT,
                                   env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr.decode()[-3000:]
        return json.loads(stdout)

    single = run("--workers", "0")
    with cluster(tmp_path) as (address, _):
        spread = run("--scheduler", address)
    assert [p["pair"] for p in single] == [["310101", "310106"]]
    assert single[0]["boundary"]["flagged"] and spread == single
