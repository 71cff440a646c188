"""PostgreSQL connections the server has closed are dropped at checkout without a round trip
(what ``pool_pre_ping`` did with a ``SELECT 1`` on every request: ``api/db/session.py``)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from api.db.session import Database
from tests.api.conftest import pg_url_or_skip


@pytest.mark.postgres
def test_a_pooled_connection_the_server_closed_is_replaced_unnoticed() -> None:
    url = pg_url_or_skip()
    db, admin = Database.connect(url), create_engine(url)
    try:
        with db.engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.begin() as conn:  # as a restart or an idle timeout would
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"),
                                {"pid": first}).scalar_one()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the backend's goodbye reaches our socket
            with admin.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                {"pid": first}).scalar_one() == 0:
                    break
            time.sleep(0.05)
        with db.sessions() as session:  # no error: the dead connection never reaches us
            second = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
        assert db.engine.pool.checkedout() == 0
    finally:
        db.dispose()
        admin.dispose()
