"""Small HTML pieces placed on a folium map: titles, legends, side panels, attribution.

Each is a Leaflet control (``L.control`` with HTML content), so it sits among the map's own
controls, survives resizing, and does not pass clicks or scrolls through to the map. Every piece
carries a CSS class (``gridplan-title``, ``gridplan-legend``, ``gridplan-panel``) that the
browser tests look for. Text is escaped here; callers pass plain strings where noted.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import folium
from branca.element import Element, MacroElement
from folium.template import Template

CSS = """
.gridplan-box { background: rgba(255,255,255,0.94); border-radius: 6px; padding: 8px 10px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 13px/1.35 "gridplan CJK", "Noto Sans CJK SC",
  "PingFang SC",
  "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; color: #222; }
.gridplan-title { font-size: 16px; font-weight: 600; max-width: 60vw; }
.gridplan-title .sub { font-size: 12px; font-weight: 400; color: #555; }
.gridplan-legend { max-width: 260px; }
.gridplan-legend h4, .gridplan-panel h4 { margin: 0 0 4px; font-size: 13px; }
.gridplan-legend .row { display: flex; align-items: center; margin: 2px 0; }
.gridplan-legend .sw { width: 18px; height: 12px; margin-right: 6px; flex: none;
  border: 1px solid rgba(0,0,0,0.45); }
.gridplan-legend .ln { width: 22px; height: 0; margin-right: 6px; flex: none;
  border-top: 3px solid #333; }
.gridplan-legend .dot { width: 10px; height: 10px; margin: 0 10px 0 4px; border-radius: 50%;
  flex: none; border: 2px solid #333; }
.gridplan-legend svg { max-width: 240px; }
.gridplan-panel { width: 290px; max-height: 70vh; overflow-y: auto; }
.gridplan-panel .officer { margin-bottom: 8px; }
.gridplan-panel .officer h4 { border-left: 6px solid #333; padding-left: 6px; }
.gridplan-panel ol { margin: 2px 0 0; padding-left: 20px; font-size: 12px; }
.gridplan-panel .meta { font-size: 12px; color: #444; }
.gridplan-tip { font: 12px/1.35 "gridplan CJK", "Noto Sans CJK SC",
  "Microsoft YaHei", Arial, sans-serif; }
.gridplan-label { font: 600 11px "gridplan CJK", "Noto Sans CJK SC",
  "Microsoft YaHei", Arial, sans-serif;
  color: #222; text-shadow: 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap; }
.gridplan-pin { width: 22px; height: 22px; border-radius: 50%; border: 2px solid #fff;
  box-shadow: 0 0 3px rgba(0,0,0,0.6); color: #fff; text-align: center;
  font: 700 12px/18px "gridplan CJK", "Noto Sans CJK SC",
  "Microsoft YaHei", Arial, sans-serif;
  box-sizing: border-box; }
.gridplan-star { font-size: 26px; line-height: 26px; color: #ffd400;
  text-shadow: 0 0 2px #000, 0 0 2px #000; text-align: center; }
.gridplan-arrow { pointer-events: none; }
.leaflet-container, .leaflet-tooltip, .leaflet-popup-content { font-family: "gridplan CJK",
  "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; }
"""


class HtmlControl(MacroElement):
    """A Leaflet control at ``position`` whose content is ``html_text`` (trusted HTML)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html_text|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, html_text: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html_text = html_text
        self.position = position
        self.css_class = f"gridplan-box {css_class}"


def add_css(fmap: folium.Map) -> None:
    """The shared stylesheet, once per page (children with one name collapse)."""
    fmap.get_root().header.add_child(Element(f"<style>{CSS}</style>"), name="gridplan_css")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def add_title(fmap: folium.Map, title: str, subtitle: str = "") -> None:
    sub = f'<div class="sub">{esc(subtitle)}</div>' if subtitle else ""
    fmap.add_child(HtmlControl(f"<div>{esc(title)}</div>{sub}", position="topleft",
                               css_class="gridplan-title"))


def swatch(color: str, *, kind: str = "sw", style: str = "") -> str:
    """A legend symbol: filled box (``sw``), line (``ln``) or dot (``dot``)."""
    if kind == "ln":
        return f'<span class="ln" style="border-top-color:{color};{style}"></span>'
    if kind == "dot":
        return f'<span class="dot" style="border-color:{color};{style}"></span>'
    return f'<span class="sw" style="background:{color};{style}"></span>'


def legend_html(title: str, rows: Iterable[tuple[str, str]], *, extra_html: str = "") -> str:
    """Legend body: ``rows`` are (symbol HTML from :func:`swatch`, plain label text)."""
    body = "".join(f'<div class="row">{symbol}<span>{esc(label)}</span></div>'
                   for symbol, label in rows)
    return f"<h4>{esc(title)}</h4>{extra_html}{body}"


def add_legend(fmap: folium.Map, title: str, rows: Iterable[tuple[str, str]], *,
               extra_html: str = "", position: str = "bottomleft") -> None:
    fmap.add_child(HtmlControl(legend_html(title, rows, extra_html=extra_html),
                               position=position, css_class="gridplan-legend"))


def add_panel(fmap: folium.Map, html_text: str, *, position: str = "topright") -> None:
    fmap.add_child(HtmlControl(html_text, position=position, css_class="gridplan-panel"))


def tooltip_html(rows: Iterable[tuple[str, object]]) -> str:
    """A two-column tooltip table (escaped)."""
    cells = "".join(f"<tr><th style='text-align:left;padding-right:6px'>{esc(k)}</th>"
                    f"<td>{esc(v)}</td></tr>" for k, v in rows)
    return f"<table class='gridplan-tip'>{cells}</table>"


class Attribution(MacroElement):
    """Adds text (trusted HTML) to the map's attribution control; used when there are no tiles."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text
