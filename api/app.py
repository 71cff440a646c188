"""The FastAPI application factory. Nothing is created at import time: call ``create_app``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.bootstrap import ensure_admin, load_sample, with_secret
from api.db.session import Database, upgrade
from api.engine.cluster import engine_client
from api.errors import install_error_handlers
from api.job_kinds import build_registry
from api.jobs import JobRegistry, JobRunner
from api.login_guard import LoginGuard, LoginShield
from api.read_cache import FragmentCache
from api.routers import (
    audit,
    auth,
    exports,
    grids,
    health,
    incidents,
    jobs,
    jurisdictions,
    networks,
    plans,
    tracks,
    users,
    zones,
)
from api.routers.web import install_web_app
from api.settings import Settings, settings_from_env
from api.uploads import clean_orphans, referenced_files

UPLOAD_PATHS = ("/networks", "/incidents", "/tracks/coverage")
ORPHAN_MIN_AGE_S = 600.0  # younger files may be another process's upload in progress


class BodyLimit:
    """413 for bodies over the limit — from Content-Length up front, or while streaming."""

    def __init__(self, app: ASGIApp, *, json_bytes: int, upload_bytes: int) -> None:
        self.app, self.json_bytes, self.upload_bytes = app, json_bytes, upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if scope["path"] in UPLOAD_PATHS else self.json_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        seen, started, refused = 0, False, False

        async def counted_receive() -> Message:
            # Over the limit: answer 413 ourselves and tell the app the client went away (an
            # exception here would be turned into "400 error parsing the body" by FastAPI).
            nonlocal seen, refused, started
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                refused = True
                if not started:
                    started = True
                    await _too_large(limit)(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is already out
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except Exception:
            if not refused:
                raise  # a real error: let the server's handler report it


# Offline maps and pages: inline Leaflet and folium code, our own files, data: images; nothing
# fetched from or sent to another origin, never framed by another site.
HTML_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' "
            "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY")]
DOCS_PATHS = ("/docs", "/redoc")  # FastAPI's interactive docs load Swagger UI / ReDoc scripts


class SecurityHeaders:
    """``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and
    ``X-Frame-Options: DENY`` on every answer; ``Content-Security-Policy`` on HTML that has none
    of its own (the maps; the web app's pages send their stricter one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {name for name, _ in SECURITY_HEADERS}]
                headers += SECURITY_HEADERS
                present = {k.lower(): v for k, v in headers}
                if present.get(b"content-type", b"").startswith(b"text/html") and not docs \
                        and b"content-security-policy" not in present:  # a page's own stays
                    headers.append((b"content-security-policy", HTML_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"request body larger than {limit} bytes"}, status_code=413)


def _prepare(db: Database, settings: Settings) -> None:
    """Start-up chores before the first request: migrate, clean orphans, first admin, sample."""
    if settings.run_migrations:
        upgrade(db.engine)
    with db.session() as session:
        clean_orphans(settings.uploads_dir, referenced_files(session), min_age_s=ORPHAN_MIN_AGE_S)
    if settings.admin_password:
        ensure_admin(db, "admin", settings.admin_password, hasher=settings.hasher)
    if settings.load_sample:
        load_sample(db, settings)


def create_app(settings: Settings | None = None, *, registry: JobRegistry | None = None) -> FastAPI:
    """Build the service for ``settings`` (default: from the environment)."""
    settings = with_secret(settings or settings_from_env())
    registry = registry or build_registry()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database.connect(settings.effective_database_url)
        try:
            _prepare(db, settings)
        except BaseException:
            db.dispose()  # a refused start (weak admin password …) leaves no connection open
            raise
        runner = JobRunner(db, registry, settings=settings, engine=lambda: engine_client(
            settings.scheduler or None, workers=settings.job_workers,
            processes=settings.engine_processes))
        runner.start()
        app.state.db, app.state.jobs = db, runner
        app.state.fragments = FragmentCache(settings.read_cache_mb * 2**20)
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # Start-up objects (libraries, the sample) never die: out of the collector's sight, a
        # read's garbage collections scan the read's own objects, not the whole heap each time.
        gc.freeze()
        app.state.login_guard = LoginGuard.from_settings(settings)
        try:
            yield
        finally:
            app.state.login_guard.shutdown()
            runner.shutdown()
            db.dispose()

    app = FastAPI(title="gridplan service", version="0.1.0", lifespan=lifespan,
                  description="Grids, patrol routes, boundary zones and jobs for city-management "
                              "enforcement squads. Geometries are GeoJSON in WGS-84 (EPSG:4326).")
    app.state.settings = settings
    app.add_middleware(BodyLimit, json_bytes=settings.max_json_bytes,  # type: ignore[arg-type]
                       upload_bytes=settings.max_upload_bytes)
    app.add_middleware(LoginShield)  # type: ignore[arg-type]
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]  # outermost: every answer
    install_error_handlers(app)
    # FastAPI tries the routes one by one, in this order: the reads every map view and job
    # poll makes come first (with the others ahead, a grid read tried ~30 routes first, ~0.1 ms
    # of the one process's CPU). No two routers' paths overlap, so the order changes nothing.
    for module in (health, grids, plans, jurisdictions, jobs, auth, users, networks, incidents,
                   zones, exports, audit, tracks):
        app.include_router(module.router)
    install_web_app(app)
    return app


def app_factory() -> Any:
    """For ``uvicorn --factory api.app:app_factory``."""
    return create_app()
