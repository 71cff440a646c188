"""Chinese renders on a machine without any system CJK font (issue 10.7): the sheet draws with
the shipped Noto Sans CJK, and every HTML map inlines a subset of it for its own characters."""

import base64
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from maps import fonts, grid_map, save_map

ROOT = Path(__file__).parents[2]

# The sheet in a fresh process whose matplotlib knows only its own fonts (DejaVu): no system
# font at all, so a CJK glyph can only come from the shipped collection. matplotlib warns
# "Glyph … missing from font(s)" for tofu; warnings are errors here.
_BARE_MACHINE_SHEET = r"""
import json, sys, warnings
warnings.simplefilter("error")
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager as fm
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if "matplotlib" in f.fname]
fm.findSystemFonts = lambda *a, **k: []
fm.fontManager._findfont_cached.cache_clear()
from geodata import sample
from maps.sheet import write_meeting_sheet
files = write_meeting_sheet(sample.jurisdictions(), sys.argv[1] + "/s.png", sys.argv[1] + "/s.pdf",
                            date="2026-11-30", streets=sample.network("walk"), dpi=50)
family = __import__("maps.fonts", fromlist=["x"]).matplotlib_family()
used = fm.findfont(fm.FontProperties(family=[family]), fallback_to_default=False)
print(json.dumps({"lang": files.lang, "family": family, "file": used}))
"""


def test_sheet_draws_chinese_without_any_system_cjk_font(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    env.pop("GRIDPLAN_CJK_FONT", None)
    run = subprocess.run([sys.executable, "-c", _BARE_MACHINE_SHEET, str(tmp_path)],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["lang"] == "zh" and out["family"] == fonts.SHEET_FAMILY
    assert Path(out["file"]) == fonts.bundled_font_path()
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")


def test_bundled_font_has_the_glyphs_of_the_labels():
    from maps.labels import labels

    text = "".join(str(v) for v in labels("zh").values())
    han = {c for c in text if "\u4e00" <= c <= "\u9fff"}
    assert len(han) > 50
    assert fonts.cjk_glyphs(fonts.bundled_font_path(), "".join(han)) == han


def _woff_of(page: str) -> bytes:
    match = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page)
    assert match, "no inlined @font-face"
    return base64.b64decode(match.group(1))


def test_html_map_inlines_a_subset_with_exactly_its_characters(grids, tmp_path):
    from fontTools.ttLib import TTFont

    page = save_map(grid_map(grids, streets=None, tiles="none"),
                    tmp_path / "g.html").read_text("utf-8")
    assert f'font-family: "{fonts.WEB_FAMILY}"' in page and "fonts.googleapis" not in page
    font = TTFont(io.BytesIO(_woff_of(page)))
    cmap = font.getBestCmap()
    wanted = {c for c in page if ord(c) > 0x7F}
    wanted |= {chr(int(h, 16)) for h in re.findall(r"\\u([0-9a-fA-F]{4})", page)}
    assert "责" in wanted  # the title, written JSON-escaped inside a script
    missing = {c for c in wanted if ord(c) not in cmap}
    # everything the page writes in Chinese is in the subset (symbols such as ★ may not be CJK)
    assert not {c for c in missing if "\u3000" <= c <= "\u9fff"}, missing
    assert len(cmap) < 1000  # a subset, not the whole font


def test_system_font_path_is_an_option(monkeypatch, tmp_path, grids):
    monkeypatch.setenv("GRIDPLAN_CJK_FONT", "system")
    page = save_map(grid_map(grids, streets=None, tiles="none"),
                    tmp_path / "g.html").read_text("utf-8")
    assert "data:font/woff" not in page  # the browser's own fonts are used
    assert fonts.font_face_css("网格") == ""


def test_a_font_file_can_be_named(monkeypatch):
    monkeypatch.setenv("GRIDPLAN_CJK_FONT", str(fonts.bundled_font_path()))
    assert "data:font/woff" in fonts.font_face_css("网格")


def test_pages_without_chinese_get_no_font():
    assert fonts.font_face_css("plain ASCII page") == ""


@pytest.mark.parametrize("missing", ["", "/no/such/font.otf"])
def test_unusable_font_source_draws_nothing(monkeypatch, missing):
    if missing:
        monkeypatch.setenv("GRIDPLAN_CJK_FONT", missing)
        assert fonts.font_face_css("网格") == ""
        assert fonts.matplotlib_family() is None
