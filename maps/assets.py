"""Offline HTML: inline the vendored Leaflet JS/CSS instead of linking CDNs.

Government networks are often cut off from the internet, and a map that loads Leaflet from a CDN
is a blank page there. With ``offline=True`` every JS/CSS resource a folium element asks for is
either inlined from ``maps/static/`` (Leaflet 1.9.4, BSD-2-Clause; leaflet-textpath 1.3.0, MIT —
licences beside the files, taken from their npm packages) or dropped when the maps here never use
it (jQuery, Bootstrap, awesome-markers, Font Awesome: our maps use only plain Leaflet markers).
A resource that is neither raises, so an offline file can never silently depend on the network.
Images the Leaflet CSS refers to are inlined as data URIs.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path

import folium
from branca.element import Element, Figure

from gridplan.errors import GridPlanError, Problem

STATIC = Path(str(resources.files("maps") / "static"))

# folium resource name → vendored file (inlined in offline mode)
_VENDORED: dict[str, str] = {
    "leaflet": "leaflet.js",
    "leaflet_css": "leaflet.css",
    "polylinetextpath": "leaflet.textpath.js",
}
# folium's default resources that no map here relies on (no awesome-markers icons, no bootstrap UI)
_UNUSED: frozenset[str] = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})


@cache
def _static_text(filename: str) -> str:
    text = (STATIC / filename).read_text(encoding="utf-8")
    # source maps are not vendored: a reference would make devtools fetch a missing file
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    if filename.endswith(".css"):
        text = re.sub(r"url\((images/[\w.-]+\.png)\)", _data_uri, text)
    return text


def _data_uri(match: re.Match[str]) -> str:
    data = base64.b64encode((STATIC / match.group(1)).read_bytes()).decode("ascii")
    return f"url(data:image/png;base64,{data})"


def _walk(element: Element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _inline(name: str, filename: str) -> Element:
    text = _static_text(filename)
    if filename.endswith(".css"):
        return Element(f"<style>/* {filename} (vendored) */\n{text}</style>")
    # "</script" inside a string literal would end the tag early; Leaflet has none, but be safe
    text = text.replace("</script", "<\\/script")
    return Element(f"<script>/* {filename} (vendored) */\n{text}</script>")


def make_offline(fmap: folium.Map) -> folium.Map:
    """Rewrite every element's JS/CSS links to inline vendored copies; see the module docstring.

    Call after all layers are added and before saving. Returns ``fmap`` for chaining.
    """
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    needed: list[tuple[str, str]] = []  # (name, vendored file) in first-use order, JS after CSS
    problems: list[Problem] = []
    for element in _walk(fmap):
        js, css = getattr(element, "default_js", None), getattr(element, "default_css", None)
        if js is None and css is None:
            continue
        for name, url in [*(css or []), *(js or [])]:
            if name in _VENDORED:
                if (name, _VENDORED[name]) not in needed:
                    needed.append((name, _VENDORED[name]))
            elif name not in _UNUSED:
                problems.append(Problem(type(element).__name__, name, expected="a vendored "
                                        "offline copy", found=url, fix="vendor it under "
                                        "maps/static/ and list it in maps.assets._VENDORED"))
        element.default_js, element.default_css = [], []  # instance attributes shadow the class
    if problems:
        raise GridPlanError("map needs resources with no offline copy", problems)
    # CSS first, then Leaflet before its plugins: the order of `needed` puts leaflet first
    for name, filename in sorted(needed, key=lambda nf: (not nf[1].endswith(".css"),
                                                         nf[0] != "leaflet")):
        figure.header.add_child(_inline(name, filename), name=f"offline_{name}")
    return fmap


def external_resources(html: str) -> list[str]:
    """URLs of scripts and stylesheets an HTML page would fetch (tiles are not counted)."""
    scripts = re.findall(r"<script[^>]+src=[\"']([^\"']+)", html)
    links = re.findall(r"<link[^>]+href=[\"']([^\"']+)", html)
    return [u for u in scripts + links if re.match(r"(https?:)?//", u)]
