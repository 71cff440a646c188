"""Coverage map: a grid's streets coloured walked / partly walked / missed, officers' GPS tracks,
key points reached or not. Offline like the other maps (Leaflet inlined by ``save_map``).

Inputs (any CRS): ``streets`` with ``name``, ``grade``, ``passes``, ``walked_m``, ``length_m``
(as :attr:`gridplan.coverage.CoverageReport.streets`); ``tracks`` lines with ``officer``;
optional ``key_points`` points with ``id``, ``name``, ``ok``.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from gridplan.coverage.report import walk_status
from maps.basemap import base_map, provider
from maps.common import for_drawing, total_bounds
from maps.elements import add_css, add_legend, add_title, esc, swatch, tooltip_html
from maps.layers import WGS84
from maps.routes import officer_colors

WALKED, PARTLY, MISSED = "#1a9850", "#fdae61", "#d73027"
_TEXT = {
    "zh": {"title": "巡查覆盖", "walked": "已巡查", "partly": "部分巡查", "missed": "未巡查",
           "tracks": "轨迹", "key_points": "重点点位", "reached": "已到达", "not_reached": "未到达",
           "legend": "图例", "passes": "趟数", "walked_m": "已走 (m)", "street": "道路",
           "simulated": "模拟轨迹", "unnamed": "(无名路)"},
    "en": {"title": "Patrol coverage", "walked": "walked", "partly": "partly walked",
           "missed": "missed", "tracks": "tracks", "key_points": "key points",
           "reached": "reached", "not_reached": "not reached", "legend": "Legend",
           "passes": "passes", "walked_m": "walked (m)", "street": "street",
           "simulated": "SIMULATED tracks", "unnamed": "(unnamed)"},
}


def coverage_map(streets: gpd.GeoDataFrame, tracks: gpd.GeoDataFrame, *,
                 key_points: gpd.GeoDataFrame | None = None, tiles: str = "none",
                 lang: str = "zh", title: str | None = None, subtitle: str = "",
                 simulated: bool = False) -> folium.Map:
    """The map described in the module docstring."""
    text = _TEXT[lang]
    tile = provider(tiles)
    streets_d, tracks_d = (for_drawing(f.to_crs(WGS84), tile) for f in (streets, tracks))
    kps_d = (for_drawing(key_points.to_crs(WGS84), tile)
             if key_points is not None and len(key_points) else None)
    fmap = base_map(total_bounds(streets_d, tracks_d), tile)
    add_css(fmap)
    for status, color in (("missed", MISSED), ("partly", PARTLY), ("walked", WALKED)):
        _add_streets(fmap, streets_d[_status(streets_d) == status], color, text[status], text)
    colors = officer_colors(sorted(tracks_d["officer"].astype(str).unique()))
    group = folium.FeatureGroup(name=text["tracks"])
    for _, row in tracks_d.iterrows():
        if row.geometry.geom_type == "LineString":
            folium.PolyLine([(y, x) for x, y in row.geometry.coords], color=colors[
                str(row["officer"])], weight=2, opacity=0.8, dash_array="2 4",
                tooltip=esc(row["officer"])).add_to(group)
    group.add_to(fmap)
    if kps_d is not None:
        _add_key_points(fmap, kps_d, text)
    label = f"{text['simulated']} · " if simulated else ""
    add_title(fmap, title or text["title"], label + subtitle)
    rows = [(swatch(WALKED, kind="ln"), text["walked"]), (swatch(PARTLY, kind="ln"),
                                                          text["partly"]),
            (swatch(MISSED, kind="ln"), text["missed"])]
    rows += [(swatch(c, kind="ln", style="border-top-style:dashed"), f"{text['tracks']} {o}")
             for o, c in colors.items()]
    if kps_d is not None:
        rows += [(swatch(WALKED, kind="dot"), f"{text['key_points']}: {text['reached']}"),
                 (swatch(MISSED, kind="dot"), f"{text['key_points']}: {text['not_reached']}")]
    add_legend(fmap, text["legend"], rows)
    folium.LayerControl(collapsed=True, position="bottomright").add_to(fmap)
    return fmap


def _status(streets: gpd.GeoDataFrame):
    return streets["status"] if "status" in streets else walk_status(streets)


def _add_streets(fmap, streets: gpd.GeoDataFrame, color: str, name: str, text) -> None:
    group = folium.FeatureGroup(name=name)
    for _, row in streets.iterrows():
        tip = tooltip_html([(text["street"], row["name"] or text["unnamed"]),
                            (text["passes"], int(row["passes"])),
                            (text["walked_m"], f"{row['walked_m']:.0f} / {row['length_m']:.0f}")])
        for part in getattr(row.geometry, "geoms", [row.geometry]):
            folium.PolyLine([(y, x) for x, y in part.coords], color=color, weight=5,
                            opacity=0.9, tooltip=tip).add_to(group)
    group.add_to(fmap)


def _add_key_points(fmap, key_points: gpd.GeoDataFrame, text) -> None:
    group = folium.FeatureGroup(name=text["key_points"])
    for _, row in key_points.iterrows():
        ok = bool(row["ok"])
        tip = tooltip_html([(text["key_points"], row["name"] or row["id"]),
                            ("", text["reached"] if ok else text["not_reached"])])
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=7, color="#ffffff",
                            weight=2, fill=True, fill_color=WALKED if ok else MISSED,
                            fill_opacity=1.0, tooltip=tip).add_to(group)
    group.add_to(fmap)
