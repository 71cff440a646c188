"""geodata — reading and writing the world for gridplan: OSM files, jurisdictions, grids,
incidents, key points, tracks, coordinate systems (WGS-84, GCJ-02, BD-09, CGCS2000), the
bundled sample. Every loader reports every problem of a file at once.

    import geodata
    net = geodata.load_network("city.osm.pbf")                    # metric CRS, cached
    districts = geodata.load_jurisdictions("districts.geojson").frame
    incidents = geodata.load_incidents("reports.csv", lon_col="lon", lat_col="lat",
                                       coords="gcj02", tz="Asia/Shanghai")

Names are loaded on first use, so ``import geodata`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "load_network": "geodata.osm",
    "download_network": "geodata.osm",
    "network_summary": "geodata.osm",
    "load_jurisdictions": "geodata.jurisdictions",
    "load_grids": "geodata.grids",
    "load_incidents": "geodata.incidents",
    "read_key_points": "geodata.key_points",
    "load_tracks": "geodata.tracks",
    "load_hotspot_inputs": "geodata.hotspots",
    "load_redesign_inputs": "geodata.grid_plans",
    "to_wgs84": "geodata.coords",
    "from_wgs84": "geodata.coords",
    "sample": "geodata.sample",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geodata' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if module.endswith("." + name) else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
