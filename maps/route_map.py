"""Route map for squad leaders: each officer's route, key points, uncovered streets, turn lists."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from maps.basemap import TileProvider, base_map, provider
from maps.common import (
    OUTLINE_STYLE,
    STREET_STYLE,
    add_outline,
    add_streets,
    for_drawing,
    streets_frame,
    total_bounds,
)
from maps.elements import add_css, add_legend, add_panel, add_title, esc, swatch, tooltip_html
from maps.labels import labels
from maps.layers import optional_layer
from maps.routes import draw_routes, prepare_routes

KEY_POINT_COLOR = "#ff7f00"
UNCOVERED_COLOR = "#e41a1c"


def window_text(window: object, text: dict[str, str]) -> str:
    return window.strip() if isinstance(window, str) and window.strip() else text["any_time"]


def _add_key_points(fmap: folium.Map, key_points: gpd.GeoDataFrame, tiles: TileProvider,
                    text: dict[str, str]) -> None:
    group = folium.FeatureGroup(name=text["key_points"])
    for _, row in for_drawing(key_points, tiles).iterrows():
        window = window_text(row["window"], text)
        tip = tooltip_html([(text["key_points"], row["name"]), ("ID", row["id"]),
                            (text["window"], window),
                            (text["dwell"], f"{row['dwell_minutes']:.0f} {text['min']}")])
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=7, color="#ffffff", weight=2,
                            fill=True, fill_color=KEY_POINT_COLOR, fill_opacity=1.0,
                            tooltip=folium.Tooltip(tip)).add_to(group)
        folium.Marker([row.geometry.y, row.geometry.x], icon=folium.DivIcon(
            html=f'<div class="gridplan-label">{esc(row["name"])} {esc(window)}</div>',
            icon_size=(160, 14), icon_anchor=(-9, 7), class_name="gridplan-keypoint-label"),
        ).add_to(group)
    group.add_to(fmap)


def _add_uncovered(fmap: folium.Map, uncovered: gpd.GeoDataFrame, tiles: TileProvider,
                   text: dict[str, str]) -> None:
    group = folium.FeatureGroup(name=text["uncovered"])
    for _, row in for_drawing(uncovered, tiles).iterrows():
        parts = getattr(row.geometry, "geoms", [row.geometry])
        for part in parts:
            folium.PolyLine([(y, x) for x, y in part.coords], color=UNCOVERED_COLOR, weight=4,
                            dash_array="4 6", opacity=0.95,
                            tooltip=tooltip_html([(text["uncovered"], row["name"] or
                                                   text["unnamed_street"]),
                                                  (text["reason"], row["reason"])])).add_to(group)
    group.add_to(fmap)


def panel_html(officers: pd.DataFrame, colors: dict[str, str], text: dict[str, str]) -> str:
    """Each officer's colour, length, minutes and turn list, for the side panel."""
    parts = [f"<h4>{esc(text['turn_list'])}</h4>"]
    for _, row in officers.iterrows():
        color = colors[row["officer"]]
        steps = "".join(f"<li>{esc(step)}</li>" for step in row["turns"])
        parts.append(
            f'<div class="officer"><h4 style="border-left-color:{color}">'
            f"{esc(text['officer'])} {esc(row['officer'])}</h4>"
            f'<div class="meta">{esc(text["length"])} {row["length_m"] / 1000:.2f} km · '
            f'{esc(text["minutes"])} {row["minutes"]:.0f} {esc(text["min"])}</div>'
            f"<ol>{steps}</ol></div>")
    return "".join(parts)


def route_map(routes: gpd.GeoDataFrame, *, streets, grid: gpd.GeoDataFrame | None = None,
              officers: pd.DataFrame | None = None, key_points: gpd.GeoDataFrame | None = None,
              uncovered: gpd.GeoDataFrame | None = None, tiles: str = "osm", lang: str = "zh",
              title: str | None = None) -> folium.Map:
    """Officers' routes (one colour and layer each, arrows in travel direction), start/end pins,
    key points with time windows, uncovered streets dashed red, and a turn-list side panel, over
    the street network and the grid's outline, so the map reads with no tiles.

    Inputs follow :mod:`maps.layers` (*routes*, *officers*, *key_points*, *uncovered*; any CRS).
    ``streets`` (required: pass ``None`` only on purpose) is the network or its lines, e.g.
    :func:`maps.common.streets_near` of the grid; ``grid``: the grid polygon(s) to outline.
    ``officers`` is derived from ``routes`` when not given.
    """
    text = labels(lang)
    tile = provider(tiles)
    routes, officers = prepare_routes(routes, officers, text)
    key_points = optional_layer(key_points, "key_points", source="key points")
    uncovered = optional_layer(uncovered, "uncovered", source="uncovered streets")
    fmap = base_map(total_bounds(*(for_drawing(f, tile) for f in (routes, key_points,
                                                                   uncovered))), tile)
    add_css(fmap)
    has_streets = add_streets(fmap, streets_frame(streets), tile, text["streets"])
    if uncovered is not None:
        _add_uncovered(fmap, uncovered, tile, text)
    colors = draw_routes(fmap, routes, officers, tile, text)
    if key_points is not None:
        _add_key_points(fmap, key_points, tile, text)
    has_outline = add_outline(fmap, grid, tile, text["grid_outline"])
    total_km = officers["length_m"].sum() / 1000
    add_title(fmap, title or text["route_map_title"],
              f"{len(officers)} × {text['officer']} · {text['total']} {total_km:.1f} km")
    add_panel(fmap, panel_html(officers, colors, text))
    rows = [(swatch(c, kind="ln"), f"{text['officer']} {o}") for o, c in colors.items()]
    rows.append((swatch("#555", kind="ln", style="border-top-style:dashed"),
                 text["pass_through"].strip(" （）()")))
    if key_points is not None:
        rows.append((swatch(KEY_POINT_COLOR, kind="dot"), text["key_points"]))
    if uncovered is not None:
        rows.append((swatch(UNCOVERED_COLOR, kind="ln", style="border-top-style:dashed"),
                     text["uncovered"]))
    if has_outline:
        rows.append((swatch(OUTLINE_STYLE["color"], kind="ln", style="border-top-style:dashed"),
                     text["grid_outline"]))
    if has_streets:
        rows.append((swatch(STREET_STYLE["color"], kind="ln",
                            style="border-top-width:1px"), text["streets"]))
    add_legend(fmap, text["legend"], rows)
    folium.LayerControl(collapsed=True, position="bottomright").add_to(fmap)
    return fmap
