"""The Chinese font every map and sheet uses, on any machine.

gridplan ships Noto Sans CJK (SIL Open Font License 1.1) through the PyPI package
``noto-cjk-sans-otc`` (one OpenType collection, Regular weight, ~19 MB), so Chinese labels
render with no system font installed:

* the meeting sheet (matplotlib) registers the collection and draws with its Simplified-Chinese
  face ``Noto Sans CJK SC``;
* every HTML map carries an ``@font-face`` whose source is a WOFF subset of that face holding
  exactly the characters the page uses, inlined as a data URI (a few kB to ~100 kB; no CDN, no
  second file), under the family name :data:`WEB_FAMILY`.

* the web app asks for two WOFF files of that face (GB2312's common and rare characters, each
  with its ``unicode-range``), built once and kept in the cache folder (:func:`web_font`).

``GRIDPLAN_CJK_FONT=system`` (or ``source="system"``) uses an installed system CJK font instead
(e.g. Debian ``fonts-noto-cjk``), ``GRIDPLAN_CJK_FONT=/path/font.otf`` a given file.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import threading
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
def _subset_woff(path: str, chars: str, *, features: bool = True) -> bytes:
    """WOFF (zlib; no brotli needed) with only ``chars`` (+ ASCII) of the SC face of ``path``;
    ``features=False`` drops the OpenType layout features (half the size and time: the face
    is already the Simplified-Chinese one, and horizontal CJK text needs none)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"] if features else []
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


# ---------------------------------------------------------------------------------- web app
#: the web app's font: two WOFF files of the SC face, built once and kept on disk. ``common``
#: holds GB2312's symbols, punctuation and its 3,755 level-1 hanzi (nearly every character of
#: street names, labels and people's names); ``rare`` its 3,008 level-2 hanzi, which a browser
#: fetches only when a page shows one. Anything beyond GB2312 falls back to the browser's fonts.
WEB_PARTS = ("common", "rare")
#: what the ``rare`` face is asked for: the CJK blocks (the ``common`` face's exact list wins)
RARE_RANGE = "U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF"
WEB_FONT_VERSION = 1  # of the character sets and options below: a new one rebuilds the files


@functools.cache
def gb2312(part: str) -> str:
    """The characters of a :data:`WEB_PARTS` part, in code-point order."""
    rows = range(0xA1, 0xB0) if part == "common" else range(0xD8, 0xF8)
    if part == "common":
        rows = [*rows, *range(0xB0, 0xD8)]  # level 1 runs to row 0xD7
    out = set()
    for hi in rows:
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(c for c in out if ord(c) > 0x7F))


def unicode_ranges(chars: str) -> str:
    """``U+4E00-4E01, U+4E03, …`` for a CSS ``unicode-range`` (runs merged)."""
    codes = sorted({ord(c) for c in chars})
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def web_font_css(url: str) -> str:
    """The ``@font-face`` rules of :data:`WEB_FAMILY` for the web app; ``url`` is a format string
    whose ``{part}`` is each part's name. ``rare`` comes first so that ``common``'s exact list
    wins where both apply."""
    rules = []
    for part, ranges in (("rare", RARE_RANGE), ("common", unicode_ranges(gb2312("common")))):
        rules.append(f'@font-face {{ font-family: "{WEB_FAMILY}"; font-style: normal; '
                     f'font-weight: 100 900; font-display: swap; '
                     f'src: url({url.format(part=part)}) format("woff"); '
                     f"unicode-range: {ranges}; }}")
    return "\n".join(rules) + "\n"


_BUILDING = threading.Lock()


def web_font(part: str, folder: str | os.PathLike[str], *, source: str | None = None
             ) -> Path | None:
    """The WOFF file of ``part`` (see :data:`WEB_PARTS`), built into ``folder`` the first time
    (a few seconds) and reused after; None with ``source="system"`` or no font available."""
    source = source or font_source()
    path = bundled_font_path() if source == "bundled" else (
        None if source == "system" else Path(source))
    if part not in WEB_PARTS or path is None or not path.is_file():
        return None
    stat = path.stat()
    key = f"{path.name}-{stat.st_size}-{int(stat.st_mtime)}-v{WEB_FONT_VERSION}"
    target = Path(folder) / f"cjk-{part}-{key}.woff"
    with _BUILDING:  # one build per file, however many requests ask at once
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(_subset_woff(str(path), gb2312(part), features=False))
            os.replace(tmp, target)
    return target
