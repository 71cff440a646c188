"""Maps and files: folium HTML maps, the printable meeting sheet, GPX/KML/GeoJSON/GPKG/CSV.

Inputs are plain GeoDataFrames with the columns documented in :mod:`maps.layers` (any CRS).
"""

from maps.boundary_map import boundary_map
from maps.common import network_streets, save_map, streets_near
from maps.export import (
    gpx_document,
    officers_layer,
    write_geojson,
    write_gpkg,
    write_gpx,
    write_kml,
    write_turn_csv,
)
from maps.grid_map import grid_map
from maps.layers import SCHEMAS, validate_layer
from maps.route_map import route_map
from maps.routes import officer_summaries, routes_frame, turn_list

__all__ = [
    "SCHEMAS", "boundary_map", "gpx_document", "grid_map", "network_streets", "officer_summaries",
    "officers_layer", "route_map", "routes_frame", "save_map", "streets_near", "turn_list",
    "validate_layer", "write_geojson", "write_gpkg", "write_gpx", "write_kml", "write_turn_csv",
]
