"""A grid's answers — its ``GridPublic`` JSON, its GeoJSON Feature — rendered once per row
version and kept in the process's :class:`~api.read_cache.FragmentCache` (why, and why that is
never stale: see that module).

Reads select only a grid's key columns (:data:`KEY_COLUMNS`: identity, version and what the
scope rule needs), then :func:`rendered` returns the kept bytes of each row, loading and
rendering just the rows not kept yet. The bytes are exactly what the response model would
have serialised (pydantic renders them; ``tests/api/test_read_cache.py`` compares).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Row, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.db.models import Grid
from api.geo import to_geojson
from api.read_cache import FragmentCache
from api.schemas.grid import GridPublic

# What a read needs of a grid before deciding whether its kept bytes serve: the key of
# FragmentCache (id, version, updated_at) and the columns can_read_grid looks at.
KEY_COLUMNS = (Grid.id, Grid.version, Grid.updated_at, Grid.code, Grid.district_code)

GRID_JSON = TypeAdapter(GridPublic)
FEATURE_JSON = TypeAdapter(dict[str, Any])  # the plan GeoJSON's response model


def public(grid: Grid) -> GridPublic:
    return GridPublic(id=grid.id, plan_id=grid.plan_id, code=grid.code, name=grid.name,
                      jurisdiction_code=grid.jurisdiction_code, district_code=grid.district_code,
                      geometry=to_geojson(grid.geometry) or {}, station=to_geojson(grid.station),
                      staff=dict(grid.staff or {}), version=grid.version,
                      updated_by=grid.updated_by, updated_at=grid.updated_at)


def feature(grid: Grid) -> dict[str, Any]:
    """The grid as a GeoJSON Feature of its plan's FeatureCollection."""
    return {"type": "Feature", "id": grid.id, "geometry": to_geojson(grid.geometry),
            "properties": {"code": grid.code, "name": grid.name, "plan_id": grid.plan_id,
                           "jurisdiction_code": grid.jurisdiction_code, "staff": grid.staff,
                           "version": grid.version}}


def grid_json(grid: Grid) -> bytes:
    return GRID_JSON.dump_json(public(grid))


def feature_json(grid: Grid) -> bytes:
    return FEATURE_JSON.dump_json(feature(grid))


def key_of(render: Callable[[Grid], bytes], grid: Grid | Row[Any]) -> tuple[Any, ...]:
    """Where ``render``'s bytes of this version of the grid are kept."""
    return render, grid.id, grid.version, grid.updated_at


def rendered(session: Session, cache: FragmentCache, rows: Sequence[Row[Any]],
             render: Callable[[Grid], bytes]) -> list[bytes]:
    """``render`` of each grid ``rows`` name (key columns), in their order: kept bytes where
    the row's version is kept, else one query loads the others and their bytes are kept.
    A grid deleted since ``rows`` were read is left out; one changed since is rendered as it
    is now (under its new version's key)."""
    found = {row.id: cache.get(key_of(render, row)) for row in rows}
    missing = [grid_id for grid_id, body in found.items() if body is None]
    if missing:
        for grid in session.scalars(select(Grid).where(Grid.id.in_(missing))):
            found[grid.id] = cache.put(key_of(render, grid), render(grid))
    return [body for body in found.values() if body is not None]


def feature_collection_json(features: list[bytes]) -> bytes:
    return b'{"type":"FeatureCollection","features":[%s]}' % b",".join(features)


def json_response(body: bytes, *, headers: dict[str, str] | None = None) -> Response:
    """Rendered JSON as the answer (what FastAPI's JSONResponse would send for it)."""
    return Response(body, media_type="application/json", headers=headers)
