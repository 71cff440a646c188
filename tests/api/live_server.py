"""A real service process on loopback (``uvicorn --factory api.app:app_factory``) for tests that
need real sockets and real concurrency: races between requests, login floods."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "live-server-passphrase"
STARTUP_S = 120.0  # a busy CI machine imports the geo stack slowly


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database_url: str, data_dir: Path, **env: str) -> Iterator[str]:
    """Start the service on a free port, wait until /health answers, yield its base URL."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": database_url, "GRIDPLAN_DATA_DIR": str(data_dir),
               "GRIDPLAN_ADMIN_PASSWORD": ADMIN_PASSWORD,
               "GRIDPLAN_SECRET_KEY": "live-server-secret-key-0123456789abcdef",
               "GRIDPLAN_PASSWORD_TIME_COST": "1", "GRIDPLAN_PASSWORD_MEMORY_KIB": "64",
               "PYTHONPATH": str(ROOT), **env}
    log = (data_dir.parent / f"server-{port}.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "api.app:app_factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                             "--no-access-log"], cwd=ROOT, env=environ, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start (exit {proc.poll()}): "
                                   f"{Path(log.name).read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def admin_headers(base: str) -> dict[str, str]:
    token = httpx.post(f"{base}/auth/token", data={"username": "admin",
                                                   "password": ADMIN_PASSWORD}, timeout=30)
    token.raise_for_status()
    return {"Authorization": f"Bearer {token.json()['access_token']}"}
