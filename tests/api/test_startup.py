"""Start-up refuses what would make the service unsafe: a short signing key (the audit forged an
admin token with a 1-character key), an empty key file (every login was a 500), a weak admin
password from the environment."""

from __future__ import annotations

from pathlib import Path

import jwt
import jwt.warnings
import pytest
from pydantic import ValidationError

from api.app import create_app
from api.settings import Settings
from gridplan.errors import InvalidInputError
from tests.api.conftest import CHEAP_HASH, TestClient, World


def test_a_short_secret_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(secret_key="x")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(secret_key="a" * 31)
    assert Settings(secret_key="a" * 32).secret_key == "a" * 32


def test_an_empty_or_short_key_file_is_refused(tmp_path: Path) -> None:
    for content in ("", "\n", "short"):
        (tmp_path / "secret_key").write_text(content)
        with pytest.raises(ValueError, match="secret_key.*at least 32"):
            create_app(Settings(data_dir=tmp_path, **CHEAP_HASH))


def test_a_generated_key_file_is_strong_and_a_forged_token_fails(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        **CHEAP_HASH)
    with TestClient(create_app(settings)) as client:
        assert len((tmp_path / "secret_key").read_text().strip()) >= 32
        with pytest.warns(jwt.warnings.InsecureKeyLengthWarning):  # PyJWT agrees: too short
            forged = jwt.encode({"sub": "admin", "exp": 2**40}, "x", algorithm="HS256")
        r = client.get("/users/me", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401


@pytest.mark.parametrize("weak", ["password123", "admin-admin-admin", "short1"])
def test_a_weak_admin_password_from_the_environment_stops_the_start(tmp_path: Path,
                                                                     weak: str) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        secret_key="s" * 40, admin_password=weak, **CHEAP_HASH)
    with pytest.raises(InvalidInputError, match="too weak") as refused, \
            TestClient(create_app(settings)):
        pass
    assert "GRIDPLAN_ADMIN_PASSWORD" in refused.value.report()


def test_weak_passwords_are_refused_with_every_reason(world: World) -> None:
    for password, reason in (("password123", "common"), ("Qwertyuiop", "common"),
                             ("zhangwei-2026", "username"), ("aaaaaaaaaaaa", "common")):
        r = world.client.post("/users", headers=world.h("admin"), json={
            "username": "zhangwei", "password": password, "role": "planner"})
        assert r.status_code == 422 and reason in r.text, (password, r.text)
    ok = world.client.post("/users", headers=world.h("admin"), json={
        "username": "zhangwei", "password": "lantern orchard maple", "role": "planner"})
    assert ok.status_code == 201, ok.text
