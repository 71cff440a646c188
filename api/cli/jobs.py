"""``gridplan job run KIND``: run a service job kind in this process, with a progress bar.

The same job functions the service runs in the background (routes, redesign, hotspots, …) run
here against the configured database, as a named user (their role and scope apply), so long
work can be done from a terminal on the server without going through HTTP.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import click
from fastapi import HTTPException
from pydantic import ValidationError
from sqlalchemy import select

from api.cli.progress import ProgressBar, progress_bar
from api.errors import invalid_input
from gridplan.errors import InvalidInputError, Problem


@dataclass
class TerminalJob:
    """What a job function needs (see :class:`api.jobs.JobContext`), wired to a progress bar."""

    job_id: str
    owner: Any
    db: Any
    settings: Any
    bar: ProgressBar

    def progress(self, fraction: float, message: str = "") -> None:
        self.bar.progress(fraction, message)

    def should_cancel(self) -> bool:
        return self.bar.should_cancel()


def _params(kind: Any, pairs: tuple[str, ...], raw_json: str | None) -> Any:
    values: dict[str, Any] = json.loads(raw_json) if raw_json else {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            values[key] = json.loads(value)
        except json.JSONDecodeError:
            values[key] = value
    try:
        return kind.params.model_validate(values)
    except ValidationError as exc:
        raise invalid_input(exc, f"bad parameters for job {kind.name}", source="params",
                            fix="see `gridplan job kinds`") from None


@click.group("job")
def job() -> None:
    """Run the service's long jobs from the terminal (with a progress bar)."""


@job.command("kinds")
def kinds() -> None:
    """List the job kinds and their parameters."""
    from api.job_kinds import build_registry

    for kind in build_registry().kinds.values():
        fields = ", ".join(kind.params.model_json_schema().get("properties", {}))
        click.echo(f"{kind.name:<14} {kind.description.splitlines()[0] if kind.description else ''}")
        click.echo(f"{'':<14} params: {fields}")


@job.command("run")
@click.argument("kind_name")
@click.option("--param", "-p", "pairs", multiple=True, help="name=value (value read as JSON "
              "when it parses), e.g. -p grid_id=1 -p officers=2")
@click.option("--params-json", default=None, help="all parameters as one JSON object")
@click.option("--as-user", default="admin", show_default=True,
              help="whose role and scope apply (an existing user)")
@click.option("--database-url", envvar="DATABASE_URL", default=None)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="write the result JSON here instead of printing it")
def run(kind_name: str, pairs: tuple[str, ...], params_json: str | None, as_user: str,
        database_url: str | None, out: str | None) -> None:
    """Run job KIND_NAME now, in this process. Ctrl-C cancels at the next checkpoint."""
    from api.auth import Principal
    from api.db.models import User
    from api.db.session import Database, upgrade
    from api.job_kinds import build_registry
    from api.settings import Settings

    registry = build_registry()
    kind = registry.kinds.get(kind_name)
    if kind is None:
        raise InvalidInputError("unknown job kind", [Problem(
            "job", "kind", " or ".join(sorted(registry.kinds)), repr(kind_name),
            "see `gridplan job kinds`")])
    params = _params(kind, pairs, params_json)
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    db = Database.connect(settings.effective_database_url)
    try:
        upgrade(db.engine)
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == as_user))
            if user is None:
                raise InvalidInputError("unknown user", [Problem(
                    "job", "--as-user", "an existing user", as_user,
                    "create one: gridplan users create-admin")])
            owner = Principal.of(user)
            try:
                kind.authorize(session, owner, params)
            except HTTPException as exc:  # 403 / 404 from the service's own rules
                raise click.ClickException(str(exc.detail)) from None
        with progress_bar(f"{kind.name}") as bar:
            ctx = TerminalJob(f"cli-{uuid.uuid4()}", owner, db, settings, bar)
            result = kind.run(ctx, params)  # type: ignore[arg-type]
            bar.progress(1.0, "done")
    finally:
        db.dispose()
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    if out:
        from geodata.files import write_text

        write_text(out, text)
        click.echo(f"result written to {out}")
    else:
        click.echo(text)
