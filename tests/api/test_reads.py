"""The read path: every list paged one way, the caller re-checked on every request, ETags that
follow changes, GeoJSON positions that equal shapely's ``mapping``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, mapping

from api.app import create_app
from api.db.models import User
from api.geo import to_geojson
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest, page_of_rows
from api.settings import Settings
from tests.api.conftest import HP, JA, World

LISTS = ["/grids", "/plans", "/jobs", "/users", "/users/me/api-keys", "/incidents", "/networks",
         "/jurisdictions", "/audit", "/grids/{grid_id}/history"]
UNPAGED = {"/jobs/kinds"}  # the registry's job kinds: fixed by the code, not data


def test_every_list_endpoint_is_paged_the_same_way(tmp_path: Path) -> None:
    spec = create_app(Settings(data_dir=tmp_path, secret_key="k" * 40)).openapi()
    paged, arrays = set(), set()
    for path, methods in spec["paths"].items():
        get = methods.get("get")
        if get is None:
            continue
        schema = get["responses"]["200"].get("content", {}).get("application/json", {}).get(
            "schema", {})
        if schema.get("type") == "array":
            arrays.add(path)
        if schema.get("$ref", "").split("/")[-1].startswith("Page_"):
            params = {p["name"]: p["schema"] for p in get["parameters"]}
            assert params["limit"]["maximum"] == MAX_LIMIT, path
            assert params["limit"]["default"] == DEFAULT_LIMIT, path
            assert params["offset"]["minimum"] == 0, path
            paged.add(path)
    assert paged == set(LISTS)
    assert arrays == UNPAGED  # a new plain list endpoint fails here: page it


def test_a_page_has_the_default_size_and_says_where_the_next_starts() -> None:
    rows = list(range(DEFAULT_LIMIT + 7))
    first = page_of_rows(rows, PageRequest(limit=DEFAULT_LIMIT, offset=0))
    assert first["items"] == rows[:DEFAULT_LIMIT] and first["next_offset"] == DEFAULT_LIMIT
    last = page_of_rows(rows, PageRequest(limit=DEFAULT_LIMIT, offset=DEFAULT_LIMIT))
    assert last["items"] == rows[DEFAULT_LIMIT:] and last["next_offset"] is None
    exact = page_of_rows(rows[:10], PageRequest(limit=10, offset=0))
    assert len(exact["items"]) == 10 and exact["next_offset"] is None  # no empty page after


def test_pages_walk_the_list_and_bad_values_are_422(world: World) -> None:
    c, admin = world.client, world.h("admin")
    for i in range(2, 5):
        world.add_grid(HP, f"HP-{i + 1}", index=i)
    whole = c.get("/grids", headers=admin).json()
    assert whole["limit"] == DEFAULT_LIMIT and whole["next_offset"] is None
    walked, offset = [], 0
    while offset is not None:
        page = c.get(f"/grids?limit=2&offset={offset}", headers=admin).json()
        assert len(page["items"]) <= 2
        walked += page["items"]
        offset = page["next_offset"]
    assert [g["id"] for g in walked] == [g["id"] for g in whole["items"]]  # stable order
    beyond = c.get("/grids?offset=1000", headers=admin)
    assert beyond.status_code == 200 and beyond.json()["items"] == []
    assert beyond.json()["next_offset"] is None
    assert c.get(f"/grids?limit={MAX_LIMIT}", headers=admin).status_code == 200
    for query, bound in ((f"limit={MAX_LIMIT + 1}", str(MAX_LIMIT)), ("limit=0", "1"),
                         ("offset=-1", "0"), ("limit=ten", "integer")):
        r = c.get(f"/grids?{query}", headers=admin)
        assert r.status_code == 422, query
        [problem] = r.json()["detail"]
        assert problem["loc"] == ["query", query.split("=")[0]] and bound in problem["msg"]
    # scope is applied in SQL: a squad leader's first page holds their grid, whatever the order
    squad = c.get("/grids?limit=1", headers=world.h("squad")).json()
    assert [g["code"] for g in squad["items"]] == ["HP-1"] and squad["next_offset"] is None
    assert c.get("/plans?limit=1", headers=world.h("planner_ja")).json()["items"][0][
        "district_code"] == JA


def test_the_next_request_sees_a_deactivation_or_a_new_scope(world: World) -> None:
    c = world.client
    token = c.post("/auth/token", data={"username": "squad",
                                        "password": "correct horse battery"}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    for caller in (bearer, world.h("squad")):
        assert [g["code"] for g in c.get("/grids", headers=caller).json()["items"]] == ["HP-1"]
    with world.db.session() as s:  # another process (the admin CLI) widens the scope
        s.query(User).filter(User.username == "squad").one().scope = {
            "districts": [HP], "grids": ["HP-1", "HP-2"]}
    for caller in (bearer, world.h("squad")):
        assert len(c.get("/grids", headers=caller).json()["items"]) == 2
    with world.db.session() as s:
        s.query(User).filter(User.username == "squad").one().is_active = False
    for caller in (bearer, world.h("squad")):
        assert c.get("/grids", headers=caller).status_code == 401
        assert c.get(f"/grids/{world.grids['HP-1']}", headers=caller).status_code == 401
    assert c.get("/grids", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_the_etag_follows_every_change_of_a_grid(world: World) -> None:
    c, h, gid = world.client, world.h("planner"), world.grids["HP-1"]
    first = c.get(f"/grids/{gid}", headers=h)
    tag = first.headers["ETag"]
    assert c.get(f"/grids/{gid}", headers={**h, "If-None-Match": tag}).status_code == 304
    assert c.get(f"/grids/{gid}", headers={**h, "If-None-Match": f"W/{tag}"}).status_code == 304
    changed = c.patch(f"/grids/{gid}", headers={**h, "If-Match": tag}, json={"name": "新名"})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    again = c.get(f"/grids/{gid}", headers={**h, "If-None-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] == changed.headers["ETag"]
    assert again.json()["name"] == "新名"
    listed = c.get("/grids", headers=h).json()["items"]
    assert next(g for g in listed if g["id"] == gid)["version"] == again.json()["version"]
    stale = c.patch(f"/grids/{gid}", headers={**h, "If-Match": tag}, json={"name": "旧"})
    assert stale.status_code == 409
    outsider = c.get(f"/grids/{gid}", headers={**world.h("planner_ja"), "If-None-Match": tag})
    assert outsider.status_code == 403  # a matching tag never skips the scope check


def test_a_read_is_one_thread_hand_off(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Session, caller check and endpoint in one worker-thread call (FastAPI alone: five)."""
    handed: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        handed.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    plan = world.plans[HP]
    for path in ("/grids", f"/grids/{world.grids['HP-1']}", f"/plans/{plan}/grids.geojson",
                 "/jurisdictions", "/plans"):
        handed.clear()
        assert world.client.get(path, headers=world.h("planner")).status_code == 200
        assert len(handed) == 1, (path, handed)
    handed.clear()
    assert world.client.get("/grids").status_code == 401 and handed == []  # no thread at all


coordinate = st.floats(-179, 179, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(coordinate, st.floats(-80, 80), st.floats(1e-4, 1)), min_size=1,
                max_size=3), st.integers(1, 16))
def test_geojson_positions_equal_shapely_mapping(discs: list, quad_segs: int) -> None:
    shapes = [Point(x, y).buffer(r, quad_segs=quad_segs) for x, y, r in discs]
    for geometry in (*shapes, MultiPolygon(shapes), shapes[0].exterior, shapes[0].centroid,
                     shapes[0].difference(shapes[0].centroid.buffer(shapes[0].length / 100))):
        assert _lists(to_geojson(geometry)) == _lists(mapping(geometry))


def _lists(value: object) -> object:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    return value
