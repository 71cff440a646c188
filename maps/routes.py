"""Officer routes: turn lists derived from route segments, colours, and drawing on folium maps."""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import PolyLineTextPath
from shapely.geometry import LineString, MultiLineString

from gridplan.errors import InvalidInputError, Problem
from gridplan.routing.turns import Segment, directions, merge_legs, turn_kind  # noqa: F401
from maps.basemap import TileProvider
from maps.common import for_drawing
from maps.elements import esc, tooltip_html
from maps.labels import street_name
from maps.layers import require_same_officers, validate_layer

# Distinct, print-safe colours (ColorBrewer Dark2 + Set1 picks); officers beyond reuse them.
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
           "#377eb8", "#984ea3", "#4daf4a")


def officer_colors(officers: list[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(officers)}


def line_coords(geom) -> np.ndarray:
    if isinstance(geom, MultiLineString):
        return np.vstack([np.asarray(g.coords) for g in geom.geoms])
    return np.asarray(geom.coords)


def turn_list(segments: pd.DataFrame, text: dict[str, str]) -> list[str]:
    """Directions for one officer's segments (WGS-84, in travel order): one line per street.

    Legs and turns come from :mod:`gridplan.routing.turns` (the one place turns are computed);
    this only words them with the map labels."""
    ordered = segments.sort_values("seq")
    legs = merge_legs((Segment(name if isinstance(name, str) else "", bool(deadhead),
                               float(length), [tuple(p) for p in line_coords(geom)])
                       for name, deadhead, length, geom in zip(
                           ordered["name"], ordered["deadhead"], ordered["length_m"],
                           ordered.geometry, strict=True)), lonlat=True)
    lines = []
    for turn in directions(legs):
        leg = turn.leg
        name = street_name(leg.name, text)
        transfer = text["pass_through"] if leg.deadhead else ""
        lines.append(f"{text[turn.kind]} {name}{transfer} {leg.length_m:.0f} m")
    return lines


def officer_summaries(routes: gpd.GeoDataFrame, text: dict[str, str]) -> pd.DataFrame:
    """The *officers* frame (officer, turns, length_m, minutes) derived from WGS-84 routes."""
    rows = []
    for officer, segs in routes.groupby("officer", sort=False):
        rows.append({"officer": officer, "turns": turn_list(segs, text),
                     "length_m": float(segs["length_m"].sum()),
                     "minutes": float(segs["minutes"].sum())})
    return pd.DataFrame(rows, columns=["officer", "turns", "length_m", "minutes"])


def prepare_routes(routes: gpd.GeoDataFrame, officers: pd.DataFrame | None, text: dict[str, str],
                   *, source: str = "routes") -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Validated WGS-84 routes sorted by (officer, seq) and their officer summaries."""
    routes = validate_layer(routes, "routes", source=source)
    routes = routes.sort_values(["officer", "seq"], kind="stable")
    if officers is None:
        officers = officer_summaries(routes, text)
    else:
        officers = validate_layer(officers, "officers")
        require_same_officers(routes, officers)
    return routes, officers


def endpoints(segs: gpd.GeoDataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """(lon, lat) of the first and last point of an officer's route."""
    first, last = line_coords(segs.geometry.iloc[0]), line_coords(segs.geometry.iloc[-1])
    return (float(first[0][0]), float(first[0][1])), (float(last[-1][0]), float(last[-1][1]))


def _pin(fmap_group: folium.FeatureGroup, lon: float, lat: float, label: str, color: str,
         tip: str) -> None:
    folium.Marker([lat, lon], tooltip=folium.Tooltip(tip), icon=folium.DivIcon(
        html=f'<div class="gridplan-pin" style="background:{color}">{esc(label)}</div>',
        icon_size=(22, 22), icon_anchor=(11, 11), class_name="gridplan-pin-icon")
    ).add_to(fmap_group)


def draw_routes(fmap: folium.Map, routes: gpd.GeoDataFrame, officers: pd.DataFrame,
                tiles: TileProvider, text: dict[str, str], *, group_prefix: str = ""
                ) -> dict[str, str]:
    """One toggleable layer per officer: segments, direction arrows, start/end pins.

    Patrolled segments are solid; transfers (deadhead) thin and dashed. Returns officer → colour.
    """
    colors = officer_colors(list(officers["officer"]))
    drawn = for_drawing(routes, tiles)
    summary = officers.set_index("officer")
    for officer, segs in drawn.groupby("officer", sort=False):
        color = colors[officer]
        info = summary.loc[officer]
        group = folium.FeatureGroup(name=f"{group_prefix}{officer} · {info['length_m'] / 1000:.1f}"
                                         f" km · {info['minutes']:.0f} {text['min']}")
        for _, seg in segs.iterrows():
            folium.PolyLine(
                [(y, x) for x, y in line_coords(seg.geometry)], color=color,
                weight=3 if seg["deadhead"] else 5, opacity=0.65 if seg["deadhead"] else 0.9,
                dash_array="6 6" if seg["deadhead"] else None,
                tooltip=tooltip_html([(text["officer"], officer), ("#", int(seg["seq"])),
                                      (text["name"], street_name(seg["name"], text)),
                                      (text["length"], f"{seg['length_m']:.0f} m"),
                                      (text["minutes"], f"{seg['minutes']:.1f} {text['min']}")]),
            ).add_to(group)
        # one invisible line along the whole route carries the arrows (fewer SVG nodes)
        path = np.vstack([line_coords(g) for g in segs.geometry])
        carrier = folium.PolyLine([(y, x) for x, y in path], opacity=0, weight=1,
                                  interactive=False).add_to(group)
        PolyLineTextPath(carrier, "      ►      ", repeat=True, offset=5,
                         attributes={"fill": color, "font-size": "13",
                                     "class": "gridplan-arrow"}).add_to(group)
        start, end = endpoints(segs)
        if np.allclose(start, end, atol=1e-6):
            _pin(group, *start, "⇄", color, f"{officer}: {text['start_end']}")
        else:
            _pin(group, *start, text["start"][:1], color, f"{officer}: {text['start']}")
            _pin(group, *end, text["end"][:1], color, f"{officer}: {text['end']}")
        group.add_to(fmap)
    return colors



def routes_frame(graph, steps, *, officer: str, crs: object, walk_speed_kmh: float = 4.5,
                 start_seq: int = 0) -> gpd.GeoDataFrame:
    """A *routes* frame from a walk on a street graph: ``steps`` are ``(u, v, key, deadhead)``
    (e.g. the steps of a postman tour); geometry is oriented u → v, lengths from the edge
    ``length`` (metres, CRS ``crs``), minutes at ``walk_speed_kmh``."""
    if walk_speed_kmh <= 0:
        raise InvalidInputError("walk speed must be positive", [Problem(
            "walk_speed_kmh", "", expected="> 0", found=str(walk_speed_kmh),
            fix="use a walking speed such as 4.5")])
    rows = []
    for seq, (u, v, key, deadhead) in enumerate(steps, start_seq):
        data = graph.get_edge_data(u, v, key)
        ux, uy = graph.nodes[u]["x"], graph.nodes[u]["y"]
        geom = data.get("geometry") or LineString(
            [(ux, uy), (graph.nodes[v]["x"], graph.nodes[v]["y"])])
        first, last = geom.coords[0], geom.coords[-1]
        if math.dist((ux, uy), last) < math.dist((ux, uy), first):
            geom = geom.reverse()
        length = float(data["length"])
        rows.append({"officer": officer, "seq": seq, "name": _street_name(data.get("name")),
                     "deadhead": bool(deadhead), "length_m": length,
                     "minutes": length / 1000.0 / walk_speed_kmh * 60.0, "geometry": geom})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[
        "officer", "seq", "name", "deadhead", "length_m", "minutes", "geometry"]),
        geometry="geometry", crs=crs)


def _street_name(name: object) -> str:
    if isinstance(name, list | tuple):  # osmnx merges names of simplified ways into a list
        return " / ".join(str(n) for n in name)
    return name if isinstance(name, str) else ""
