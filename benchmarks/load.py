"""Load benchmark of the planning service on loopback: reads and route jobs, SQLite vs PostGIS.

    .venv/bin/python -m benchmarks.load [--clients 50] [--duration-s 60] [--job-clients 8]
                                        [--backend sqlite|postgres|both]

For each database the script starts ``uvicorn --factory api.app:app_factory`` on 127.0.0.1 (sample
loaded, one worker process), waits until it is ready (answers /health and its process tree has
gone idle after migrations and the sample load), then runs bounded phases with asyncio clients
(a minimal keep-alive HTTP/1.1 GET: a fraction of httpx's CPU per request) in a process of their
own (spawned), so their CPU is not taken from the server's share of the 2 cores unnoticed; each
phase reports the clients' CPU seconds and the API process's CPU milliseconds per answered
request beside the load average when it started:

* health — ``--clients`` clients without pause on GET /health (no auth; one SELECT 1), before
  and after the next phase: the baseline throughput, taken as the mean of the two;
* reads — ``--clients`` clients without pause for ``--duration-s`` seconds, each cycling
  through GET /grids (first page), GET /grids/{id}, GET /plans/{id}/grids.geojson,
  GET /jurisdictions: mixed-read throughput as a share of /health's (goal >= 50 %), p95;
* paced — the same reads with ``--think-s`` (1 s ± 50 %) between a client's requests: the
  latency a user sees (goal p95 < 100 ms);
* route jobs — ``--job-clients`` clients submit ``routes`` jobs (2 officers, 1 s search) and poll
  until each finishes: end-to-end latency and jobs per second (the jobs run on the engine's
  workers, never in the API process); the size of a job poll (goal < 5 KB) and of its result.

PostGIS runs when ``GRIDPLAN_TEST_PG_URL`` is set (``.ci/run`` starts a local cluster and sets it);
otherwise that column says why it is absent. Peak memory is the server's VmHWM from /proc.

Reads against /health on a busy machine (``--alternate N [--baseline-tree DIR]``): only the
/health and mixed-read phases, N of each in turn, medians of the server's CPU per request and
of the throughput; with ``--baseline-tree`` the same against another checkout, side by side.
The load of a shared machine changes from phase to phase; taking turns and medians keeps it
from deciding the comparison, and CPU per request barely depends on it.

Login flood (``--login-flood [--flood-clients 40] [--baseline-tree DIR]``): on SQLite, with the
production argon2 cost, GET /health is timed by 4 clients while idle and then while
``--flood-clients`` attackers — each from its own loopback address (127.0.x.y), so per-address
throttling alone cannot stop them — post wrong passwords to /auth/token as fast as answered.
``--baseline-tree`` runs the same against another checkout (e.g. the previous version) for a
side-by-side table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "load-benchmark-passphrase"


@dataclass
class Sample:
    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0

    def row(self) -> dict[str, float]:
        lat = sorted(self.latencies_s) or [float("nan")]
        return {"n": len(self.latencies_s), "errors": self.errors,
                "p50_ms": 1000 * statistics.median(lat),
                "p95_ms": 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))],
                "per_s": len(self.latencies_s) / self.elapsed_s if self.elapsed_s else 0.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def pg_schema(base: str) -> Iterator[str]:
    schema = f"gp_load_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema},public"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@contextlib.contextmanager
def server(database_url: str, data_dir: Path, *, sample: bool = True, tree: Path = ROOT
           ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "GRIDPLAN_DATA_DIR": str(data_dir),
           "GRIDPLAN_LOAD_SAMPLE": "1" if sample else "0",
           "GRIDPLAN_ADMIN_PASSWORD": ADMIN_PASSWORD, "GRIDPLAN_SECRET_KEY": uuid.uuid4().hex * 2,
           "PYTHONPATH": str(tree)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "api.app:app_factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                             "--no-access-log"], cwd=tree, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start (exit {proc.poll()})")
            time.sleep(0.3)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of ``pid`` and every live descendant (the engine's worker processes)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += cpu_s(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total


def wait_until_idle(pid: int, *, share: float = 0.1, timeout_s: float = 60.0) -> float:
    """Wait until the server's process tree uses under ``share`` of a core over a second (its
    start-up work — migrations, sample load, imports — is over); the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        before = tree_cpu_s(pid)
        time.sleep(1.0)
        if tree_cpu_s(pid) - before < share:
            break
    return time.monotonic() - started


async def http_get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, authority: str,
                   path: str, headers: dict[str, str]) -> int:
    """One GET on a kept-alive HTTP/1.1 connection; the status (the body is read and dropped).

    A client this small costs a fraction of httpx's CPU per request, so the clients' process
    does not starve the server's on a 2-core machine. Our JSON answers carry Content-Length;
    anything else (chunked) is an error here."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {authority}",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    writer.write("\r\n".join(lines).encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    fields = {k.strip().lower(): v.strip() for k, _, v in (f.partition(":") for f in head[1:])}
    if "transfer-encoding" in fields:
        raise ValueError(f"{path}: {fields['transfer-encoding']} answer, expected Content-Length")
    await reader.readexactly(int(fields.get("content-length", "0")))
    return int(head[0].split()[1])


async def read_phase(base: str, headers: dict[str, str], paths: list[str], *, clients: int,
                     duration_s: float, think_s: float = 0.0) -> Sample:
    """``clients`` clients, each on its own kept-alive connection, GET a random one of ``paths``
    until ``duration_s`` is over (pausing ``think_s`` ± 50 % between requests)."""
    sample = Sample()
    url = httpx.URL(base)
    stop = time.monotonic() + duration_s

    async def one_client(seed: int) -> None:
        rng = random.Random(seed)
        connection = None
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection = connection or await asyncio.open_connection(url.host, url.port)
                ok = await asyncio.wait_for(http_get(*connection, f"{url.host}:{url.port}",
                                                     rng.choice(paths), headers), 60) == 200
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
                ok, connection = False, None  # a fresh connection for the next request
            if ok:
                sample.latencies_s.append(time.perf_counter() - started)
            else:
                sample.errors += 1
            if think_s:
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
        if connection is not None:
            connection[1].close()

    t0 = time.monotonic()
    await asyncio.gather(*(one_client(i) for i in range(clients)))
    sample.elapsed_s = time.monotonic() - t0
    return sample


def _clients_process(base: str, headers: dict[str, str], paths: list[str], clients: int,
                     duration_s: float, think_s: float, out: Any) -> None:
    sample = asyncio.run(read_phase(base, headers, paths, clients=clients,
                                    duration_s=duration_s, think_s=think_s))
    out.put((sample.latencies_s, sample.errors, sample.elapsed_s, time.process_time()))


def measured_phase(base: str, server_pid: int, headers: dict[str, str], paths: list[str], *,
                   clients: int, duration_s: float, think_s: float = 0.0) -> dict[str, float]:
    """One read phase with its clients in a spawned process: latency and throughput, the load
    average at its start, the clients' CPU seconds and the API process's CPU ms per answer."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    load = os.getloadavg()[0]
    worker = ctx.Process(target=_clients_process,
                         args=(base, headers, paths, clients, duration_s, think_s, out))
    worker.start()
    server_before = cpu_s(server_pid)  # the clients' start-up (imports) costs the server nothing
    latencies, errors, elapsed, client_cpu = out.get(timeout=duration_s + 600)
    server_cpu = cpu_s(server_pid) - server_before
    worker.join()
    row = Sample(latencies, errors, elapsed).row()
    return {**row, "load": load, "client_cpu_s": client_cpu,
            "server_cpu_ms": 1000 * server_cpu / max(row["n"] + errors, 1)}


def items(page: object) -> list:
    """A list endpoint's rows, whether it answers a plain list or a page ``{"items": …}``."""
    return page["items"] if isinstance(page, dict) else page  # type: ignore[return-value]


def poll_sizes(base: str, headers: dict[str, str]) -> dict[str, float]:
    """Bytes of a poll of the latest finished routes job, and of its result resource."""
    jobs = items(httpx.get(f"{base}/jobs", headers=headers).json())
    done = [j for j in jobs if j["kind"] == "routes" and j["status"] == "succeeded"]
    if not done:
        return {"poll_bytes": float("nan"), "result_bytes": float("nan")}
    poll = httpx.get(f"{base}/jobs/{done[0]['id']}", headers=headers)
    result = httpx.get(f"{base}/jobs/{done[0]['id']}/result", headers=headers)
    return {"poll_bytes": len(poll.content), "result_bytes": len(result.content)}


async def job_phase(base: str, headers: dict[str, str], grid_ids: list[int], network_id: int, *,
                    clients: int, duration_s: float) -> Sample:
    sample = Sample()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
        stop = time.monotonic() + duration_s

        async def one_client(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < stop:
                started = time.perf_counter()
                params = {"grid_id": rng.choice(grid_ids), "network_id": network_id,
                          "officers": 2, "time_limit_s": 1, "seed": seed}
                r = await c.post("/jobs", json={"kind": "routes", "params": params})
                if r.status_code != 202:
                    sample.errors += 1
                    continue
                job_id = r.json()["id"]
                while (job := (await c.get(f"/jobs/{job_id}")).json())["status"] in (
                        "queued", "running"):
                    await asyncio.sleep(0.1)
                if job["status"] == "succeeded":
                    sample.latencies_s.append(time.perf_counter() - started)
                else:
                    sample.errors += 1

        t0 = time.monotonic()
        await asyncio.gather(*(one_client(i) for i in range(clients)))
        sample.elapsed_s = time.monotonic() - t0
    return sample


async def login_flood(base: str, *, clients: int, stop: asyncio.Event) -> Counter[int]:
    """Wrong passwords from ``clients`` distinct loopback addresses until ``stop``."""
    statuses: Counter[int] = Counter()

    async def attacker(i: int) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + i // 200}.{1 + i % 200}")
        async with httpx.AsyncClient(base_url=base, transport=transport, timeout=120) as c:
            while not stop.is_set():
                try:
                    r = await c.post("/auth/token", data={"username": f"admin{i % 2 or ''}",
                                                          "password": f"wrong-{i}"})
                    statuses[r.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1

    await asyncio.gather(*(attacker(i) for i in range(clients)))
    return statuses


def _flood_process(base: str, clients: int, stop: Any, out: Any) -> None:
    """The attackers, in a process of their own: their work must not slow the /health client."""

    async def main() -> Counter[int]:
        event = asyncio.Event()

        async def watch() -> None:
            while not stop.is_set():
                await asyncio.sleep(0.1)
            event.set()

        watcher = asyncio.create_task(watch())
        statuses = await login_flood(base, clients=clients, stop=event)
        await watcher
        return statuses

    out.put(dict(asyncio.run(main())))


def health_under_flood(base: str, *, clients: int, duration_s: float
                       ) -> tuple[Sample, Counter[int]]:
    ctx = multiprocessing.get_context("spawn")
    stop, out = ctx.Event(), ctx.Queue()
    attackers = ctx.Process(target=_flood_process, args=(base, clients, stop, out))
    attackers.start()
    time.sleep(3.0)  # let the flood build up first
    health = asyncio.run(read_phase(base, {}, ["/health"], clients=4, duration_s=duration_s))
    stop.set()
    statuses = Counter(out.get(timeout=300))
    attackers.join()
    return health, statuses


def run_flood(tree: Path, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, \
            server(f"sqlite:///{tmp}/flood.sqlite", Path(tmp), sample=False, tree=tree) as (
                base, proc):
        idle = asyncio.run(read_phase(base, {}, ["/health"], clients=4,
                                      duration_s=args.duration_s))
        loaded, statuses = health_under_flood(base, clients=args.flood_clients,
                                              duration_s=args.duration_s)
        return {"idle": idle.row(), "flood": loaded.row(), "logins": dict(statuses),
                "peak_rss_mb": peak_rss_mb(proc.pid)}


def print_head(header: str) -> None:
    """A table's column header and its rule."""
    print(header)
    print("-" * len(header))


def print_flood(results: dict[str, dict[str, object]], args: argparse.Namespace) -> None:
    print(f"\nLogin flood on loopback (SQLite, production argon2 cost): /health timed by 4 "
          f"clients for {args.duration_s:.0f} s idle, then under {args.flood_clients} attackers "
          f"(distinct addresses) posting wrong passwords\n")
    header = (f"{'tree':<10} {'idle p95 ms':>11} {'flood p95 ms':>12} {'p95 ratio':>9} "
              f"{'flood p50 ms':>12} {'health err':>10} {'logins 401/429/other':>22} "
              f"{'peak RSS MB':>11}")
    print_head(header)
    for name, r in results.items():
        idle, flood = r["idle"], r["flood"]  # type: ignore[index]
        logins: dict[int, int] = r["logins"]  # type: ignore[assignment]
        other = sum(n for code, n in logins.items() if code not in (401, 429))
        counts = f"{logins.get(401, 0)}/{logins.get(429, 0)}/{other}"
        print(f"{name:<10} {idle['p95_ms']:>11.1f} {flood['p95_ms']:>12.1f} "
              f"{flood['p95_ms'] / idle['p95_ms']:>9.2f} {flood['p50_ms']:>12.1f} "
              f"{flood['errors']:>10} {counts:>22} {r['peak_rss_mb']:>11.0f}")


def mixed_reads(base: str) -> tuple[dict[str, str], list[str], list[dict[str, Any]]]:
    """The admin's headers, the mixed-read paths and the sample's grids."""
    token = httpx.post(f"{base}/auth/token", data={"username": "admin",
                                                   "password": ADMIN_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    grids = items(httpx.get(f"{base}/grids", headers=headers).json())
    plans = items(httpx.get(f"{base}/plans", headers=headers).json())
    paths = (["/grids", "/jurisdictions"] + [f"/grids/{g['id']}" for g in grids[:5]]
             + [f"/plans/{p['id']}/grids.geojson" for p in plans])
    return headers, paths, grids


def run_backend(database_url: str, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, server(database_url, Path(tmp)) as (base, proc):
        headers, paths, grids = mixed_reads(base)
        network_id = items(httpx.get(f"{base}/networks", headers=headers).json())[0]["id"]
        waited = wait_until_idle(proc.pid)
        full = {"clients": args.clients, "duration_s": args.duration_s}
        half = {**full, "duration_s": args.duration_s / 2}
        health_before = measured_phase(base, proc.pid, {}, ["/health"], **half)
        reads = measured_phase(base, proc.pid, headers, paths, **full)
        health_after = measured_phase(base, proc.pid, {}, ["/health"], **half)
        paced = measured_phase(base, proc.pid, headers, paths, **full, think_s=args.think_s)
        load = os.getloadavg()[0]
        jobs = asyncio.run(job_phase(base, headers, [g["id"] for g in grids], network_id,
                                     clients=args.job_clients, duration_s=args.duration_s))
        return {"health": health_before, "reads": reads, "health2": health_after,
                "paced": paced, "jobs": {**jobs.row(), "load": load},
                "peak_rss_mb": peak_rss_mb(proc.pid), "ready_wait_s": waited,
                **poll_sizes(base, headers)}


def run_alternating(database_url: str, tree: Path, args: argparse.Namespace
                    ) -> dict[str, float]:
    """``--alternate N``: /health and the mixed reads (no pause) in turn, N phases each of
    ``--duration-s``; the medians. On a busy machine the load changes from one phase to the
    next, so phases in turn and medians compare the two more fairly than one phase each."""
    with tempfile.TemporaryDirectory() as tmp, \
            server(database_url, Path(tmp), tree=tree) as (base, proc):
        headers, paths, _ = mixed_reads(base)
        wait_until_idle(proc.pid)
        phases: dict[str, list[dict[str, float]]] = {"health": [], "reads": []}
        for _ in range(args.alternate):
            phases["health"].append(measured_phase(base, proc.pid, {}, ["/health"],
                                                   clients=args.clients,
                                                   duration_s=args.duration_s))
            phases["reads"].append(measured_phase(base, proc.pid, headers, paths,
                                                  clients=args.clients,
                                                  duration_s=args.duration_s))
        return {f"{name}_{key}": statistics.median(r[key] for r in rows)
                for name, rows in phases.items() for key in ("server_cpu_ms", "per_s", "load")}


def print_alternating(results: dict[tuple[str, str], dict[str, float]],
                      args: argparse.Namespace) -> None:
    print(f"\n/health and mixed reads in turn, {args.alternate} phases each of "
          f"{args.duration_s:g} s, {args.clients} clients without pause; medians\n")
    header = (f"{'database':<10} {'tree':<9} {'health CPU ms':>13} {'read CPU ms':>11} "
              f"{'CPU ratio':>9} {'health/s':>9} {'reads/s':>8} {'reads/health':>12} "
              f"{'load avg':>8}")
    print_head(header)
    for (database, tree), r in results.items():
        print(f"{database:<10} {tree:<9} {r['health_server_cpu_ms']:>13.2f} "
              f"{r['reads_server_cpu_ms']:>11.2f} "
              f"{r['health_server_cpu_ms'] / r['reads_server_cpu_ms']:>9.2f} "
              f"{r['health_per_s']:>9.0f} {r['reads_per_s']:>8.0f} "
              f"{r['reads_per_s'] / r['health_per_s']:>12.0%} "
              f"{(r['health_load'] + r['reads_load']) / 2:>8.1f}")
    print("\n(CPU ratio = /health's server CPU per request / a read's: what the throughput "
          "ratio tends to once the server has the cores to itself. load avg = median 1-minute "
          "load average at the phases' start, on 2 cores)")


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSED"


def print_table(results: dict[str, dict[str, object] | str], args: argparse.Namespace) -> None:
    print(f"\nService load on loopback: {args.clients} clients; /health "
          f"{args.duration_s / 2:.0f} s "
          f"before and after {args.duration_s:.0f} s of mixed reads without pause, then "
          f"{args.duration_s:.0f} s paced ({args.think_s:g} s think time), then "
          f"{args.job_clients} clients x {args.duration_s:.0f} s route jobs (2 officers, 1 s "
          f"search); read clients in a process of their own\n")
    header = (f"{'database':<10} {'phase':<8} {'n':>7} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'per s':>8} {'server CPU ms/req':>17} {'client CPU s':>12} {'load avg':>8}")
    print_head(header)
    for name, res in results.items():
        if isinstance(res, str):
            print(f"{name:<10} absent: {res}")
            continue
        for phase in ("health", "reads", "health2", "paced", "jobs"):
            r: dict[str, float] = res[phase]  # type: ignore[assignment,index]
            server = f"{r['server_cpu_ms']:>17.2f}" if "server_cpu_ms" in r else f"{'-':>17}"
            client = f"{r['client_cpu_s']:>12.1f}" if "client_cpu_s" in r else f"{'-':>12}"
            print(f"{name:<10} {phase:<8} {r['n']:>7} {r['errors']:>4} {r['p50_ms']:>8.1f} "
                  f"{r['p95_ms']:>8.1f} {r['per_s']:>8.1f} {server} {client} "
                  f"{r['load']:>8.2f}")
    print("\n(health2 = /health again after the reads; the baseline is the mean of both. "
          "load avg = 1-minute load average when the phase started, on 2 cores)")
    for name, res in results.items():
        if not isinstance(res, str):
            print(summary(name, res))  # type: ignore[arg-type]
    both = [r for r in results.values() if not isinstance(r, str)]
    if len(both) == 2:
        s, p = both
        print(f"\nPostGIS / SQLite: reads p50 x{p['reads']['p50_ms'] / s['reads']['p50_ms']:.2f}, "
              f"reads/s x{p['reads']['per_s'] / s['reads']['per_s']:.2f}, server CPU per read "
              f"x{p['reads']['server_cpu_ms'] / s['reads']['server_cpu_ms']:.2f}")


def summary(name: str, r: dict[str, Any]) -> str:
    """The issue's "done when" figures of one database, each with its goal."""
    health = (r["health"]["per_s"] + r["health2"]["per_s"]) / 2
    share = r["reads"]["per_s"] / health if health else float("nan")
    paced_p95 = r["paced"]["p95_ms"]
    return (f"{name}: 50 clients paced: mixed reads p95 {paced_p95:.0f} ms (goal < 100 ms: "
            f"{verdict(paced_p95 < 100)}); without pause: {r['reads']['per_s']:.0f} reads/s = "
            f"{share:.0%} of /health's {health:.0f}/s (goal >= 50 %: {verdict(share >= 0.5)}), "
            f"p95 {r['reads']['p95_ms']:.0f} ms; job poll {r['poll_bytes']:.0f} B (goal < 5 KB: "
            f"{verdict(r['poll_bytes'] < 5000)}), its result {r['result_bytes']:.0f} B; waited "
            f"{r['ready_wait_s']:.0f} s for the server to go idle; peak RSS "
            f"{r['peak_rss_mb']:.0f} MB")


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/load.sqlite"


def database_urls(args: argparse.Namespace
                  ) -> dict[str, Callable[[], contextlib.AbstractContextManager[str]] | str]:
    """The databases ``--backend`` names: each a fresh empty database per call, or why it is
    absent."""
    urls: dict[str, Callable[[], contextlib.AbstractContextManager[str]] | str] = {}
    if args.backend in ("sqlite", "both"):
        urls["SQLite"] = sqlite_url
    if args.backend in ("postgres", "both"):
        base = os.environ.get("GRIDPLAN_TEST_PG_URL", "")
        urls["PostGIS"] = functools.partial(pg_schema, base) if base else (
            "GRIDPLAN_TEST_PG_URL not set (.ci/run starts a cluster)")
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--job-clients", type=int, default=8)
    parser.add_argument("--duration-s", type=float, default=60.0)
    parser.add_argument("--think-s", type=float, default=1.0, help="pause between a paced "
                        "client's requests")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--login-flood", action="store_true", help="the login-flood benchmark")
    parser.add_argument("--flood-clients", type=int, default=40)
    parser.add_argument("--baseline-tree", type=Path, default=None,
                        help="also run the login flood (or --alternate) against this checkout")
    parser.add_argument("--alternate", type=int, default=0, metavar="N",
                        help="only /health and the mixed reads, N phases each in turn: "
                        "medians of server CPU per request and throughput")
    args = parser.parse_args()
    if args.login_flood:
        flood = {"this": run_flood(ROOT, args)}
        if args.baseline_tree is not None:
            flood["baseline"] = run_flood(args.baseline_tree.resolve(), args)
        print_flood(flood, args)
        return
    urls = database_urls(args)
    if args.alternate:
        trees = {"this": ROOT, **({"baseline": args.baseline_tree.resolve()}
                                  if args.baseline_tree is not None else {})}
        alternating: dict[tuple[str, str], dict[str, float]] = {}
        for database, url in urls.items():
            for name, tree in trees.items():
                if not isinstance(url, str):
                    with url() as database_url:
                        alternating[database, name] = run_alternating(database_url, tree, args)
        print_alternating(alternating, args)
        return
    results: dict[str, dict[str, object] | str] = {}
    for database, url in urls.items():
        if isinstance(url, str):
            results[database] = url
            continue
        with url() as database_url:
            results[database] = run_backend(database_url, args)
    print_table(results, args)


if __name__ == "__main__":
    main()
