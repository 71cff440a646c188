"""The sample data ``gridplan serve`` starts with, from the bundled :mod:`geodata.sample`.

Huangpu (310101) and Jing'an (310106), the ILLUSTRATIVE current grid layout of each, the central
Shanghai walk network (© OpenStreetMap contributors, ODbL) and SYNTHETIC incidents per district.
Everything comes from files inside the package; nothing is read from outside it at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Point

from api.db.models import Grid, GridPlan, IncidentSet, Jurisdiction, StreetNetworkRecord, utcnow
from api.incident_store import summary_of, write_normalised
from geodata import sample
from geodata.grids import STAFF_ROLES
from geodata.osm import network_summary

SEEDER = "sample"  # the created_by / updated_by of everything loaded here


@dataclass
class SampleRows:
    """Rows to insert, built before any write so the load is one short transaction."""

    jurisdictions: list[Jurisdiction] = field(default_factory=list)
    plans: list[tuple[GridPlan, list[Grid]]] = field(default_factory=list)
    networks: list[StreetNetworkRecord] = field(default_factory=list)
    incident_sets: list[IncidentSet] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"jurisdictions": len(self.jurisdictions), "plans": len(self.plans),
                "grids": sum(len(g) for _, g in self.plans), "networks": len(self.networks),
                "incident_sets": len(self.incident_sets)}


def sample_jurisdictions() -> list[Jurisdiction]:
    frame = sample.jurisdictions().to_crs("EPSG:4326")
    codes = set(frame["code"].astype(str))
    # The city (310100) is not in the sample: a parent outside it would break the foreign key.
    return [Jurisdiction(code=str(r.code), name=str(r.name), level=int(r.level),
                         parent_code=str(r.parent_code) if str(r.parent_code) in codes else None,
                         geometry=r.geometry) for r in frame.itertuples()]


def _station(row: Any) -> Point | None:
    lon, lat = getattr(row, "station_lon", None), getattr(row, "station_lat", None)
    if lon is None or lat is None or lon != lon or lat != lat:  # NaN check without numpy
        return None
    return Point(float(lon), float(lat))


def sample_plans(district_codes: list[str]) -> list[tuple[GridPlan, list[Grid]]]:
    """One current plan per district holding its illustrative grids."""
    frame = sample.grids()
    out = []
    for district in district_codes:
        plan = GridPlan(name=f"{district} illustrative layout", district_code=district,
                        status="current", created_by=SEEDER,
                        notes="ILLUSTRATIVE grids of the bundled sample, not a real layout")
        rows = frame[frame["parent_code"] == district]
        grids = [Grid(code=str(r.code), name=str(r.name), jurisdiction_code=district,
                      district_code=district, geometry=r.geometry, station=_station(r),
                      staff={role: int(getattr(r, role)) for role in STAFF_ROLES},
                      updated_by=SEEDER, updated_at=utcnow()) for r in rows.itertuples()]
        out.append((plan, grids))
    return out


def build_sample(*, cache_dir: Path, uploads_dir: Path) -> SampleRows:
    """Every row of the sample; writes the synthetic incident files into ``uploads_dir``."""
    rows = SampleRows(jurisdictions=sample_jurisdictions())
    districts = [j.code for j in rows.jurisdictions]
    rows.plans = sample_plans(districts)
    net = sample.network("walk", cache_dir=cache_dir)
    rows.networks.append(StreetNetworkRecord(
        name="central Shanghai (sample, © OpenStreetMap contributors, ODbL)", mode="walk",
        jurisdiction_code=None, file_path=str(sample.OSM_FILE), file_sha256="sample",
        size_bytes=sample.OSM_FILE.stat().st_size, created_by=SEEDER,
        summary={**network_summary(net), "source": sample.OSM_FILE.name}))
    incidents = sample.incidents(net=net)
    by_district = gpd.sjoin(incidents, sample.jurisdictions()[["code", "geometry"]],
                            predicate="within", how="inner")
    for district in districts:
        part = incidents.loc[by_district.index[by_district["code"] == district]]
        path = write_normalised(part, uploads_dir / f"sample-incidents-{district}.csv")
        rows.incident_sets.append(IncidentSet(
            name=f"{district} synthetic incidents (seed {sample.INCIDENT_SEED})",
            district_code=district, file_path=str(path), file_sha256="sample",
            size_bytes=path.stat().st_size, summary=summary_of(part, synthetic=True),
            synthetic=True, created_by=SEEDER))
    return rows
