"""Fixtures of the service tests: one app per test on SQLite, and on PostGIS when configured.

PostGIS runs when ``GRIDPLAN_TEST_PG_URL`` is set; each test gets its own schema. With
``GRIDPLAN_REQUIRE_PG=1`` an unreachable server FAILS the PostGIS tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import box, mapping, shape
from sqlalchemy import create_engine, text

from api.app import create_app
from api.auth import Role, new_api_key
from api.db.models import Grid, GridPlan, Jurisdiction, User, utcnow
from api.db.session import Database
from api.settings import Settings

with warnings.catch_warnings():  # starlette nags about httpx; the client works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DATA = Path(__file__).resolve().parent.parent / "data" / "api"
HP, CN, JA = "310101", "310105", "310106"  # Huangpu, Changning, Jing'an
PG_ENV = "GRIDPLAN_TEST_PG_URL"


def pg_url_or_skip() -> str:
    url = os.environ.get(PG_ENV, "")
    required = os.environ.get("GRIDPLAN_REQUIRE_PG") == "1"
    if not url:
        if required:
            pytest.fail(f"GRIDPLAN_REQUIRE_PG=1 but {PG_ENV} is not set")
        pytest.skip(f"{PG_ENV} not set")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT postgis_version()"))
    except Exception as exc:  # noqa: BLE001
        if required:
            pytest.fail(f"PostGIS at {url} unreachable: {exc}")
        pytest.skip(f"PostGIS unreachable: {exc}")
    finally:
        engine.dispose()
    return url


@contextmanager
def temporary_schema(base: str) -> Iterator[str]:
    """A URL whose connections use a fresh PostgreSQL schema, dropped afterwards."""
    schema = f"gp_api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def backend_url(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'gridplan.sqlite'}"
        return
    with temporary_schema(pg_url_or_skip()) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with backend_url(request.param, tmp_path) as url:
        yield url


# argon2 at its cheapest and refused logins answered at once: the tests check the flow, not
# the cost (production keeps RFC 9106's argon2 profile and the 0.5 s refusal delay)
CHEAP_HASH = {"password_time_cost": 1, "password_memory_kib": 64,
              "login_refusal_delay_s": 0.0}


@pytest.fixture(scope="session")
def network_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One street-network cache for the whole run: parsing an OSM file once is enough."""
    return tmp_path_factory.mktemp("network-cache")


@pytest.fixture
def settings(database_url: str, tmp_path: Path, network_cache: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    secret_key="test-secret-key-of-at-least-32-bytes!!", job_workers=2,
                    engine_processes=False,  # jobs on worker threads: no process start per test
                    max_upload_bytes=200_000, max_json_bytes=100_000, cache_dir=network_cache,
                    **CHEAP_HASH)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def districts() -> dict[str, Any]:
    return {f["properties"]["code"]: f for f in
            json.loads((DATA / "districts_wgs84.geojson").read_text())["features"]}


def grid_shape(district_code: str, index: int) -> Any:
    """A small real grid: the district clipped to a 400 m box near its interior point."""
    d = shape(districts()[district_code]["geometry"])
    p = d.representative_point()
    step = 0.004
    return d.intersection(box(p.x + (index - 1) * step, p.y - step / 2,
                              p.x + index * step, p.y + step / 2))


@dataclass
class World:
    """Districts, plans, grids and one user per role, each with an API key."""

    client: TestClient
    db: Database
    keys: dict[str, str] = field(default_factory=dict)
    plans: dict[str, int] = field(default_factory=dict)  # district -> current plan id
    proposals: dict[str, int] = field(default_factory=dict)
    grids: dict[str, int] = field(default_factory=dict)  # grid code -> id

    def h(self, user: str | None) -> dict[str, str]:
        return {"X-API-Key": self.keys[user]} if user else {}

    def add_grid(self, district: str, code: str, *, index: int = 0) -> int:
        with self.db.session() as s:
            g = Grid(plan_id=self.plans[district], code=code, name=code, jurisdiction_code=district,
                     district_code=district, geometry=grid_shape(district, index), station=None,
                     staff={"enforcement": 4}, updated_by="seed", updated_at=utcnow())
            s.add(g)
            s.flush()
            self.grids[code] = g.id
            return g.id


USERS: dict[str, tuple[Role, dict[str, Any]]] = {
    "admin": (Role.ADMIN, {}),
    "planner": (Role.PLANNER, {"districts": [HP]}),
    "squad": (Role.SQUAD_LEADER, {"districts": [HP], "grids": ["HP-1"]}),
    "joint": (Role.JOINT_VIEWER, {"pair": [HP, JA]}),
    "planner_ja": (Role.PLANNER, {"districts": [JA]}),
}
_PASSWORD_HASH: list[str] = []


def password_hash() -> str:
    from api.auth import hash_password, password_hasher

    if not _PASSWORD_HASH:  # argon2 is slow on purpose: hash the shared test password once
        _PASSWORD_HASH.append(hash_password("correct horse battery",
                                            hasher=password_hasher(time_cost=1, memory_kib=64)))
    return _PASSWORD_HASH[0]


@pytest.fixture
def world(client: TestClient) -> World:
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    w = World(client, db)
    with db.session() as s:
        for code, f in districts().items():
            s.add(Jurisdiction(code=code, name=f["properties"]["name"], level=3, parent_code=None,
                               geometry=shape(f["geometry"])))
        for name, (role, scope) in USERS.items():
            user = User(username=name, password_hash=password_hash(), role=role.value,
                        scope=scope, is_active=True)
            s.add(user)
            s.flush()
            w.keys[name] = new_api_key(s, user)[1]
        for code in (HP, JA):
            for status in ("current", "proposal"):
                plan = GridPlan(name=f"{code} {status}", district_code=code, status=status,
                                notes="", created_by="seed")
                s.add(plan)
                s.flush()
                (w.plans if status == "current" else w.proposals)[code] = plan.id
    w.add_grid(HP, "HP-1", index=0)
    w.add_grid(HP, "HP-2", index=1)
    w.add_grid(JA, "JA-1", index=0)
    return w


def finished_job(client: Any, headers: dict[str, str], job_id: Any, *, timeout_s: float = 120,
                 poll_s: float = 0.1) -> dict[str, Any]:
    """The job once it has finished (polled; generous deadline for a busy CI machine), with its
    result fetched when it succeeded (a poll has no result: it is its own resource)."""
    deadline = time.monotonic() + timeout_s
    while (job := client.get(f"/jobs/{job_id}", headers=headers).json())["status"] in (
            "queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(poll_s)
    if job["status"] == "succeeded":
        job["result"] = client.get(job["result_url"], headers=headers).json()["result"]
    return job


def wait_for_job(world: World, job_id: str, user: str = "planner",
                 timeout_s: float = 120) -> dict[str, Any]:
    """:func:`finished_job` of ``user`` in ``world``."""
    return finished_job(world.client, world.h(user), job_id, timeout_s=timeout_s)


def geojson(geometry: Any) -> dict[str, Any]:
    return dict(mapping(geometry))
