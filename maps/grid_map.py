"""Grid map for planners: grids coloured by workload, stations, current vs proposed layout."""

from __future__ import annotations

import math

import branca.colormap as cm
import folium
import geopandas as gpd
import pandas as pd

from maps.basemap import TileProvider, base_map, provider, shift_point
from maps.common import (
    STREET_STYLE,
    add_streets,
    for_drawing,
    properties_only,
    streets_frame,
    total_bounds,
)
from maps.elements import add_css, add_legend, add_title, esc, swatch, tooltip_html
from maps.labels import labels
from maps.layers import optional_layer, validate_layer

NO_WORKLOAD_FILL = "#b9c7d6"
LAYOUT_STYLE = {  # outline of each layout: the proposed one dashed so both read when overlaid
    "current": {"color": "#2b2b2b", "weight": 2, "dashArray": None},
    "proposed": {"color": "#1f4fbf", "weight": 3, "dashArray": "8 5"},
}
STATION_COLOR = "#c2185b"


def workload_colormap(*grids: gpd.GeoDataFrame | None, caption: str) -> cm.LinearColormap | None:
    """Yellow→red over the workload range of all layouts (one scale, so layouts compare)."""
    columns = [g["workload_h"] for g in grids if g is not None and "workload_h" in g.columns]
    values = pd.concat(columns).dropna() if columns else pd.Series(dtype=float)
    if values.empty:
        return None
    low, high = float(values.min()), float(values.max())
    if math.isclose(low, high):
        low, high = low - 0.5, high + 0.5
    return cm.LinearColormap(["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"], vmin=low, vmax=high,
                             caption=caption)


def _grid_rows(grids: gpd.GeoDataFrame, text: dict[str, str]) -> gpd.GeoDataFrame:
    """Tooltip columns (strings) for each grid."""
    out = grids.copy()
    unit = f" {text['persons']}" if text["persons"] else ""
    out["staff_text"] = grids["enforcement"].map(lambda n: f"{int(n)}{unit}")
    workload = grids["workload_h"] if "workload_h" in grids.columns else pd.Series(
        float("nan"), index=grids.index)
    out["workload_text"] = workload.map(
        lambda w: text["no_workload"] if pd.isna(w) else f"{w:.1f} {text['workload_unit']}")
    has_station = {"station_lon", "station_lat"} <= set(grids.columns)
    out["station_text"] = [
        f"{lon:.5f}, {lat:.5f}" if has_station and pd.notna(lon) and pd.notna(lat) else "—"
        for lon, lat in (zip(grids["station_lon"], grids["station_lat"], strict=True)
                         if has_station else [(None, None)] * len(grids))]
    return out


def _add_layout(fmap: folium.Map, grids: gpd.GeoDataFrame, layout: str, *, show: bool,
                colormap: cm.LinearColormap | None, tiles: TileProvider,
                text: dict[str, str]) -> None:
    rows = for_drawing(_grid_rows(grids, text), tiles)
    fields = ["code", "name", "parent_code", "staff_text", "workload_text", "station_text"]
    drawn = properties_only(rows, fields)
    workload = rows["workload_h"] if "workload_h" in rows.columns else [None] * len(rows)
    drawn["fill"] = [colormap(w) if colormap is not None and pd.notna(w) else NO_WORKLOAD_FILL
                     for w in workload]
    style = LAYOUT_STYLE[layout]
    group = folium.FeatureGroup(name=text[f"{layout}_layout"], show=show)
    folium.GeoJson(
        drawn, name=text[f"{layout}_layout"],
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.55,
                                  **style},
        highlight_function=lambda _: {"weight": 4, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[
            text["code"], text["name"], text["parent"], text["staff"], text["workload"],
            text["station"]], sticky=True),
    ).add_to(group)
    for _, row in rows.iterrows():  # code labels at a point inside each grid
        point = row.geometry.representative_point()
        folium.Marker([point.y, point.x], icon=folium.DivIcon(
            html=f'<div class="gridplan-label">{esc(row["code"][-3:])}</div>',
            icon_size=(30, 14), icon_anchor=(15, 7), class_name="gridplan-code")).add_to(group)
    group.add_to(fmap)


def _add_stations(fmap: folium.Map, layouts: list[tuple[str, gpd.GeoDataFrame]],
                  tiles: TileProvider, text: dict[str, str]) -> bool:
    group = folium.FeatureGroup(name=text["stations"])
    seen: set[tuple[float, float]] = set()
    for layout, grids in layouts:
        if not {"station_lon", "station_lat"} <= set(grids.columns):
            continue
        for _, row in grids.dropna(subset=["station_lon", "station_lat"]).iterrows():
            lon, lat = shift_point(row["station_lon"], row["station_lat"], tiles)
            if (round(lon, 6), round(lat, 6)) in seen:
                continue
            seen.add((round(lon, 6), round(lat, 6)))
            folium.CircleMarker(
                [lat, lon], radius=6, color="#ffffff", weight=2, fill=True,
                fill_color=STATION_COLOR, fill_opacity=1.0,
                tooltip=folium.Tooltip(tooltip_html([
                    (text["station"], row["name"]), (text["code"], row["code"]),
                    (text[f"{layout}_layout"], "")])),
            ).add_to(group)
    if seen:
        group.add_to(fmap)
    return bool(seen)


def grid_map(current: gpd.GeoDataFrame, *, streets, proposed: gpd.GeoDataFrame | None = None,
             tiles: str = "osm", lang: str = "zh", title: str | None = None) -> folium.Map:
    """Responsibility grids coloured by workload, with stations; layouts as toggleable layers.

    ``current`` and ``proposed`` follow the *grids* schema of :mod:`maps.layers` (any CRS).
    ``streets`` (required: pass ``None`` only on purpose): the network or its lines (any CRS),
    drawn grey under the grids so the map reads without tiles.
    ``tiles``: see :mod:`maps.basemap`. The proposed layout starts hidden (tick it in the layer
    control): two translucent fills on top of each other read badly.
    """
    text = labels(lang)
    tile = provider(tiles)
    current = validate_layer(current, "grids", source="current grids")
    proposed = optional_layer(proposed, "grids", source="proposed grids")
    streets = streets_frame(streets)
    fmap = base_map(total_bounds(*(for_drawing(g, tile) for g in (current, proposed))), tile)
    add_css(fmap)
    has_streets = add_streets(fmap, streets, tile, text["streets"])
    colormap = workload_colormap(current, proposed, caption=text["workload_legend"])
    _add_layout(fmap, current, "current", show=True, colormap=colormap, tiles=tile, text=text)
    layouts = [("current", current)]
    if proposed is not None:
        _add_layout(fmap, proposed, "proposed", show=False, colormap=colormap, tiles=tile,
                    text=text)
        layouts.append(("proposed", proposed))
    has_stations = _add_stations(fmap, layouts, tile, text)
    add_title(fmap, title or text["grid_map_title"],
              " / ".join(f"{text[f'{name}_layout']}: {len(g)}" for name, g in layouts))
    rows = [(swatch("transparent", style=f"border:2px {'dashed' if n == 'proposed' else 'solid'} "
                    f"{LAYOUT_STYLE[n]['color']}"), text[f"{n}_layout"]) for n, _ in layouts]
    if colormap is None:
        rows.insert(0, (swatch(NO_WORKLOAD_FILL), text["no_workload"]))
    if has_stations:
        rows.append((swatch(STATION_COLOR, kind="dot"), text["stations"]))
    if has_streets:
        rows.append((swatch(STREET_STYLE["color"], kind="ln", style="border-top-width:1px"),
                     text["streets"]))
    add_legend(fmap, text["workload_legend"] if colormap is not None else text["legend"], rows,
               extra_html=_colorbar_html(colormap) if colormap is not None else "")
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _colorbar_html(colormap: cm.LinearColormap) -> str:
    """A static gradient bar with min/mid/max ticks (no d3: the legend must work offline)."""
    stops = ", ".join(colormap.rgb_hex_str(colormap.vmin + (colormap.vmax - colormap.vmin) * t)
                      for t in (0, 0.25, 0.5, 0.75, 1))
    mid = (colormap.vmin + colormap.vmax) / 2
    return (f'<div style="height:12px;width:220px;border:1px solid #888;'
            f'background:linear-gradient(to right, {stops})"></div>'
            f'<div style="display:flex;justify-content:space-between;width:222px;font-size:11px">'
            f"<span>{colormap.vmin:.0f}</span><span>{mid:.0f}</span>"
            f"<span>{colormap.vmax:.0f}</span></div>")
