"""Login abuse control: throttled attempts and bounded password hashing.

Two things keep a flood of bad logins from taking the service down:

* :class:`LoginThrottle` counts attempts in a sliding window per (account, client address), per
  client address and per account. Over a limit the answer is 429 with ``Retry-After`` — decided
  before any password is hashed, so refused attempts cost microseconds, and the right password
  is refused too (the audit's "30 wrong, then the right one works" no longer does).
* :class:`HashGate` runs the login's database read and argon2 verification on a small pool of
  its own (as many threads as cores) and lets only a few more wait; the rest get 429 at once.
  The request thread pool, which every other endpoint needs, is never used by a login, and
  argon2's memory (64 MiB per hash) is bounded by the pool size.

Counts live in this process's memory (bounded in size): with N service processes an attacker
gets at most N times the limits. Behind a reverse proxy run uvicorn with ``--proxy-headers
--forwarded-allow-ips=<proxy>`` so the client address is the real one, not the proxy's.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from fastapi import HTTPException, status
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from api.settings import Settings

T = TypeVar("T")
MAX_TRACKED_KEYS = 100_000  # beyond this the least recently used counters are dropped


def too_many(retry_after_s: float, why: str) -> HTTPException:
    seconds = max(1, math.ceil(retry_after_s))
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                         detail=f"{why}; retry in {seconds} s",
                         headers={"Retry-After": str(seconds)})


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_account_address: int  # guessing one account from one place
    per_address: int  # one place trying many accounts (password spraying)
    per_account: int  # one account tried from many places
    window_s: float


class LoginThrottle:
    """Sliding-window attempt counters; thread-safe; ``clock`` is injectable for tests."""

    def __init__(self, limits: ThrottleLimits, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.limits, self.clock, self.max_keys = limits, clock, max_keys
        self._attempts: OrderedDict[tuple[str, ...], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str) -> list[tuple[tuple[str, ...], int]]:
        account = username.strip().lower()
        return [(("pair", account, address), self.limits.per_account_address),
                (("address", address), self.limits.per_address),
                (("account", account), self.limits.per_account)]

    def _window(self, key: tuple[str, ...], now: float) -> deque[float]:
        times = self._attempts.pop(key, None) or deque()
        while times and times[0] <= now - self.limits.window_s:
            times.popleft()
        self._attempts[key] = times  # most recently used last
        while len(self._attempts) > self.max_keys:
            self._attempts.popitem(last=False)
        return times

    def begin(self, username: str, address: str) -> None:
        """Count an attempt, or raise 429 if one of its counters is full. Counted up front, so
        attempts in flight count too; :meth:`succeeded` takes a successful one back."""
        with self._lock:
            now = self.clock()
            windows = [(self._window(key, now), limit) for key, limit in self._keys(username,
                                                                                     address)]
            full = [times[0] + self.limits.window_s - now
                    for times, limit in windows if len(times) >= limit]
            if full:
                raise too_many(max(full), "too many login attempts")
            for times, _ in windows:
                times.append(now)

    def address_blocked(self, address: str) -> float | None:
        """Seconds until ``address`` may try again if its counter is full, else None (counts
        nothing: a pre-check that needs no username, so no request body)."""
        with self._lock:
            times = self._window(("address", address), self.clock())
            if len(times) >= self.limits.per_address:
                return times[0] + self.limits.window_s - self.clock()
            return None

    def succeeded(self, username: str, address: str) -> None:
        """A right password: the account's failures are forgotten, the address's stay."""
        with self._lock:
            for key, _ in self._keys(username, address):
                times = self._attempts.get(key)
                if key[0] == "address":
                    if times:
                        times.pop()
                elif times is not None:
                    times.clear()


HASH_THREAD_NICENESS = 10  # password checks yield the CPU to the requests being served


def _lower_priority() -> None:
    # Linux schedules threads individually: renicing this thread leaves the event loop and the
    # request pool at their priority, so a flood of logins cannot starve other endpoints.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


class HashGate:
    """At most ``workers`` password checks at once on their own low-priority threads, ``queue``
    more waiting; the rest are turned away with 429."""

    def __init__(self, *, workers: int, queue: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gridplan-login",
                                        initializer=_lower_priority)
        self._limit, self._busy = workers + queue, 0
        self._lock = threading.Lock()

    def full(self) -> bool:
        return self._busy >= self._limit  # a racy peek is fine: run() decides for real

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._busy >= self._limit:
                raise too_many(1, "too many logins in progress")
            self._busy += 1
        # The slot is freed when the check really ends, not when the client gives up: a flood of
        # disconnecting clients cannot pile checks up behind the pool.
        try:
            future = self._pool.submit(fn, *args)
        except BaseException:  # shutting down
            self._release(None)
            raise
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)

    def _release(self, _future: object) -> None:
        with self._lock:
            self._busy -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class LoginShield:
    """ASGI middleware answering hopeless logins with 429 before their body is read or parsed:
    an address over its limit, or every password-check slot taken. Under a flood this keeps
    each refusal to a few microseconds of the event loop; the short delay slows the
    attackers' loop without holding a thread."""

    def __init__(self, app: ASGIApp, *, path: str = "/auth/token") -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self.path:
            guard: LoginGuard | None = getattr(scope["app"].state, "login_guard", None)
            address = (scope.get("client") or ("unknown", 0))[0]
            wait = guard.throttle.address_blocked(address) if guard else None
            if guard is not None and (wait is not None or guard.gate.full()):
                refusal = too_many(wait or 1, "too many login attempts" if wait is not None
                                   else "too many logins in progress")
                await guard.pause()
                response = JSONResponse({"detail": refusal.detail}, status_code=429,
                                        headers=refusal.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


@dataclass
class LoginGuard:
    """The throttle and the hash gate of one service process (built from its settings)."""

    throttle: LoginThrottle
    gate: HashGate
    refusal_delay_s: float = 0.0  # a refused login waits this long (asleep: costs nothing)

    async def pause(self) -> None:
        await asyncio.sleep(self.refusal_delay_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginGuard:
        limits = ThrottleLimits(per_account_address=settings.login_attempts_per_account_address,
                                per_address=settings.login_attempts_per_address,
                                per_account=settings.login_attempts_per_account,
                                window_s=settings.login_window_s)
        return cls(LoginThrottle(limits), HashGate(workers=settings.effective_login_hash_workers,
                                                   queue=settings.login_hash_queue),
                   refusal_delay_s=settings.login_refusal_delay_s)

    def shutdown(self) -> None:
        self.gate.shutdown()
