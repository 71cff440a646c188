"""A grid layout uploaded from the data screen becomes one proposal plan, all or nothing.

The file is read by :func:`geodata.grids.load_grids` (codes, polygons, staff), every grid must
nest in a jurisdiction of the uploader's district (:func:`geodata.grids.nesting_problems`), and
every problem is reported at once; only a clean layout is stored, in one transaction with its
audit entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import grid_snapshot, record
from api.auth import Principal
from api.db.models import Grid, GridPlan, Jurisdiction, utcnow
from api.policy import district_of
from gridplan.errors import InvalidInputError, Problem

WGS84 = "EPSG:4326"


def _jurisdictions_of(session: Session, district: str) -> gpd.GeoDataFrame:
    rows = [{"code": j.code, "geometry": j.geometry}
            for j in session.scalars(select(Jurisdiction))
            if district_of(session, j.code) == district]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)


def _station(row: Any) -> Point | None:
    lon, lat = row.get("station_lon"), row.get("station_lat")
    if lon is None or lat is None or lon != lon or lat != lat:  # missing or NaN
        return None
    return Point(float(lon), float(lat))


def store_grid_layout(session: Session, principal: Principal, path: Path, *, district: str,
                      name: str, source: str) -> GridPlan:
    """Load ``path`` and store it as a proposal plan of ``district`` (or raise with every
    problem)."""
    from geodata.grids import STAFF_ROLES, load_grids

    places = _jurisdictions_of(session, district)
    loaded = load_grids(path, jurisdictions=places,
                        metric_crs=places.estimate_utm_crs().to_string())
    if loaded.warnings:  # a grid outside the district is an error here, not a warning
        raise InvalidInputError(f"{source}: grids outside district {district}", [
            Problem(source, p.where, p.expected, p.found, p.fix) for p in loaded.warnings])
    plan = GridPlan(name=name, district_code=district, status="proposal",
                    created_by=principal.username, notes=f"uploaded from {source}")
    session.add(plan)
    session.flush()
    record(session, principal, "create", "plan", plan.id, None,
           {"name": name, "district_code": district, "status": "proposal"})
    for row in loaded.frame.to_dict("records"):
        grid = Grid(plan_id=plan.id, code=row["code"], name=str(row.get("name") or ""),
                    jurisdiction_code=row["parent_code"], district_code=district,
                    geometry=row["geometry"], station=_station(row),
                    staff={r: int(row.get(r, 0)) for r in STAFF_ROLES},
                    updated_by=principal.username, updated_at=utcnow())
        session.add(grid)
        session.flush()
        record(session, principal, "create", "grid", grid.id, None, grid_snapshot(grid))
    session.commit()
    return plan
