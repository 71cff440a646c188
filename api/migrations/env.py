"""Alembic environment: runs on the connection the service hands over (see api.db.session)."""

from __future__ import annotations

from alembic import context

from api.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI directly
    raise SystemExit("run migrations with `gridplan db upgrade` (it passes the configured database)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
