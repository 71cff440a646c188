"""The heavy job kinds: patrol routes of a grid, a grid redesign, incident hotspots.

Each reads its inputs from the database (short transactions), runs the engine of ``gridplan`` in
the network's metric CRS, and returns a JSON-ready result with geometries in WGS-84. Checkpoints
between phases report progress and honour cancellation; the routing search itself is bounded by
``time_limit_s`` (it has no checkpoint of its own).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import geopandas as gpd
import shapely
from pydantic import BaseModel, Field, field_validator
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from api.db.models import Grid, GridPlan, IncidentSet, Jurisdiction, StreetNetworkRecord
from api.jobs import JobContext
from api.schemas.common import RowId
from gridplan.errors import InvalidInputError, Problem
from gridplan.model import Grid as ModelGrid
from gridplan.network import StreetNetwork
from gridplan.progress import report

WGS84 = "EPSG:4326"


class RoutesParams(BaseModel):
    grid_id: RowId
    network_id: RowId
    officers: int | None = Field(default=None, ge=1, le=20,
                                 description="default: the grid's enforcement staff")
    shift: str = Field(default="08:00-12:00", max_length=40,
                       description="HH:MM-HH:MM, Asia/Shanghai; an end before the start runs "
                                   "past midnight")
    day: date | None = Field(default=None, description="decides which low-frequency streets "
                                                       "are due; default today")
    incident_set_id: RowId | None = Field(default=None, description="recent incidents near a "
                                                                   "street raise its priority")
    time_limit_s: float = Field(default=5.0, gt=0, le=120, description="search time (k ≥ 2)")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    lang: Literal["zh", "en"] = "zh"

    @field_validator("shift")
    @classmethod
    def _shift_is_a_span(cls, text: str) -> str:
        from api.cli.routes import parse_span

        try:
            parse_span(text, "shift")
        except InvalidInputError as exc:  # pydantic wants ValueError with the loader's words
            raise ValueError(str(exc.problems[0].expected)) from None
        return text


class RedesignParams(BaseModel):
    district_code: str = Field(min_length=1, max_length=32)
    network_id: RowId
    n_grids: int = Field(ge=1, le=500)
    incident_set_id: RowId | None = Field(default=None, description="adds incident workload")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    n_starts: int = Field(default=2, ge=1, le=16)
    save_as_proposal: str | None = Field(default=None, min_length=1, max_length=200,
                                         description="store the result as a proposal plan")


class HotspotsParams(BaseModel):
    incident_set_id: RowId
    neighbour_distance_m: float = Field(default=250.0, gt=0, le=5000)
    min_incidents: int = Field(default=30, ge=1, le=1_000_000)
    fdr: bool = True


def step(ctx: JobContext, fraction: float, message: str) -> None:
    report(fraction, message, progress=ctx.progress, should_cancel=ctx.should_cancel)


def load_network_of(ctx: JobContext, network_id: int) -> StreetNetwork:
    from geodata.osm import load_network

    with ctx.db.session() as session:
        rec = session.get_one(StreetNetworkRecord, network_id)
        path, mode, status = rec.file_path, rec.mode, rec.status
    if status != "ready":  # only files that passed network_parse's caps are parsed in-process
        raise InvalidInputError("street network not ready", [Problem(
            "network_id", str(network_id), "a network whose upload was parsed (status ready)",
            status, "wait for its network_parse job, or upload the file again")])
    return load_network(path, mode=mode, cache_dir=ctx.settings.effective_cache_dir)


def to_metric(geometry: BaseGeometry, crs: object) -> BaseGeometry:
    return gpd.GeoSeries([geometry], crs=WGS84).to_crs(crs).iloc[0]


def to_wgs84(geometry: BaseGeometry, crs: object) -> dict[str, Any]:
    return dict(mapping(gpd.GeoSeries([geometry], crs=crs).to_crs(WGS84).iloc[0]))


# ------------------------------------------------------------------------------------- routes
def domain_grid(grid: Grid, crs: object) -> ModelGrid:
    """A stored grid as the routing engine's grid, in the network's metric CRS."""
    station = to_metric(grid.station, crs) if grid.station is not None else None
    return ModelGrid(code=grid.code, geometry=to_metric(grid.geometry, crs),
                     parent_code=grid.jurisdiction_code, name=grid.name or "",
                     station=station, staff=dict(grid.staff or {}))


def run_routes(ctx: JobContext, p: RoutesParams) -> dict[str, Any]:
    """Street-by-street patrol routes of one grid for its officers in one shift, by the squad
    leader's engine :func:`gridplan.routing.plan_grid` (the same plans as ``gridplan routes``).

    The result holds the plan's figures (``PatrolPlan.to_dict``), its validity on the network,
    one WGS-84 line per officer (``routes``) and the plan's layers as WGS-84 GeoJSON
    (``layers``), from which the job's maps and exports are drawn."""
    from api.cli.routes import parse_shift
    from api.route_layers import plan_layers, route_lines
    from gridplan.routing import PatrolParams, plan_grid

    with ctx.db.session() as session:
        stored = session.get_one(Grid, p.grid_id)
        officers = p.officers or max(1, int((stored.staff or {}).get("enforcement", 1)))
        incidents_path = (session.get_one(IncidentSet, p.incident_set_id).file_path
                          if p.incident_set_id is not None else None)
        session.expunge(stored)
    shift = parse_shift(p.shift, p.day or date.today())
    step(ctx, 0.05, "loading street network")
    net = load_network_of(ctx, p.network_id)
    incidents = _incidents_in(incidents_path, net.crs)
    step(ctx, 0.3, f"planning {officers} route(s) for {shift.name}")
    plan = plan_grid(net, domain_grid(stored, net.crs), officers=officers, shift=shift,
                     incidents=incidents, params=PatrolParams(seed=p.seed,
                                                              time_limit_s=p.time_limit_s))
    step(ctx, 0.95, "writing routes")
    layers = plan_layers(plan, lang=p.lang)
    return {"grid_id": p.grid_id, "network_id": p.network_id, **plan.to_dict(lang=p.lang),
            "valid": plan.is_valid(net.graph), "routes": route_lines(layers),
            "layers": layers}


def _incidents_in(path: str | None, crs: object) -> gpd.GeoDataFrame | None:
    from api.incident_store import read_normalised

    return read_normalised(path).to_crs(crs) if path else None


# ----------------------------------------------------------------------------------- redesign
def _district_area(session: Any, code: str) -> BaseGeometry:
    found = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if found is None:
        raise InvalidInputError("unknown district", [Problem(
            "redesign", "district_code", "an existing district", code, "see GET /jurisdictions")])
    return found.geometry


def redesign_units(ctx: JobContext, net: StreetNetwork, district: BaseGeometry, code: str,
                   incidents: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Street blocks of the district where the network has streets, with workload hours."""
    from gridplan.grids import add_workload, attach_incidents, attach_streets, street_blocks

    district_m = to_metric(district, net.crs)
    streets = shapely.union_all([d["geometry"] for *_, d in net.graph.edges(data=True)
                                 if d.get("geometry") is not None])
    study = district_m.intersection(streets.convex_hull)  # no streets, no blocks, no grid
    if study.is_empty:
        raise InvalidInputError("network does not cover the district", [Problem(
            "redesign", "network_id", f"a network with streets in district {code}", "none",
            "upload an OSM extract covering the district")])
    jurisdictions = gpd.GeoDataFrame({"code": [code]}, geometry=[study], crs=net.crs)
    step(ctx, 0.15, "cutting street blocks")
    units = attach_streets(street_blocks(net, jurisdictions), net)
    if incidents is not None and len(incidents):
        step(ctx, 0.3, "adding incident workload")
        metric = incidents.to_crs(net.crs)
        as_of: datetime = metric["time"].max().to_pydatetime()
        units = attach_incidents(units, metric, as_of=as_of)
    return add_workload(units)


def run_redesign(ctx: JobContext, p: RedesignParams) -> dict[str, Any]:
    """Redraw a district's grids: street blocks weighted by patrol, inspection and incident
    workload, partitioned into ``n_grids`` contiguous, compact, balanced grids (seeded)."""
    from api.incident_store import read_normalised
    from gridplan.grids import assign_codes, partition_units, unit_adjacency
    from gridplan.grids.core import PartitionParams

    with ctx.db.session() as session:
        district = _district_area(session, p.district_code)
        incidents_path = (session.get_one(IncidentSet, p.incident_set_id).file_path
                          if p.incident_set_id is not None else None)
    step(ctx, 0.02, "loading street network")
    net = load_network_of(ctx, p.network_id)
    incidents = read_normalised(incidents_path) if incidents_path else None
    units = redesign_units(ctx, net, district, p.district_code, incidents)
    step(ctx, 0.4, f"partitioning {len(units)} blocks into {p.n_grids} grids")
    plan = partition_units(units, unit_adjacency(units), n_grids=p.n_grids, seed=p.seed,
                           params=PartitionParams(n_starts=p.n_starts))
    plan = assign_codes(plan)
    step(ctx, 0.9, "writing grids")
    grids = plan.grids.to_crs(WGS84)
    features = [{"type": "Feature", "geometry": dict(mapping(row.geometry)),
                 "properties": {"code": row.code, "workload_h": round(row.workload_h, 2),
                                "area_m2": round(row.area_m2, 1), "n_units": int(row.n_units),
                                "polsby_popper": round(row.polsby_popper, 4)}}
                for row in grids.itertuples()]
    out: dict[str, Any] = {"district_code": p.district_code, "summary": plan.summary(),
                           "grids": {"type": "FeatureCollection", "features": features}}
    if p.save_as_proposal:
        out["plan_id"] = save_proposal(ctx, p, features)
    return out


def save_proposal(ctx: JobContext, p: RedesignParams, features: list[dict[str, Any]]) -> int:
    """Store the redesign as a proposal plan (one transaction, audited as the job's owner)."""
    from shapely.geometry import shape

    from api.audit import grid_snapshot, record
    from api.db.models import utcnow

    with ctx.db.session() as session:
        plan = GridPlan(name=str(p.save_as_proposal), district_code=p.district_code,
                        status="proposal", created_by=ctx.owner.username,
                        notes=f"redesign job {ctx.job_id} (seed {p.seed})")
        session.add(plan)
        session.flush()
        record(session, ctx.owner, "create", "plan", plan.id, None,
               {"name": plan.name, "district_code": plan.district_code, "status": "proposal"})
        for f in features:
            grid = Grid(plan_id=plan.id, code=f["properties"]["code"], name="",
                        jurisdiction_code=p.district_code, district_code=p.district_code,
                        geometry=shape(f["geometry"]), station=None, staff={},
                        updated_by=ctx.owner.username, updated_at=utcnow())
            session.add(grid)
            session.flush()
            record(session, ctx.owner, "create", "grid", grid.id, None, grid_snapshot(grid))
        return plan.id


# ----------------------------------------------------------------------------------- hotspots
def run_hotspots(ctx: JobContext, p: HotspotsParams) -> dict[str, Any]:
    """Getis–Ord Gi* hotspots of an incident set in its district (FDR-corrected classes, trend
    and weekly peak per hotspot). Geometries in WGS-84."""
    from api.incident_store import read_normalised
    from gridplan.hotspots import HotspotParams, analyse_hotspots

    with ctx.db.session() as session:
        found = session.get_one(IncidentSet, p.incident_set_id)
        path, district = found.file_path, found.district_code
        area = _district_area(session, district)
    step(ctx, 0.05, "reading incidents")
    incidents = read_normalised(path)
    crs = _utm_of(area)
    jurisdictions = gpd.GeoDataFrame({"code": [district]}, geometry=[area], crs=WGS84).to_crs(crs)
    step(ctx, 0.2, f"Gi* over {len(incidents)} incidents")
    params = HotspotParams(neighbour_distance_m=p.neighbour_distance_m,
                           min_incidents=p.min_incidents, fdr=p.fdr)
    result = analyse_hotspots(incidents.to_crs(crs), jurisdictions, params=params)
    result.raise_if_insufficient()
    step(ctx, 0.9, "writing hotspots")
    hotspots = [{"id": h.id, "incidents": h.incident_count, "max_z": round(h.max_z, 3),
                 "gi_bin": h.gi_bin, "trend": str(h.trend),
                 "peak_hours": [h.peak.start_hour, h.peak.end_hour],
                 "units": len(h.unit_ids), "geometry": to_wgs84(h.geometry, crs)}
                for h in result.hotspots]
    return {"incident_set_id": p.incident_set_id, "district_code": district,
            "summary": result.summary(), "valid": result.is_valid(), "hotspots": hotspots}


def _utm_of(area: BaseGeometry) -> str:
    centre = area.centroid
    zone = int((centre.x + 180) // 6) + 1
    return f"EPSG:{32600 + zone if centre.y >= 0 else 32700 + zone}"
