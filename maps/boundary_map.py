"""Boundary map for joint-enforcement meetings (联合执法): two jurisdictions, their shared zone,
Gi* hotspots, joint routes and meeting points, with title, date, parties and legend."""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import pandas as pd

from maps.basemap import base_map, provider
from maps.common import (
    add_streets,
    for_drawing,
    properties_only,
    streets_frame,
    total_bounds,
)
from maps.elements import add_css, add_legend, add_title, esc, swatch, tooltip_html
from maps.labels import GI_CLASS_KEYS, labels
from maps.layers import optional_layer, validate_layer
from maps.routes import draw_routes, prepare_routes

JURISDICTION_COLORS = ("#6a3d9a", "#b15928", "#1f78b4", "#33a02c")
ZONE_COLOR = "#1f78b4"
GI_COLORS: dict[int, str] = {  # diverging red–blue, as in ArcGIS / esda hot-spot maps
    3: "#d7191c", 2: "#fc8d59", 1: "#fee090", 0: "#f7f7f7",
    -1: "#e0f3f8", -2: "#91bfdb", -3: "#4575b4",
}
MEETING_COLOR = "#ffd400"


def parties_of(jurisdictions: gpd.GeoDataFrame, parties: tuple[str, str] | None
               ) -> tuple[str, str]:
    if parties is not None:
        return parties
    names = list(jurisdictions["name"])
    return (names[0], names[1]) if len(names) >= 2 else (names[0], names[0])


def meeting_subtitle(date: dt.date | str, parties: tuple[str, str], text: dict[str, str]) -> str:
    day = date.isoformat() if isinstance(date, dt.date) else str(date)
    return f"{parties[0]} {text['and']} {parties[1]} · {text['date']} {day}"


def _add_jurisdictions(fmap, jurisdictions, tiles, text) -> dict[str, str]:
    colors = {code: JURISDICTION_COLORS[i % len(JURISDICTION_COLORS)]
              for i, code in enumerate(jurisdictions["code"])}
    drawn = properties_only(for_drawing(jurisdictions, tiles), ["code", "name"])
    folium.GeoJson(drawn, name=text["jurisdictions"],
                   style_function=lambda f: {"color": colors[f["properties"]["code"]],
                                             "weight": 4, "fill": True, "fillOpacity": 0.04},
                   tooltip=folium.GeoJsonTooltip(["code", "name"],
                                                 aliases=[text["code"], text["name"]]),
                   ).add_to(fmap)
    return colors


def _add_grids(fmap, grids, tiles, text) -> None:
    drawn = properties_only(for_drawing(grids, tiles), ["code", "name"])
    folium.GeoJson(drawn, name=text["grids"],
                   style_function=lambda _: {"color": "#555", "weight": 1, "fillOpacity": 0,
                                             "dashArray": "3 3"},
                   tooltip=folium.GeoJsonTooltip(["code", "name"],
                                                 aliases=[text["code"], text["name"]]),
                   ).add_to(fmap)


def _add_zones(fmap, zones, tiles, text) -> None:
    drawn = properties_only(for_drawing(zones, tiles), ["side", "code"])
    folium.GeoJson(drawn, name=text["boundary_zone"],
                   style_function=lambda _: {"color": ZONE_COLOR, "weight": 1,
                                             "fillColor": ZONE_COLOR, "fillOpacity": 0.22},
                   tooltip=folium.GeoJsonTooltip(["code", "side"],
                                                 aliases=[text["boundary_zone"], text["side"]]),
                   ).add_to(fmap)


def _add_hotspots(fmap, hotspots, tiles, text) -> None:
    shown = hotspots[hotspots["gi_bin"] != 0].copy()
    shown["class"] = shown["gi_bin"].map(lambda b: text[GI_CLASS_KEYS[int(b)]])
    shown["z"] = shown["gi_z"].map(lambda z: f"{z:.2f}")
    shown["p"] = shown["gi_p"].map(lambda p: f"{p:.4f}")
    shown["fill"] = shown["gi_bin"].map(lambda b: GI_COLORS[int(b)])
    drawn = properties_only(for_drawing(shown, tiles), ["class", "count", "z", "p", "fill"])
    folium.GeoJson(drawn, name=text["hotspots"],
                   style_function=lambda f: {"color": "#444", "weight": 0.5,
                                             "fillColor": f["properties"]["fill"],
                                             "fillOpacity": 0.8},
                   tooltip=folium.GeoJsonTooltip(["class", "count", "z", "p"], aliases=[
                       text["hotspots"], text["incidents"], "Gi* z", "p"]),
                   ).add_to(fmap)


def _add_meeting_points(fmap, points, tiles, text) -> None:
    group = folium.FeatureGroup(name=text["meeting_points"])
    for _, row in for_drawing(points, tiles).iterrows():
        folium.Marker([row.geometry.y, row.geometry.x],
                      tooltip=folium.Tooltip(tooltip_html([(text["meeting_points"],
                                                            row["label"])])),
                      icon=folium.DivIcon(html='<div class="gridplan-star">★</div>',
                                          icon_size=(26, 26), icon_anchor=(13, 13),
                                          class_name="gridplan-meeting")).add_to(group)
        folium.Marker([row.geometry.y, row.geometry.x], icon=folium.DivIcon(
            html=f'<div class="gridplan-label">{esc(row["label"])}</div>', icon_size=(140, 14),
            icon_anchor=(-14, 7), class_name="gridplan-meeting-label")).add_to(group)
    group.add_to(fmap)


def boundary_map(jurisdictions: gpd.GeoDataFrame, *, date: dt.date | str,
                 parties: tuple[str, str] | None = None,
                 grids: gpd.GeoDataFrame | None = None, zones: gpd.GeoDataFrame | None = None,
                 hotspots: gpd.GeoDataFrame | None = None,
                 joint_routes: gpd.GeoDataFrame | None = None,
                 meeting_points: gpd.GeoDataFrame | None = None,
                 streets, tiles: str = "osm", lang: str = "zh",
                 title: str | None = None, view: str = "zone") -> folium.Map:
    """The map a joint-enforcement meeting looks at; layers follow :mod:`maps.layers`.

    ``date`` and ``parties`` (default: the first two jurisdiction names) go into the title.
    Hotspots are coloured by Gi* class (hot 99/95/90 %, cold 90/95/99 %); class 0 is not drawn.
    ``view="zone"`` (default) opens on the boundary zone, joint routes and meeting points;
    ``view="all"`` on both jurisdictions whole.
    """
    text = labels(lang)
    tile = provider(tiles)
    jurisdictions = validate_layer(jurisdictions, "jurisdictions")
    grids = optional_layer(grids, "grids", source="grids")
    zones = optional_layer(zones, "zones", source="boundary zones")
    hotspots = optional_layer(hotspots, "hotspots", source="hotspots")
    meeting_points = optional_layer(meeting_points, "meeting_points", source="meeting points")
    routes = officers = None
    if joint_routes is not None and len(joint_routes):
        routes, officers = prepare_routes(joint_routes, None, text, source="joint routes")
    # the meeting is about the zone: open on it (hotspot cells may cover the whole area)
    focus = [zones, routes, meeting_points] if view == "zone" else [jurisdictions]
    if all(f is None for f in focus):
        focus = [jurisdictions]
    fmap = base_map(total_bounds(*(for_drawing(f, tile) for f in focus)), tile)
    add_css(fmap)
    add_streets(fmap, streets_frame(streets), tile, text["streets"])
    colors = _add_jurisdictions(fmap, jurisdictions, tile, text)
    if grids is not None:
        _add_grids(fmap, grids, tile, text)
    if zones is not None:
        _add_zones(fmap, zones, tile, text)
    if hotspots is not None:
        _add_hotspots(fmap, hotspots, tile, text)
    route_colors = draw_routes(fmap, routes, officers, tile, text,
                               group_prefix=f"{text['joint_routes']}: ") if routes is not None \
        else {}
    if meeting_points is not None:
        _add_meeting_points(fmap, meeting_points, tile, text)
    pair = parties_of(jurisdictions, parties)
    add_title(fmap, title or text["boundary_map_title"], meeting_subtitle(date, pair, text))
    add_legend(fmap, text["legend"], legend_rows(jurisdictions, colors, text,
                                                   zones=zones is not None,
                                                   hotspots=hotspots,
                                                   route_colors=route_colors,
                                                   meeting=meeting_points is not None))
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    return fmap


def legend_rows(jurisdictions: gpd.GeoDataFrame, colors: dict[str, str], text: dict[str, str], *,
                zones: bool, hotspots: pd.DataFrame | None, route_colors: dict[str, str],
                meeting: bool) -> list[tuple[str, str]]:
    rows = [(swatch("transparent", style=f"border:3px solid {colors[r.code]}"),
             f"{r['name']} ({r.code})") for _, r in jurisdictions.iterrows()]
    if zones:
        rows.append((swatch(ZONE_COLOR, style="opacity:0.5"), text["boundary_zone"]))
    if hotspots is not None:
        rows += [(swatch(GI_COLORS[b]), text[GI_CLASS_KEYS[b]])
                 for b in sorted(GI_CLASS_KEYS, reverse=True) if b != 0]
    rows += [(swatch(c, kind="ln"), f"{text['joint_routes']} {o}")
             for o, c in route_colors.items()]
    if meeting:
        rows.append(('<span class="gridplan-star" style="font-size:16px;width:22px;'
                     'margin-right:6px">★</span>', text["meeting_points"]))
    return rows

