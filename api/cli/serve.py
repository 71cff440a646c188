"""``gridplan serve``, ``gridplan db upgrade`` and ``gridplan users create-admin``."""

from __future__ import annotations

import os

import click

from api.settings import Settings


def _settings(database_url: str | None) -> Settings:
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="SQLAlchemy URL; default: embedded SQLite under $GRIDPLAN_DATA_DIR")
@click.option("--no-sample", is_flag=True, help="do not load the bundled sample")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="API processes (share the database; use PostgreSQL for more than one)")
@click.option("--scheduler", envvar="GRIDPLAN_SCHEDULER", default=None, metavar="ADDRESS",
              help="Dask scheduler running the jobs [default: an embedded local cluster per "
                   "API process]")
def serve(host: str, port: int, database_url: str | None, no_sample: bool, workers: int,
          scheduler: str | None) -> None:
    """Run the planning service (OpenAPI docs at /docs). Jobs run on the engine's workers."""
    import uvicorn

    settings = _settings(database_url).model_copy(update={"load_sample": not no_sample,
                                                          "engine_at_start": True})
    if scheduler:
        settings = settings.model_copy(update={"scheduler": scheduler})
    click.echo(f"gridplan service on http://{host}:{port}/docs — database "
               f"{settings.effective_database_url.split('@')[-1]} — {workers} process(es), "
               f"jobs on {settings.scheduler or 'an embedded local cluster'}")
    if workers == 1:
        from api.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    _prepare_once(settings)  # migrations, secret, admin and sample: once, not per process
    os.environ.update({"DATABASE_URL": settings.effective_database_url,
                       "GRIDPLAN_SCHEDULER": settings.scheduler,
                       "GRIDPLAN_DATA_DIR": str(settings.data_dir),
                       "GRIDPLAN_LOAD_SAMPLE": "false", "GRIDPLAN_RUN_MIGRATIONS": "false",
                       "GRIDPLAN_ENGINE_AT_START": "true"})
    uvicorn.run("api.app:app_factory", factory=True, host=host, port=port, workers=workers,
                log_level="info")


def _prepare_once(settings: Settings) -> None:
    from api.bootstrap import ensure_admin, load_sample, with_secret
    from api.db.session import Database, upgrade

    with_secret(settings)
    database = Database.connect(settings.effective_database_url)
    try:
        upgrade(database.engine)
        if settings.admin_password:
            ensure_admin(database, "admin", settings.admin_password, hasher=settings.hasher)
        if settings.load_sample:
            load_sample(database, settings)
    finally:
        database.dispose()


@click.group("db")
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.option("--database-url", envvar="DATABASE_URL", default=None)
def db_upgrade(database_url: str | None) -> None:
    """Apply the Alembic migrations (same history on SQLite and PostGIS)."""
    from api.db.session import Database, upgrade

    settings = _settings(database_url)
    database = Database.connect(settings.effective_database_url)
    upgrade(database.engine)
    database.dispose()
    click.echo(f"database at head: {settings.effective_database_url.split('@')[-1]}")


@click.group("users")
def users() -> None:
    """User accounts of the service."""


@users.command("create-admin")
@click.option("--username", default="admin", show_default=True)
@click.password_option(envvar="GRIDPLAN_ADMIN_PASSWORD")
@click.option("--database-url", envvar="DATABASE_URL", default=None)
def create_admin(username: str, password: str, database_url: str | None) -> None:
    """Create the first admin account (migrates the database first)."""
    from api.bootstrap import ensure_admin
    from api.db.session import Database, upgrade

    settings = _settings(database_url)
    database = Database.connect(settings.effective_database_url)
    upgrade(database.engine)
    created = ensure_admin(database, username, password, hasher=settings.hasher)
    database.dispose()
    click.echo(f"admin {username!r} {'created' if created else 'already exists'}")


