"""数据 in real headless Chromium as a planner: upload a street network, incidents (a bad column
mapping lists every problem, the coordinate system is chosen) and a grid layout; see what is
loaded with its sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from geodata import sample
from tests.web.conftest import DESKTOP, PHONE, screenshot, severe_logs, sign_in, viewport, wait_for

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parent.parent / "data" / "api"


def _submit(driver, form: str) -> str:
    driver.find_element(By.CSS_SELECTOR, f"#{form} button[type=submit]").click()
    box = driver.find_element(By.ID, form.replace("-form", "-result"))
    wait_for(lambda: box.find_elements(By.CSS_SELECTOR, "[data-status]"), timeout=120,
             what=form)
    return box.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status")


def _field(driver, field_id: str, value: str) -> None:
    box = driver.find_element(By.ID, field_id)
    box.clear()
    box.send_keys(value)


def test_planner_uploads_network_incidents_and_grids(driver, live, tmp_path):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "planner")
    driver.get(f"{live.url}/app/data")
    wait_for(lambda: driver.execute_script("return document.body.dataset.loaded"), what="lists")
    assert "OpenStreetMap" in driver.find_element(By.ID, "sources").text

    driver.find_element(By.ID, "net-file").send_keys(str(DATA / "shanghai_crop_drive.osm"))
    _field(driver, "net-name", "外滩小片区")
    assert _submit(driver, "network-form") == "ok"

    # a wrong column mapping: every problem listed, nothing stored
    driver.find_element(By.ID, "inc-file").send_keys(str(DATA / "incidents_310101.csv"))
    _field(driver, "inc-name", "12319 导出")
    _field(driver, "time-col", "tme")
    _field(driver, "cat-col", "categry")
    assert _submit(driver, "incidents-form") == "error"
    problems = driver.find_elements(By.CSS_SELECTOR, "#incidents-result .problems li")
    assert len(problems) >= 2 and any("tme" in p.text for p in problems)
    screenshot(driver, "data", DESKTOP, full=True)
    _field(driver, "time-col", "time")
    _field(driver, "cat-col", "category")
    Select(driver.find_element(By.ID, "inc-coords")).select_by_value("wgs84")
    assert _submit(driver, "incidents-form") == "ok"

    grids = sample.grids()
    grids = grids[grids["parent_code"] == "310101"].head(2)
    good = tmp_path / "two_grids.geojson"
    grids.to_file(good, driver="GeoJSON")
    bad = tmp_path / "bad_grids.geojson"
    grids.drop(columns=["parent_code"]).to_file(bad, driver="GeoJSON")
    _field(driver, "grids-name", "上传方案")
    driver.find_element(By.ID, "grids-file").send_keys(str(bad))
    assert _submit(driver, "grids-form") == "error"
    assert "parent_code" in driver.find_element(By.ID, "grids-result").text
    driver.find_element(By.ID, "grids-file").send_keys(str(good))
    assert _submit(driver, "grids-form") == "ok"
    loaded = driver.find_element(By.ID, "loaded").text
    assert "外滩小片区" in loaded and "12319 导出" in loaded and "上传方案" in loaded
    viewport(driver, PHONE)
    screenshot(driver, "data", PHONE)
    assert severe_logs(driver, ignore=("422",)) == []
