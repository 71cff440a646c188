"""巡查覆盖 in real headless Chromium: a squad leader uploads a track file of their officers,
follows the job, sees the coverage figures and the map of streets walked / missed, and takes
the coverage into the next plan."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

from gridplan.coverage import StreetIndex
from tests.tracks.test_tracks_api import _walk_in, gpd_shape
from tests.web.conftest import DESKTOP, PHONE, screenshot, severe_logs, sign_in, viewport, wait_for
from tests.web.live import SQUAD_GRID, squad_grid

pytestmark = pytest.mark.browser


def test_squad_leader_uploads_tracks_and_sees_coverage(driver, live, sample_walk, tmp_path):
    grid = squad_grid(live)
    walk = _walk_in(StreetIndex(sample_walk), gpd_shape(grid["geometry"], sample_walk.crs),
                    "甲", 1)
    tracks = tmp_path / "tracks.csv"
    walk.to_csv(tracks, index=False)
    viewport(driver, DESKTOP)
    sign_in(driver, live, "squad")
    driver.get(f"{live.url}/app/coverage")
    options = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#cov-grid option"),
                       what="grids")
    assert [o.text.split()[0] for o in options] == [SQUAD_GRID]  # only the squad's grid
    current = driver.find_element(By.CSS_SELECTOR, "#nav a[aria-current=page]")
    assert current.text == "巡查覆盖"
    driver.find_element(By.ID, "cov-file").send_keys(str(tracks))
    first = walk.iloc[0]
    driver.find_element(By.ID, "cov-key-points").send_keys(
        f"校门, {first['lon']}, {first['lat']}\n远处, {first['lon'] + 0.004}, {first['lat']}")
    driver.find_element(By.ID, "coverage-btn").click()
    wait_for(lambda: driver.find_element(By.CSS_SELECTOR, ".progress[data-status]")
             .get_attribute("data-status"), timeout=300, what="the coverage job")
    status = driver.find_element(By.CSS_SELECTOR, ".progress").get_attribute("data-status")
    assert status == "succeeded", driver.find_element(By.ID, "jobs").text
    figures = wait_for(lambda: driver.find_element(By.ID, "coverage-figures").text,
                       what="figures")
    assert "已走街道" in figures and "公里" in figures
    assert float(driver.find_element(By.ID, "pass-km").text) > 0
    assert driver.find_element(By.ID, "kp-reached").text == "1 / 2"  # the far one: not
    legend = driver.find_element(By.ID, "legend").text
    assert "已巡查" in legend and "未巡查" in legend and "轨迹 甲" in legend
    assert "近 7 天未到" in driver.find_element(By.ID, "summary").text
    assert "甲" in driver.find_element(By.ID, "details").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#map path")) > 10  # streets and track
    screenshot(driver, "coverage", DESKTOP, full=True)
    viewport(driver, PHONE)
    time.sleep(0.5)  # the map refits to the new window
    for part in ("summary", "map"):  # the phone's two screens: figures, then the map
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", part)
        screenshot(driver, f"coverage_{part}", PHONE)
    viewport(driver, DESKTOP)
    driver.find_element(By.ID, "plan-next").click()
    hint = wait_for(lambda: driver.find_element(By.ID, "coverage-used").text, what="hint")
    assert "漏巡街道优先" in hint
    assert not driver.find_element(By.ID, "recent-coverage").is_displayed()  # this one is used
    assert severe_logs(driver) == []


def test_a_track_file_that_cannot_be_used_lists_every_problem(driver, live, tmp_path):
    """A file with none of the columns: the failed job lists each missing column (file as
    uploaded, where, expected, found, fix) — no traceback, no stored path."""
    bad = tmp_path / "导出.csv"
    bad.write_text("who,when,x\n1,2,3\n", encoding="utf-8")
    viewport(driver, DESKTOP)
    sign_in(driver, live, "squad")
    driver.get(f"{live.url}/app/coverage")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#cov-grid option"), what="grids")
    driver.find_element(By.ID, "cov-file").send_keys(str(bad))
    driver.find_element(By.ID, "coverage-btn").click()
    line = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, ".progress[data-status]"),
                    timeout=120, what="the failed job")
    assert line.get_attribute("data-status") == "failed"
    items = [li.text for li in line.find_elements(By.CSS_SELECTOR, "ul.problems li")]
    assert len(items) == 3 and all(i.startswith("导出.csv · header") for i in items)
    assert all(any(column in i for i in items) for column in ("'officer'", "'time'", "'lat'"))
    assert all("应为" in i and "实为" in i and "修改" in i for i in items)
    assert "uploads" not in line.text and "Traceback" not in driver.page_source
    assert severe_logs(driver) == []


def test_the_app_carries_its_own_chinese_font(driver, live):
    """Chinese renders on a machine without a CJK font: the pages ask for the shipped Noto
    Sans CJK ("gridplan CJK"), which the browser loads from the service itself."""
    import urllib.request

    from maps.fonts import cjk_glyphs

    # the first request builds the file (a few CPU seconds, once per cache folder)
    with urllib.request.urlopen(f"{live.url}/app/fonts/cjk-common.woff", timeout=300) as response:
        woff = response.read()
        assert response.headers["Content-Type"] == "font/woff"
    driver.get(f"{live.url}/app/signin")
    driver.set_script_timeout(120)
    loaded = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.load('16px \"gridplan CJK\"', '网格巡查登录')"
        ".then((faces) => done(faces.length), () => done(-1));")
    assert loaded >= 1
    family = driver.execute_script("return getComputedStyle(document.body).fontFamily")
    assert '"gridplan CJK"' in family
    font = driver.downloads / "common.woff"
    font.write_bytes(woff)
    text = "网格巡查覆盖福州路黄浦区"
    assert cjk_glyphs(font, text) == set(text)
    assert severe_logs(driver) == []
