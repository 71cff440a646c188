"""``gridplan demo --serve``: the web app on the sample, with one demo account per role.

The demo gets its own data folder (``<out>/web``), so its accounts never touch a real
database; passwords are random for each start and printed once.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import click

HP, JA = "310101", "310106"
DEMO_ACCOUNTS: dict[str, tuple[str, dict[str, Any]]] = {
    "squad": ("squad_leader", {"districts": [HP], "grids": [f"{HP}000000002"]}),
    "planner": ("planner", {"districts": [HP]}),
    "joint": ("joint_viewer", {"pair": [HP, JA]}),
    "admin": ("admin", {}),
}


def _accounts(settings: Any) -> dict[str, str]:
    """Create (or reset) the demo accounts; returns username → new password."""
    from sqlalchemy import select

    from api.auth import Role, create_user, hash_password
    from api.db.models import User
    from api.db.session import Database, upgrade

    db = Database.connect(settings.effective_database_url)
    upgrade(db.engine)
    passwords = {name: secrets.token_urlsafe(9) for name in DEMO_ACCOUNTS}
    try:
        with db.session() as session:
            for name, (role, scope) in DEMO_ACCOUNTS.items():
                user = session.scalar(select(User).where(User.username == name))
                if user is None:
                    create_user(session, name, passwords[name], role=Role(role), scope=scope,
                                hasher=settings.hasher)
                else:
                    user.password_hash = hash_password(passwords[name], hasher=settings.hasher)
    finally:
        db.dispose()
    return passwords


def serve_demo(out: Path, *, host: str, port: int) -> None:
    """Serve the web app on the sample (blocks until Ctrl-C)."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(data_dir=out / "web", load_sample=True)
    passwords = _accounts(settings)
    click.echo(f"\nWeb app: open http://{host}:{port}/app  (Ctrl-C stops it)")
    for name, (role, _) in DEMO_ACCOUNTS.items():
        click.echo(f"  {role:<13} {name:<8} password {passwords[name]}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
def main(out: Path, port: int) -> None:
    """Serve the web app on the sample without re-running the demo (``make serve``)."""
    serve_demo(out, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
