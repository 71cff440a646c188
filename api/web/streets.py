"""Street lines as WGS-84 GeoJSON, clipped to an area the caller may see: the vector base map of
every screen (no tiles needed on an offline intranet).

Each stored network is loaded once per process (the loader's own GeoPackage cache makes that
fast) and kept as a WGS-84 frame with a spatial index; a request clips it to one area.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from typing import Any

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
_lock = threading.Lock()


@lru_cache(maxsize=4)
def _streets(path: str, mode: str, cache_dir: str) -> gpd.GeoDataFrame:
    from geodata.osm import load_network
    from maps.common import network_streets

    net = load_network(path, mode=mode, cache_dir=cache_dir)  # type: ignore[arg-type]
    frame = network_streets(net).to_crs(WGS84)
    frame["grade"] = frame["grade"].fillna(4).astype(int)
    frame.sindex  # noqa: B018 - build the index once, before requests share the frame
    return frame


def streets_in(path: str, mode: str, cache_dir: str, area: BaseGeometry, *,
               precision: int = 6) -> dict[str, Any]:
    """The network's streets inside ``area`` (WGS-84), cut at its edge, as a FeatureCollection
    with ``name`` and ``grade``."""
    with _lock:  # one load at a time; later calls hit the cache
        frame = _streets(path, mode, cache_dir)
    hits = frame.iloc[frame.sindex.query(area, predicate="intersects")]
    clipped = hits.set_geometry(hits.geometry.intersection(area).set_precision(10 ** -precision))
    clipped = clipped[~clipped.geometry.is_empty]
    return json.loads(clipped[["name", "grade", "geometry"]].to_json(drop_id=True, na="null"))
