"""Managing accounts: deactivate a user, change or reset a password, revoke tokens."""

from __future__ import annotations

from api.db.models import User
from tests.api.conftest import World

RIGHT = "correct horse battery"


def _token(world: World, username: str, password: str = RIGHT) -> dict[str, str]:
    r = world.client.post("/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _id(world: World, username: str) -> int:
    with world.db.session() as s:
        return s.query(User).filter(User.username == username).one().id


def _me(world: World, headers: dict[str, str]) -> int:
    return world.client.get("/users/me", headers=headers).status_code


def test_a_deactivated_user_is_locked_out_at_once(world: World) -> None:
    token = _token(world, "planner")
    r = world.client.patch(f"/users/{_id(world, 'planner')}", headers=world.h("admin"),
                           json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert _me(world, token) == 401 and _me(world, world.h("planner")) == 401
    assert world.client.post("/auth/token", data={"username": "planner",
                                                  "password": RIGHT}).status_code == 401
    world.client.patch(f"/users/{_id(world, 'planner')}", headers=world.h("admin"),
                       json={"is_active": True})
    assert _me(world, token) == 200
    assert world.client.patch(f"/users/{_id(world, 'admin')}", headers=world.h("admin"),
                              json={"is_active": False}).status_code == 409
    assert world.client.patch(f"/users/{_id(world, 'squad')}", headers=world.h("planner"),
                              json={"is_active": False}).status_code == 403


def test_changing_a_password_revokes_the_old_tokens(world: World) -> None:
    old = _token(world, "planner")
    wrong = world.client.put("/users/me/password", headers=old, json={
        "current_password": "not it at all", "new_password": "lantern orchard maple"})
    assert wrong.status_code == 403
    weak = world.client.put("/users/me/password", headers=old, json={
        "current_password": RIGHT, "new_password": "password123"})
    assert weak.status_code == 422 and "common" in weak.text
    r = world.client.put("/users/me/password", headers=old, json={
        "current_password": RIGHT, "new_password": "lantern orchard maple"})
    assert r.status_code == 200, r.text
    assert _me(world, old) == 401
    assert _me(world, {"Authorization": f"Bearer {r.json()['access_token']}"}) == 200
    assert _me(world, _token(world, "planner", "lantern orchard maple")) == 200
    assert _me(world, world.h("planner")) == 200  # API keys are revoked one by one


def test_revoking_tokens_signs_out_everywhere(world: World) -> None:
    laptop, phone = _token(world, "squad"), _token(world, "squad")
    assert world.client.post("/users/me/tokens/revoke", headers=phone).status_code == 204
    assert _me(world, laptop) == 401 and _me(world, phone) == 401
    again = _token(world, "squad")
    assert _me(world, again) == 200
    assert world.client.post(f"/users/{_id(world, 'squad')}/tokens/revoke",
                             headers=world.h("admin")).status_code == 204
    assert _me(world, again) == 401


def test_an_admin_resets_a_forgotten_password(world: World) -> None:
    token = _token(world, "joint")
    r = world.client.put(f"/users/{_id(world, 'joint')}/password", headers=world.h("admin"),
                         json={"new_password": "river stone quiet 7"})
    assert r.status_code == 204
    assert _me(world, token) == 401
    assert _me(world, _token(world, "joint", "river stone quiet 7")) == 200
    assert world.client.put(f"/users/{_id(world, 'admin')}/password", headers=world.h("joint"),
                            json={"new_password": "river stone quiet 7"}).status_code == 403
