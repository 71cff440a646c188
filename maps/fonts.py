"""The Chinese font every map and sheet uses, on any machine.

gridplan ships Noto Sans CJK (SIL Open Font License 1.1) through the PyPI package
``noto-cjk-sans-otc`` (one OpenType collection, Regular weight, ~19 MB), so Chinese labels
render with no system font installed:

* the meeting sheet (matplotlib) registers the collection and draws with its Simplified-Chinese
  face ``Noto Sans CJK SC``;
* every HTML map carries an ``@font-face`` whose source is a WOFF subset of that face holding
  exactly the characters the page uses, inlined as a data URI (a few kB to ~100 kB; no CDN, no
  second file), under the family name :data:`WEB_FAMILY`.

``GRIDPLAN_CJK_FONT=system`` (or ``source="system"``) uses an installed system CJK font instead
(e.g. Debian ``fonts-noto-cjk``), ``GRIDPLAN_CJK_FONT=/path/font.otf`` a given file.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import re
from pathlib import Path

#: the Simplified-Chinese face of the bundled collection
SHEET_FAMILY = "Noto Sans CJK SC"
#: the family name the maps' CSS asks for first (the inlined subset)
WEB_FAMILY = "gridplan CJK"
#: installed families tried by the system path, best first
SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC",
                   "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
                   "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")
_SYSTEM_FILE_TAGS = ("CJK", "wqy", "SourceHan", "simhei", "msyh", "PingFang")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")  # folium escapes non-ASCII in scripts


def font_source() -> str:
    """``bundled`` (default), ``system`` or a font file path, from ``GRIDPLAN_CJK_FONT``."""
    return os.environ.get("GRIDPLAN_CJK_FONT", "").strip() or "bundled"


def bundled_font_path() -> Path | None:
    """The shipped Noto Sans CJK collection, or None when the package is not installed."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:
        return None
    path = Path(str(FONT_PATH))
    return path if path.is_file() else None


def _face_index(path: Path, family: str) -> int:
    """Which face of a collection is ``family`` (0 for a single font)."""
    from fontTools.ttLib import TTCollection

    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    with TTCollection(str(path), lazy=True) as collection:
        for i, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == family:
                return i
    return 0


# ------------------------------------------------------------------------------- matplotlib
def matplotlib_family(source: str | None = None) -> str | None:
    """Register and return the CJK family for matplotlib (None if no CJK font is available).

    ``source``: ``bundled`` (the shipped collection), ``system`` (an installed font) or a path.
    """
    from matplotlib import font_manager

    source = source or font_source()
    if source == "system":
        return _system_family(font_manager)
    path = bundled_font_path() if source == "bundled" else Path(source)
    if path is None or not path.is_file():
        return None
    return _register(font_manager, str(path))


@functools.cache
def _register(font_manager, path: str) -> str | None:
    before = {id(f) for f in font_manager.fontManager.ttflist}
    font_manager.fontManager.addfont(path)
    added = [f.name for f in font_manager.fontManager.ttflist if id(f) not in before]
    added = added or [f.name for f in font_manager.fontManager.ttflist if f.fname == path]
    return SHEET_FAMILY if SHEET_FAMILY in added else (added[0] if added else None)


def _system_family(font_manager) -> str | None:
    def installed() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((family for family in SYSTEM_FAMILIES if family in names), None)

    family = installed()
    if family is None:  # fonts installed after matplotlib cached its list
        for path in font_manager.findSystemFonts():
            if any(tag.lower() in Path(path).name.lower() for tag in _SYSTEM_FILE_TAGS):
                font_manager.fontManager.addfont(path)
        family = installed()
    return family


# ------------------------------------------------------------------------------------- HTML
def font_face_css(text: str, *, source: str | None = None) -> str:
    """An ``@font-face`` rule for :data:`WEB_FAMILY` holding the CJK characters of ``text``
    ('' when the text has none, or with ``system``: the browser's fonts are used then)."""
    source = source or font_source()
    found = set(_NON_ASCII.findall(text))
    found |= {chr(int(code, 16)) for code in _JSON_ESCAPE.findall(text)} - {chr(c) for c in
                                                                           range(0x80)}
    chars = "".join(sorted(c for c in found if not 0xD800 <= ord(c) <= 0xDFFF))
    if not chars or source == "system":
        return ""
    path = bundled_font_path() if source == "bundled" else Path(source)
    if path is None or not path.is_file():
        return ""
    woff = _subset_woff(str(path), chars)
    data = base64.b64encode(woff).decode("ascii")
    return (f'@font-face {{ font-family: "{WEB_FAMILY}"; font-style: normal; font-weight: 100 900; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


@functools.lru_cache(maxsize=32)
def _subset_woff(path: str, chars: str) -> bytes:
    """WOFF (zlib; no brotli needed) with only ``chars`` (+ ASCII) of the SC face of ``path``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars + "".join(map(chr, range(0x20, 0x7f))))
    out = io.BytesIO()
    with TTFont(path, fontNumber=_face_index(Path(path), SHEET_FAMILY)) as font:
        subsetter.subset(font)
        font.save(out)
    return out.getvalue()


def cjk_glyphs(path: str | os.PathLike[str], text: str) -> set[str]:
    """The characters of ``text`` that the SC face of ``path`` has a glyph for (tests use it)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=_face_index(Path(path), SHEET_FAMILY), lazy=True) as font:
        cmap = font.getBestCmap()
    return {c for c in text if ord(c) in cmap}
