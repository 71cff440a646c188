"""A real gridplan service on a loopback port, with the bundled sample and one user per role:
what the browser tests drive (and, run as ``python -m tests.web.live``, a local preview)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from api.app import create_app
from api.auth import Role, create_user, password_hasher
from api.settings import Settings

PASSWORD = "correct horse battery"
HP, JA = "310101", "310106"
SQUAD_GRID = "310101000000002"
USERS: dict[str, tuple[Role, dict[str, Any]]] = {
    "admin": (Role.ADMIN, {}),
    "planner": (Role.PLANNER, {"districts": [HP]}),
    "squad": (Role.SQUAD_LEADER, {"districts": [HP], "grids": [SQUAD_GRID]}),
    "joint": (Role.JOINT_VIEWER, {"pair": [HP, JA]}),
}
CHEAP_HASH = {"password_time_cost": 1, "password_memory_kib": 64}


@dataclass
class Live:
    url: str
    app: Any

    @property
    def db(self) -> Any:
        return self.app.state.db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_service(folder: Path, *, database_url: str = "", cache_dir: Path | None = None,
                 port: int | None = None) -> Iterator[Live]:
    settings = Settings(data_dir=folder / "data", database_url=database_url,
                        secret_key="web-test-secret-key-of-at-least-32-bytes", job_workers=2,
                        load_sample=True, cache_dir=cache_dir, **CHEAP_HASH)
    app = create_app(settings)
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test service did not start")
        time.sleep(0.05)
    hasher = password_hasher(time_cost=1, memory_kib=64)
    with app.state.db.session() as session:
        for name, (role, scope) in USERS.items():
            create_user(session, name, PASSWORD, role=role, scope=scope, hasher=hasher)
    try:
        yield Live(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def squad_grid(live: Live) -> dict[str, Any]:
    """The squad leader's grid in the current layout (tests may have promoted another)."""
    from tests.web.api_client import Client

    squad = Client(live.url, "squad")
    _, plans = squad.call("/plans")
    current = next(p for p in plans["items"] if p["status"] == "current")
    _, grids = squad.call(f"/grids?plan_id={current['id']}")
    return next(g for g in grids["items"] if g["code"] == SQUAD_GRID)


def squad_grid_point(live: Live) -> tuple[float, float]:
    """A point inside the squad leader's current grid."""
    from shapely.geometry import shape

    point = shape(squad_grid(live)["geometry"]).representative_point()
    return round(point.x, 6), round(point.y, 6)


if __name__ == "__main__":
    import tempfile

    with live_service(Path(tempfile.mkdtemp(prefix="gridplan-web-")), port=8765) as live:
        print(f"{live.url}/app/signin — users {', '.join(USERS)} / {PASSWORD!r}", flush=True)
        while True:
            time.sleep(3600)
