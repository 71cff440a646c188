"""Start-up chores: the signing secret, the first admin, the sample data."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from api.auth import DEFAULT_HASHER, Role, create_user
from api.db.models import Jurisdiction, User
from api.db.session import Database
from api.passwords import check_password
from api.settings import Settings, check_secret


def with_secret(settings: Settings) -> Settings:
    """Settings with a signing key: the configured one, else one kept in the data dir."""
    if settings.secret_key:
        return settings
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    key = check_secret(path.read_text().strip(), str(path))  # an empty file must not start
    return settings.model_copy(update={"secret_key": key})


def ensure_admin(db: Database, username: str, password: str, *,
                 hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    """Create admin ``username`` unless a user of that name exists; True if created. A weak
    password stops the start (the same rules as every other password)."""
    with db.session() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            return False
        check_password(password, username=username, source="GRIDPLAN_ADMIN_PASSWORD")
        create_user(session, username, password, role=Role.ADMIN, hasher=hasher)
        return True


def load_sample(db: Database, settings: Settings) -> dict[str, int]:
    """Load the bundled sample (geodata.sample) into an empty database, in one transaction.

    Returns what was inserted (all zero when the database already has jurisdictions)."""
    with db.session() as session:
        if session.scalar(select(Jurisdiction.id).limit(1)) is not None:
            return {}
    from api.sample import build_sample

    rows = build_sample(cache_dir=settings.effective_cache_dir, uploads_dir=settings.uploads_dir)
    with db.session() as session:
        session.add_all(rows.jurisdictions)
        session.flush()  # parents before the rows that point at them
        for plan, grids in rows.plans:
            session.add(plan)
            session.flush()
            for grid in grids:
                grid.plan_id = plan.id
            session.add_all(grids)
        session.add_all(rows.networks + rows.incident_sets)
    return rows.counts()
