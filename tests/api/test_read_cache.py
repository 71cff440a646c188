"""Grid reads served from rendered bytes kept per row version (``api/read_cache.py``): the
same bytes the response models serialise, never stale across API processes sharing a
database, and the caller still checked against the database on every request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select

import api.auth
from api.app import create_app
from api.db.models import Grid, User
from api.grid_json import feature, public
from api.pagination import Page
from api.read_cache import FragmentCache
from api.schemas.grid import GridPublic
from api.settings import Settings
from tests.api.conftest import HP, TestClient, World


@contextmanager
def second_process(settings: Settings) -> Iterator[TestClient]:
    """Another API process on the same database: an app of its own, with its own cache."""
    with TestClient(create_app(settings)) as other:
        yield other


def _orm_grids(world: World, plan_id: int | None = None) -> list[Grid]:
    with world.db.session() as s:
        query = select(Grid).order_by(Grid.plan_id, Grid.code, Grid.id)
        if plan_id is not None:
            query = select(Grid).where(Grid.plan_id == plan_id).order_by(Grid.code)
        return list(s.scalars(query))


def _serialised(model: Any, value: Any) -> bytes:
    """What FastAPI sends for ``value`` returned under ``response_model=model``."""
    adapter = TypeAdapter(model)
    return adapter.dump_json(adapter.validate_python(value))


def test_kept_bytes_are_what_the_response_models_serialise(world: World) -> None:
    c, admin, plan = world.client, world.h("admin"), world.plans[HP]
    for _ in range(2):  # the first read renders and keeps, the second serves what was kept
        grids = _orm_grids(world)
        page = {"items": [public(g) for g in grids], "limit": 100, "offset": 0,
                "next_offset": None}
        assert c.get("/grids", headers=admin).content == _serialised(Page[GridPublic], page)
        one = c.get(f"/grids/{grids[0].id}", headers=admin)
        assert one.content == _serialised(GridPublic, public(grids[0]))
        assert one.headers["content-type"] == "application/json"
        collection = {"type": "FeatureCollection",
                      "features": [feature(g) for g in _orm_grids(world, plan)]}
        assert c.get(f"/plans/{plan}/grids.geojson", headers=admin).content == _serialised(
            dict[str, Any], collection)
    assert len(c.app.state.fragments) == len(grids) + 2  # type: ignore[attr-defined]
    paged = c.get("/grids?limit=1&offset=1", headers=admin).json()
    assert [g["id"] for g in paged["items"]] == [grids[1].id] and paged["next_offset"] == 2


def test_an_edit_in_one_process_is_read_at_once_in_another(world: World,
                                                           settings: Settings) -> None:
    gid, plan, h = world.grids["HP-1"], world.plans[HP], world.h("planner")
    with second_process(settings) as other:
        def reads() -> tuple[dict[str, Any], ...]:
            one = other.get(f"/grids/{gid}", headers=h)
            listed = other.get("/grids", headers=h).json()["items"]
            features = other.get(f"/plans/{plan}/grids.geojson", headers=h).json()["features"]
            return (one.json() | {"etag": one.headers["ETag"]},
                    next(g for g in listed if g["id"] == gid),
                    next(f for f in features if f["id"] == gid))

        before = reads()  # now kept by the other process
        assert before == reads() and before[0]["name"] == "HP-1"
        tag = world.client.get(f"/grids/{gid}", headers=h).headers["ETag"]
        edited = world.client.patch(f"/grids/{gid}", headers={**h, "If-Match": tag},
                                    json={"name": "外滩", "staff": {"enforcement": 9}})
        assert edited.status_code == 200
        one, listed, feature_ = reads()
        assert one["name"] == listed["name"] == feature_["properties"]["name"] == "外滩"
        assert one["staff"] == listed["staff"] == feature_["properties"]["staff"] == {
            "enforcement": 9}
        assert one["etag"] == edited.headers["ETag"] != before[0]["etag"]
        assert one["version"] == listed["version"] == feature_["properties"]["version"] == \
            before[0]["version"] + 1
        assert world.client.delete(f"/grids/{gid}", headers={
            **h, "If-Match": edited.headers["ETag"]}).status_code == 204
        assert other.get(f"/grids/{gid}", headers=h).status_code == 404
        assert gid not in [g["id"] for g in other.get("/grids", headers=h).json()["items"]]
        assert gid not in [f["id"] for f in other.get(
            f"/plans/{plan}/grids.geojson", headers=h).json()["features"]]


def test_a_new_grid_on_a_reused_id_is_not_served_the_old_ones_bytes(world: World) -> None:
    """SQLite gives the highest deleted id to the next row, whose version starts at 1 again:
    the kept bytes are keyed by updated_at too."""
    c, h = world.client, world.h("planner")
    gid = world.add_grid(HP, "HP-9", index=3)
    old = c.get(f"/grids/{gid}", headers=h)
    assert c.delete(f"/grids/{gid}", headers={**h, "If-Match": old.headers["ETag"]}
                    ).status_code == 204
    new_id = world.add_grid(HP, "HP-10", index=4)
    new = c.get(f"/grids/{new_id}", headers=h).json()
    assert new["code"] == "HP-10" and new["version"] == old.json()["version"]


def test_the_caller_is_checked_on_every_read_served_from_kept_bytes(world: World) -> None:
    c, gid, plan = world.client, world.grids["HP-1"], world.plans[HP]
    paths = ("/grids", f"/grids/{gid}", f"/plans/{plan}/grids.geojson", "/jurisdictions")
    for path in paths:  # kept now
        assert c.get(path, headers=world.h("planner")).status_code == 200
    with world.db.session() as s:  # a role change by another process: a squad leader of HP-2
        user = s.scalars(select(User).where(User.username == "planner")).one()
        user.role, user.scope = "squad_leader", {"districts": [HP], "grids": ["HP-2"]}
    assert c.get(f"/grids/{gid}", headers=world.h("planner")).status_code == 403
    assert [g["code"] for g in c.get("/grids", headers=world.h("planner")).json()[
        "items"]] == ["HP-2"]
    assert [f["properties"]["code"] for f in c.get(
        f"/plans/{plan}/grids.geojson", headers=world.h("planner")).json()["features"]] == [
        "HP-2"]
    with world.db.session() as s:
        s.scalars(select(User).where(User.username == "planner")).one().is_active = False
    for path in paths:
        assert c.get(path, headers=world.h("planner")).status_code == 401, path


def test_a_kept_token_signature_still_expires(world: World,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    c = world.client
    token = c.post("/auth/token", data={"username": "squad",
                                        "password": "correct horse battery"}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert c.get("/grids", headers=bearer).status_code == 200  # its signature is kept now
    later = time.time() + token["expires_in"] + 1
    monkeypatch.setattr(api.auth, "time", SimpleNamespace(time=lambda: later))
    assert c.get("/grids", headers=bearer).status_code == 401
    assert api.auth.token_claims(token["access_token"], secret="another-secret" * 3) is None


def test_the_cache_keeps_at_most_its_bound_least_recently_used_out_first() -> None:
    cache = FragmentCache(max_bytes=10)
    cache.put("a", b"aaaa")
    cache.put("b", b"bbbb")
    assert cache.get("a") == b"aaaa"  # a is now the most recently used
    cache.put("c", b"cccc")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"aaaa", None, b"cccc")
    assert cache.size_bytes == 8
    assert cache.put("big", b"x" * 11) == b"x" * 11 and cache.get("big") is None
    disabled = FragmentCache(max_bytes=0)
    assert disabled.put("a", b"made") == b"made" and disabled.get("a") is None
