"""Printable meeting sheet (会商图): the boundary map with the hotspot table and joint patrols.

Drawn with matplotlib and no tiles (offline, prints the same everywhere), in the local UTM zone so
distances are true; A4 or A3 landscape, written as PNG and PDF. Chinese is drawn with the shipped
Noto Sans CJK (:mod:`maps.fonts`; ``GRIDPLAN_CJK_FONT=system`` uses an installed font instead);
should no CJK font be available at all, the sheet falls back to English labels with a warning
rather than printing empty boxes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # files only; never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geodata.files import atomic_path  # noqa: E402
from gridplan.errors import InvalidInputError, Problem  # noqa: E402
from maps.boundary_map import (  # noqa: E402
    GI_COLORS,
    JURISDICTION_COLORS,
    MEETING_COLOR,
    ZONE_COLOR,
    meeting_subtitle,
    parties_of,
)
from maps.common import streets_frame  # noqa: E402
from maps.fonts import matplotlib_family  # noqa: E402
from maps.labels import GI_CLASS_KEYS, labels  # noqa: E402
from maps.layers import optional_layer, validate_layer  # noqa: E402
from maps.routes import line_coords, officer_colors, prepare_routes  # noqa: E402

PAPER_IN: dict[str, tuple[float, float]] = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}
TABLE_ROWS = 10
OSM_NOTICE = "© OpenStreetMap contributors"


class CJKFontMissingWarning(UserWarning):
    """No Chinese font: the sheet is drawn with English labels."""


def cjk_font() -> str | None:
    """The CJK family the sheet draws with (see :mod:`maps.fonts`), or None."""
    return matplotlib_family()


@dataclass(frozen=True)
class SheetFiles:
    png: Path
    pdf: Path
    lang: str  # the language actually used (may fall back to "en")


def _sheet_lang(lang: str) -> tuple[str, str | None]:
    if lang != "zh":
        return lang, cjk_font()
    font = cjk_font()
    if font is None:
        warnings.warn("no CJK font found (reinstall gridplan, which ships noto-cjk-sans-otc, or "
                      "install the Debian package fonts-noto-cjk with GRIDPLAN_CJK_FONT=system): "
                      "the meeting sheet is drawn with English labels", CJKFontMissingWarning,
                      stacklevel=3)
        return "en", None
    return "zh", font


def hotspot_table(hotspots: gpd.GeoDataFrame | None, jurisdictions: gpd.GeoDataFrame, *,
                  rows: int = TABLE_ROWS) -> pd.DataFrame:
    """Top significant hot cells (by Gi* z) with the jurisdiction holding each: rank, side,
    count, gi_z, gi_bin. Inputs are validated WGS-84 frames."""
    columns = ["rank", "side", "count", "gi_z", "gi_bin"]
    if hotspots is None:
        return pd.DataFrame(columns=columns)
    hot = hotspots[hotspots["gi_bin"] > 0].sort_values(["gi_z", "count"], ascending=False)
    hot = hot.head(rows)
    metric = jurisdictions.estimate_utm_crs()
    centres = hot.to_crs(metric).geometry.representative_point()
    juris = jurisdictions.to_crs(metric)
    sides = [next((f"{j['name']}" for _, j in juris.iterrows() if j.geometry.contains(c)), "—")
             for c in centres]
    return pd.DataFrame({"rank": range(1, len(hot) + 1), "side": sides,
                         "count": hot["count"].astype(int).to_numpy(),
                         "gi_z": hot["gi_z"].round(2).to_numpy(),
                         "gi_bin": hot["gi_bin"].astype(int).to_numpy()}, columns=columns)


def _extent(frames: list[gpd.GeoDataFrame | None], fallback: gpd.GeoDataFrame,
            margin_m: float = 400.0) -> tuple[float, float, float, float]:
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    box = np.array(boxes) if boxes else np.array([fallback.total_bounds])
    minx, miny = box[:, 0].min() - margin_m, box[:, 1].min() - margin_m
    maxx, maxy = box[:, 2].max() + margin_m, box[:, 3].max() + margin_m
    return minx, miny, maxx, maxy


def _nice_length_m(span_m: float) -> float:
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def _scale_and_north(ax, extent, text) -> None:
    minx, miny, maxx, maxy = extent
    length = _nice_length_m(maxx - minx)
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.04
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=3, solid_capstyle="butt", zorder=20)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x0 + length / 2, y0 + (maxy - miny) * 0.012, label, ha="center", va="bottom",
            fontsize=8, zorder=20)
    nx_, ny_ = maxx - (maxx - minx) * 0.05, maxy - (maxy - miny) * 0.12
    ax.annotate(text["north"], xy=(nx_, ny_ + (maxy - miny) * 0.07), xytext=(nx_, ny_),
                ha="center", va="center", fontsize=10, fontweight="bold", zorder=20,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5})


def _draw_routes(ax, routes, officers, metric) -> dict[str, str]:
    colors = officer_colors(list(officers["officer"]))
    for officer, segs in routes.to_crs(metric).groupby("officer", sort=False):
        color = colors[officer]
        for geom, deadhead in zip(segs.geometry, segs["deadhead"], strict=True):
            xy = line_coords(geom)
            ax.plot(xy[:, 0], xy[:, 1], color=color, lw=1.2 if deadhead else 2.4,
                    ls=(0, (3, 2)) if deadhead else "-", alpha=0.95, zorder=8)
        path = np.vstack([line_coords(g) for g in segs.geometry])
        step = max(1, len(path) // 12)  # about a dozen arrows per route
        for i in range(step, len(path) - 1, step):
            ax.annotate("", xy=path[i + 1], xytext=path[i], zorder=9,
                        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.2,
                                    "mutation_scale": 11})
    return colors


def _draw_map(ax, layers: dict, metric, extent, text) -> tuple[list, dict[str, str]]:
    """Everything on the map axes; returns legend handles and route colours."""
    handles: list = []
    if layers["streets"] is not None:
        layers["streets"].to_crs(metric).plot(ax=ax, color="#b8b8b8", lw=0.5, zorder=1)
    juris = layers["jurisdictions"].to_crs(metric)
    for i, (_, row) in enumerate(juris.iterrows()):
        color = JURISDICTION_COLORS[i % len(JURISDICTION_COLORS)]
        gpd.GeoSeries([row.geometry], crs=metric).boundary.plot(ax=ax, color=color, lw=2.6,
                                                               zorder=6)
        handles.append(Line2D([], [], color=color, lw=2.6, label=f"{row['name']} ({row.code})"))
    if layers["grids"] is not None:
        layers["grids"].to_crs(metric).boundary.plot(ax=ax, color="#555", lw=0.6, ls="--",
                                                     zorder=3)
        handles.append(Line2D([], [], color="#555", lw=0.6, ls="--", label=text["grids"]))
    if layers["zones"] is not None:
        # above the hotspot cells, hatched: the zone must stay visible where cells are dense
        layers["zones"].to_crs(metric).plot(ax=ax, facecolor=ZONE_COLOR, alpha=0.35,
                                            edgecolor="#0b3d6b", hatch="///", lw=0.8, zorder=7)
        handles.append(Patch(color=ZONE_COLOR, alpha=0.4, label=text["boundary_zone"]))
    if layers["hotspots"] is not None:
        hot = layers["hotspots"][layers["hotspots"]["gi_bin"] != 0].to_crs(metric)
        for b in sorted(GI_CLASS_KEYS, reverse=True):
            cells = hot[hot["gi_bin"] == b]
            if len(cells):
                cells.plot(ax=ax, color=GI_COLORS[b], edgecolor="#666", lw=0.2, alpha=0.85,
                           zorder=5)
                handles.append(Patch(facecolor=GI_COLORS[b], edgecolor="#666",
                                     label=text[GI_CLASS_KEYS[b]]))
    colors: dict[str, str] = {}
    if layers["routes"] is not None:
        colors = _draw_routes(ax, layers["routes"], layers["officers"], metric)
        handles += [Line2D([], [], color=c, lw=2.4, label=f"{text['joint_routes']} {o}")
                    for o, c in colors.items()]
    if layers["meeting_points"] is not None:
        pts = layers["meeting_points"].to_crs(metric)
        ax.scatter(pts.geometry.x, pts.geometry.y, marker="*", s=260, c=MEETING_COLOR,
                   edgecolors="black", linewidths=0.8, zorder=12)
        for x, y, label in zip(pts.geometry.x, pts.geometry.y, pts["label"], strict=True):
            ax.annotate(label, (x, y), xytext=(8, 6), textcoords="offset points", fontsize=8,
                        zorder=13, bbox={"boxstyle": "round,pad=0.2", "fc": "white",
                                         "ec": "none", "alpha": 0.8})
        handles.append(Line2D([], [], marker="*", color="none", markerfacecolor=MEETING_COLOR,
                              markeredgecolor="black", markersize=12,
                              label=text["meeting_points"]))
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_facecolor("#f4f2ec")
    _scale_and_north(ax, extent, text)
    return handles, colors


def _table(ax, table: pd.DataFrame, text: dict[str, str], fontsize: float,
           meeting_list: pd.DataFrame | None = None) -> None:
    """The meeting's list of boundary hotspots when given (what both sides decide on), else the
    most significant hot cells."""
    ax.axis("off")
    ax.set_title(text["hotspot_table"], loc="left", fontsize=fontsize + 2, fontweight="bold")
    if meeting_list is not None and not meeting_list.empty:
        cells = [[str(r["rank"]), str(r["incidents_by_side"]), str(r["peak_window"]),
                  text.get(f"cadence_{r['cadence']}", str(r["cadence"])), str(r["lead"])]
                 for _, r in meeting_list.iterrows()]
        labels_ = [text["rank"], text["incidents_by_side"], text["peak_window"], text["cadence"],
                   text["lead"]]
        widths = [0.1, 0.22, 0.24, 0.18, 0.26]
    elif table.empty:
        ax.text(0, 0.9, text["no_hotspots"], fontsize=fontsize, va="top")
        return
    else:
        cells = [[str(r["rank"]), str(r["side"]), str(r["count"]), f"{r['gi_z']:.2f}",
                  text[GI_CLASS_KEYS[int(r["gi_bin"])]]] for _, r in table.iterrows()]
        labels_ = [text["rank"], text["side"], text["incidents"], "Gi* z", text["hotspots"]]
        widths = [0.1, 0.26, 0.16, 0.16, 0.32]
    tab = ax.table(cellText=cells, colLabels=labels_, loc="upper left", cellLoc="left",
                   colLoc="left", colWidths=widths)
    tab.auto_set_font_size(False)
    tab.set_fontsize(fontsize)
    tab.scale(1, 1.25)
    for (row, _), cell in tab.get_celld().items():
        cell.set_edgecolor("#999")
        if row == 0:
            cell.set_facecolor("#e8e8e8")


def _patrols(ax, officers: pd.DataFrame | None, colors: dict[str, str], text: dict[str, str],
             fontsize: float) -> None:
    ax.axis("off")
    ax.set_title(text["joint_patrols"], loc="left", fontsize=fontsize + 2, fontweight="bold")
    if officers is None or officers.empty:
        ax.text(0, 0.95, text["no_joint_routes"], fontsize=fontsize, va="top")
        return
    y = 0.95
    lines_each = max(1, min(4, int(9 / max(1, len(officers))) - 1))  # fit every patrol
    for _, row in officers.iterrows():
        if y < 0.12:
            break
        streets = [t for t in row["turns"]][:lines_each]
        ax.text(0, y, "■", color=colors[row["officer"]], fontsize=fontsize + 2, va="top")
        ax.text(0.05, y, f"{row['officer']}: {row['length_m'] / 1000:.2f} km · "
                f"{row['minutes']:.0f} {text['min']}", fontsize=fontsize, va="top",
                fontweight="bold")
        y -= 0.09
        for line in streets:
            ax.text(0.05, y, line, fontsize=fontsize - 1, va="top", color="#333")
            y -= 0.075
        y -= 0.03


def meeting_sheet(jurisdictions: gpd.GeoDataFrame, *, date: dt.date | str,
                  parties: tuple[str, str] | None = None, grids=None, zones=None, hotspots=None,
                  joint_routes=None, meeting_points=None, streets, paper: str = "A4",
                  lang: str = "zh", attribution: str = "",
                  meeting_list: pd.DataFrame | None = None) -> tuple[Figure, str]:
    """The sheet as a matplotlib Figure and the language used; layers as in :mod:`maps.layers`.

    ``streets`` (required: pass ``None`` only on purpose): the network or its lines, drawn grey
    under everything so the printed map shows where to walk."""
    if paper not in PAPER_IN:
        raise InvalidInputError(f"unknown paper size {paper!r}", [Problem(
            "paper", "", expected=" or ".join(PAPER_IN), found=repr(paper),
            fix="use 'A4' or 'A3' (landscape)")])
    lang, font = _sheet_lang(lang)
    text = labels(lang)
    layers = {"jurisdictions": validate_layer(jurisdictions, "jurisdictions"),
              "grids": optional_layer(grids, "grids"), "zones": optional_layer(zones, "zones"),
              "hotspots": optional_layer(hotspots, "hotspots"),
              "meeting_points": optional_layer(meeting_points, "meeting_points"),
              "streets": streets_frame(streets), "routes": None, "officers": None}
    if joint_routes is not None and len(joint_routes):
        layers["routes"], layers["officers"] = prepare_routes(joint_routes, None, text,
                                                              source="joint routes")
    metric = layers["jurisdictions"].estimate_utm_crs()
    focus = [layers[k].to_crs(metric) if layers[k] is not None else None
             for k in ("zones", "routes", "meeting_points")]
    extent = _extent(focus, layers["jurisdictions"].to_crs(metric))
    width, height = PAPER_IN[paper]
    fontsize = 8 if paper == "A4" else 10
    rc = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
          "axes.unicode_minus": False}
    with plt.rc_context(rc):
        fig = plt.figure(figsize=(width, height), dpi=100)
        grid = fig.add_gridspec(4, 2, width_ratios=[1.65, 1], height_ratios=[0.5, 2.2, 2.2, 0.9],
                                left=0.03, right=0.98, top=0.97, bottom=0.04, wspace=0.06,
                                hspace=0.25)
        head = fig.add_subplot(grid[0, :])
        head.axis("off")
        pair = parties_of(layers["jurisdictions"], parties)
        head.text(0, 0.75, text["sheet_title"], fontsize=fontsize + 10, fontweight="bold",
                  va="center")
        head.text(0, 0.15, meeting_subtitle(date, pair, text), fontsize=fontsize + 3,
                  va="center", color="#333")
        map_ax = fig.add_subplot(grid[1:, 0])
        handles, colors = _draw_map(map_ax, layers, metric, extent, text)
        map_ax.legend(handles=handles, loc="lower right", fontsize=fontsize - 1, framealpha=0.9,
                      title=text["legend"], title_fontsize=fontsize)
        table = hotspot_table(layers["hotspots"], layers["jurisdictions"])
        _table(fig.add_subplot(grid[1, 1]), table, text, fontsize, meeting_list)
        _patrols(fig.add_subplot(grid[2, 1]), layers["officers"], colors, text, fontsize)
        sign = fig.add_subplot(grid[3, 1])
        sign.axis("off")
        sign.text(0, 0.95, text["signatures"], fontsize=fontsize + 1, fontweight="bold", va="top")
        for i, party in enumerate(pair):
            sign.text(0.5 * i, 0.45, f"{party}: ________________", fontsize=fontsize, va="top")
        credit = (attribution if "OpenStreetMap" in attribution
                  else OSM_NOTICE + (f"; {attribution}" if attribution else ""))
        fig.text(0.03, 0.012, f"{credit} · {text['generated_by']} · {metric.name}",
                 fontsize=fontsize - 2, color="#555")
    return fig, lang


def write_meeting_sheet(jurisdictions: gpd.GeoDataFrame, png_path: str | os.PathLike[str],
                        pdf_path: str | os.PathLike[str], *, dpi: int = 150,
                        **options) -> SheetFiles:
    """:func:`meeting_sheet` saved as PNG (``dpi``) and PDF (vector), atomically."""
    fig, lang = meeting_sheet(jurisdictions, **options)
    try:
        with atomic_path(png_path) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi, facecolor="white")
        with atomic_path(pdf_path) as tmp:
            fig.savefig(tmp, format="pdf", facecolor="white")
    finally:
        plt.close(fig)
    return SheetFiles(Path(png_path), Path(pdf_path), lang)
