"""Login abuse: throttling per account and per client address (429 + Retry-After), bounded
password hashing off the request thread pool, and timing that reveals no inactive account."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi import HTTPException

import api.auth
from api.db.models import User
from api.login_guard import HashGate, LoginThrottle, ThrottleLimits
from tests.api.conftest import BACKENDS, World, backend_url
from tests.api.live_server import live_server

RIGHT = "correct horse battery"


def _login(world: World, username: str, password: str) -> httpx.Response:
    return world.client.post("/auth/token", data={"username": username, "password": password})


def test_thirty_wrong_passwords_then_the_right_one_is_refused(world: World) -> None:
    statuses = [_login(world, "planner", f"guess {i}").status_code for i in range(30)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    r = _login(world, "planner", RIGHT)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 900


def test_one_address_spraying_many_accounts_is_throttled(world: World) -> None:
    statuses = [_login(world, f"user{i}", "password1").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_a_right_password_clears_the_accounts_failures(world: World) -> None:
    for i in range(9):
        assert _login(world, "squad", f"typo {i}").status_code == 401
    assert _login(world, "squad", RIGHT).status_code == 200
    assert all(_login(world, "squad", f"again {i}").status_code == 401 for i in range(9))


def test_throttle_window_slides_and_says_when_to_retry() -> None:
    now = [1000.0]
    throttle = LoginThrottle(ThrottleLimits(per_account_address=3, per_address=100,
                                            per_account=100, window_s=60), clock=lambda: now[0])
    for _ in range(3):
        throttle.begin("Admin", "10.0.0.1")
        now[0] += 10
    with pytest.raises(Exception) as refused:
        throttle.begin("admin ", "10.0.0.1")  # names are compared case- and space-insensitively
    assert refused.value.headers["Retry-After"] == "30"  # the first attempt leaves the window
    throttle.begin("admin", "10.0.0.2")  # another place may still try (per account: 100)
    now[0] += 30
    throttle.begin("admin", "10.0.0.1")


def test_throttle_memory_is_bounded() -> None:
    throttle = LoginThrottle(ThrottleLimits(5, 5, 5, 60), max_keys=50)
    for i in range(1000):
        throttle.begin(f"user{i}", f"10.0.{i // 250}.{i % 250}")
    assert len(throttle._attempts) <= 50


def test_hash_gate_turns_the_overflow_away() -> None:
    gate = HashGate(workers=1, queue=1)
    release = threading.Event()

    async def flood() -> list[object]:
        return await asyncio.gather(*(gate.run(release.wait, 5) for _ in range(5)),
                                    _release_soon(), return_exceptions=True)

    async def _release_soon() -> None:
        await asyncio.sleep(0.2)
        release.set()

    results = asyncio.run(flood())[:5]
    gate.shutdown()
    refused = [r for r in results if isinstance(r, HTTPException)]
    assert len(refused) == 3 and all(r.status_code == 429 for r in refused)
    assert results.count(True) == 2


def test_inactive_accounts_cost_the_same_hash(world: World, monkeypatch) -> None:
    with world.db.session() as s:
        s.query(User).filter(User.username == "squad").update({"is_active": False})
    checked: list[str] = []
    real = api.auth.verify_password

    def spy(password: str, password_hash: str, **kw: object) -> bool:
        checked.append(password)
        return real(password, password_hash, **kw)

    monkeypatch.setattr(api.auth, "verify_password", spy)
    assert _login(world, "squad", "wrong one").status_code == 401
    assert _login(world, "squad", RIGHT).status_code == 401
    assert _login(world, "nobody-here", "wrong two").status_code == 401
    assert checked == ["wrong one", RIGHT, "wrong two"]  # one argon2 check on every path


@pytest.fixture(params=BACKENDS[:1])
def slow_hash_server(request: pytest.FixtureRequest, tmp_path: Path):
    # One password check at a time, two waiting, each check deliberately slow (argon2 t=8).
    env = {"GRIDPLAN_LOGIN_HASH_WORKERS": "1", "GRIDPLAN_LOGIN_HASH_QUEUE": "2",
           "GRIDPLAN_PASSWORD_TIME_COST": "8", "GRIDPLAN_PASSWORD_MEMORY_KIB": "16384"}
    with backend_url(request.param, tmp_path) as url, \
            live_server(url, tmp_path / "data", **env) as base:
        yield base


@pytest.mark.slow
def test_login_flood_leaves_the_service_responsive(slow_hash_server: str) -> None:
    """40 clients, each from its own loopback address, hammer the login with wrong passwords;
    /health keeps answering and most of the flood is turned away without hashing."""
    base, statuses, stop = slow_hash_server, [], threading.Event()

    def attacker(i: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.{1 + i // 200}.{1 + i % 200}")
        with httpx.Client(base_url=base, transport=transport, timeout=60) as c:
            while not stop.is_set():
                statuses.append(c.post("/auth/token", data={"username": f"victim{i % 3}",
                                                            "password": f"guess{i}"}).status_code)

    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    health: list[float] = []
    try:
        time.sleep(1.0)
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(20):
                started = time.perf_counter()
                assert c.get("/health").status_code == 200
                health.append(time.perf_counter() - started)
                time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert set(statuses) <= {401, 429}, set(statuses)
    assert statuses.count(429) > statuses.count(401)  # turned away before hashing
    assert max(health) < 5.0, health  # not queued behind the flood (main: tens of seconds)
