import datetime as dt

import pytest
from matplotlib import image

from maps import sheet
from maps.layers import validate_layer
from maps.sheet import CJKFontMissingWarning, hotspot_table, write_meeting_sheet


@pytest.mark.parametrize("paper, ratio", [("A4", 297 / 210), ("A3", 420 / 297)])
def test_sheet_png_and_pdf(paper, ratio, jurisdictions, grids, zones, hotspots, routes,
                           meeting_points, streets, tmp_path):
    files = write_meeting_sheet(jurisdictions, tmp_path / "s.png", tmp_path / "s.pdf",
                                date=dt.date(2026, 11, 25), grids=grids, zones=zones,
                                streets=streets,
                                hotspots=hotspots, joint_routes=routes,
                                meeting_points=meeting_points, paper=paper, dpi=60)
    height, width = image.imread(files.png).shape[:2]
    assert width / height == pytest.approx(ratio, rel=0.01)
    assert files.pdf.read_bytes().startswith(b"%PDF")
    assert files.lang in ("zh", "en")


def test_sheet_falls_back_to_english_without_cjk_font(monkeypatch, jurisdictions, tmp_path):
    monkeypatch.setattr(sheet, "cjk_font", lambda: None)
    with pytest.warns(CJKFontMissingWarning, match="fonts-noto-cjk"):
        files = write_meeting_sheet(jurisdictions.assign(name=["Huangpu", "Jing'an"]),
                                    tmp_path / "s.png", tmp_path / "s.pdf", date="2026-11-25",
                                    streets=None, dpi=40)
    assert files.lang == "en"


def test_hotspot_table_ranks_hot_cells_by_z(hotspots, jurisdictions):
    table = hotspot_table(validate_layer(hotspots, "hotspots"),
                          validate_layer(jurisdictions, "jurisdictions"), rows=5)
    assert list(table["rank"]) == [1, 2, 3, 4, 5]
    assert (table["gi_bin"] > 0).all() and table["gi_z"].is_monotonic_decreasing
    assert set(table["side"]) <= {"黄浦区", "静安区", "—"}


def test_unknown_paper_is_refused(jurisdictions, tmp_path):
    with pytest.raises(ValueError, match="paper"):
        write_meeting_sheet(jurisdictions, tmp_path / "a.png", tmp_path / "a.pdf",
                            date="2026-11-25", paper="Letter", streets=None)


def test_sheet_lists_the_meetings_boundary_hotspots(jurisdictions, zones, tmp_path):
    import pandas as pd

    rows = pd.DataFrame([{"rank": 1, "incidents_by_side": "134 / 46",
                          "peak_window": "20:00–05:00", "cadence": "nightly",
                          "lead": "310101 黄浦区"}])
    fig, lang = sheet.meeting_sheet(jurisdictions, date="2026-11-25", zones=zones, streets=None,
                                    meeting_list=rows, lang="en")
    cells = {t.get_text() for ax in fig.axes for table in ax.tables
             for t in (c.get_text() for c in table.get_celld().values())}
    assert {"134 / 46", "20:00–05:00", "nightly", "Peak window"} <= cells
    assert lang == "en"
