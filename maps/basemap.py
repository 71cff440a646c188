"""Base maps: tile providers, the plain offline background, and the GCJ-02 data shift.

Providers:

- ``"osm"`` (default) — OpenStreetMap standard tiles, WGS-84.
- ``"none"`` — no tiles at all, for offline government networks: a light paper-coloured
  background; pass the street network as ``streets=`` to the map functions for context.
- ``"amap"``, ``"tencent"`` — Chinese providers whose tiles are drawn in GCJ-02 and so sit
  100–700 m off WGS-84 data. Every geometry is shifted WGS-84 → GCJ-02 (:func:`to_tile_coords`)
  before drawing, so features land on the right tile streets. Files (GPX, GeoJSON…) never shift:
  they stay WGS-84.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import shapely
from branca.element import Element

from geodata.coords import from_wgs84
from gridplan.errors import InvalidInputError, Problem
from maps.elements import Attribution

OSM_ATTRIBUTION = ('© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                   'contributors')
BACKGROUND = "#f4f2ec"  # light paper tone for tiles="none": outlines and fills stay legible


@dataclass(frozen=True)
class TileProvider:
    key: str
    url: str | None  # None: no tile layer
    attribution: str
    coords: str  # datum the tiles are drawn in: "wgs84" or "gcj02"
    subdomains: str = "abc"
    max_zoom: int = 19


PROVIDERS: dict[str, TileProvider] = {p.key: p for p in (
    TileProvider("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM_ATTRIBUTION, "wgs84"),
    TileProvider("none", None, OSM_ATTRIBUTION, "wgs84"),
    TileProvider("amap", "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                 "&style=8&x={x}&y={y}&z={z}", "© 高德地图 AutoNavi; data " + OSM_ATTRIBUTION,
                 "gcj02", subdomains="1234", max_zoom=18),
    TileProvider("tencent", "https://rt{s}.map.gtimg.com/realtimerender?z={z}&x={x}&y={-y}"
                 "&type=vector&style=0", "© 腾讯地图 Tencent; data " + OSM_ATTRIBUTION, "gcj02",
                 subdomains="0123", max_zoom=18),
)}


def provider(tiles: str) -> TileProvider:
    if tiles not in PROVIDERS:
        raise InvalidInputError(f"unknown tile provider {tiles!r}", [Problem(
            "tiles", "", expected=" / ".join(PROVIDERS), found=repr(tiles),
            fix="use 'osm' (default), 'none' for offline networks, or 'amap' / 'tencent'")])
    return PROVIDERS[tiles]


def to_tile_coords(frame: gpd.GeoDataFrame | None, tiles: TileProvider) -> gpd.GeoDataFrame | None:
    """``frame`` (WGS-84) shifted to the datum of the tiles (a copy; unchanged for WGS-84 tiles)."""
    if frame is None or tiles.coords == "wgs84":
        return frame

    def shift(xy):
        lon, lat = from_wgs84(xy[:, 0], xy[:, 1], coords=tiles.coords)
        xy = xy.copy()
        xy[:, 0], xy[:, 1] = lon, lat
        return xy

    out = frame.copy()
    out["geometry"] = shapely.transform(frame.geometry.to_numpy(), shift)
    return out


def shift_point(lon: float, lat: float, tiles: TileProvider) -> tuple[float, float]:
    glon, glat = from_wgs84(lon, lat, coords=tiles.coords)
    return float(glon), float(glat)


def base_map(bounds: tuple[float, float, float, float], tiles: TileProvider, *,
             extra_attribution: str = "") -> folium.Map:
    """A map fitted to ``bounds`` (minx, miny, maxx, maxy in the tiles' datum), with a scale bar.

    ``tiles.url is None`` gives no tile layer and a light background colour.
    """
    attribution = tiles.attribution + (f"; {extra_attribution}" if extra_attribution else "")
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    if tiles.url is not None:
        folium.TileLayer(tiles=tiles.url, attr=attribution, name=tiles.key,
                         subdomains=tiles.subdomains, max_zoom=tiles.max_zoom,
                         control=False).add_to(fmap)
    else:
        # No tile layer carries the attribution: put it on the map's own attribution control.
        fmap.get_root().header.add_child(Element(
            f"<style>#{fmap.get_name()} {{ background: {BACKGROUND}; }}</style>"))
        fmap.add_child(Attribution(attribution))
    minx, miny, maxx, maxy = bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding=(12, 12))
    return fmap
