"""交界地带 in real headless Chromium as a joint viewer: the shared zone only, boundary hotspots
with their 7×24 heat grid and weekly trend, joint patrols, the meeting sheet PDF — and nothing
outside the zone is reachable."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from shapely.geometry import shape

from tests.web.api_client import Client
from tests.web.conftest import DESKTOP, PHONE, screenshot, severe_logs, sign_in, viewport, wait_for
from tests.web.live import HP, JA


@pytest.mark.browser
def test_joint_viewer_sees_the_zone_hotspots_patrols_and_downloads_the_sheet(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "joint")
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#nav a")] == ["交界地带"]
    driver.find_element(By.ID, "continue").click()
    wait_for(lambda: driver.execute_script("return document.body.dataset.zoneReady"), what="zone")
    options = driver.find_elements(By.CSS_SELECTOR, "#pair-select option")
    assert len(options) == 1 and HP in options[0].text and JA in options[0].text
    driver.find_element(By.ID, "joint-btn").click()
    line = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "#joint-jobs .progress"))
    wait_for(lambda: line.get_attribute("data-status"), timeout=240, what="joint job")
    assert line.get_attribute("data-status") == "succeeded"
    cards = driver.find_elements(By.CSS_SELECTOR, "article.hotspot")
    assert cards, "the sample has boundary hotspots"
    assert len(cards[0].find_elements(By.CSS_SELECTOR, "table.heat tbody tr")) == 7
    assert len(cards[0].find_elements(By.CSS_SELECTOR, "table.heat tbody tr:first-child td")) == 24
    assert cards[0].find_elements(By.CSS_SELECTOR, "svg.spark polyline")
    assert driver.find_elements(By.CSS_SELECTOR, "article.patrol")
    assert "会合点" in driver.find_element(By.ID, "map").text
    screenshot(driver, "joint", DESKTOP)
    driver.find_element(By.ID, "sheet-btn").click()
    pdf = wait_for(lambda: next(iter(driver.downloads.glob("*.pdf")), None), timeout=120,
                   what="meeting sheet")
    wait_for(lambda: pdf.stat().st_size > 10_000 and pdf.read_bytes().startswith(b"%PDF"))
    viewport(driver, PHONE)
    screenshot(driver, "joint", PHONE)
    assert severe_logs(driver) == []


def test_joint_viewer_reaches_nothing_outside_the_zone_through_the_api(live):
    joint = Client(live.url, "joint")
    status, zone = joint.call(f"/zones/{HP}/{JA}")
    assert status == 200
    band = shape(zone["geometry"]).buffer(1e-6)
    status, streets = joint.call(f"/app/api/streets/zone/{HP}/{JA}")
    assert status == 200 and streets["features"]
    assert all(band.contains(shape(f["geometry"])) for f in streets["features"])
    for path in ("/app/api/streets/grid/1", f"/app/api/streets/district/{HP}",
                 "/app/api/plans/1/units", "/incidents/1", "/networks"):
        status, _ = joint.call(path)
        assert status in (403, 404) or (path == "/networks" and _["items"] == []), path
    assert joint.call("/grids")[1]["items"] == [] and joint.call("/plans")[1]["items"] == []
    assert joint.call("/app/api/streets/zone/310101/310105")[0] == 403  # another pair
    assert joint.call("/app/api/joint/pairs")[1] == [
        {"pair": [HP, JA], "names": ["黄浦区", "静安区"]}]


@pytest.mark.browser
def test_joint_viewer_screens_outside_the_zone_show_nothing(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "joint")
    for page in ("today", "grids", "data"):
        driver.get(f"{live.url}/app/{page}")
        wait_for(lambda: "无权访问" in driver.find_element(By.ID, "flash").text, what=page)
        assert not driver.find_elements(By.CSS_SELECTOR, "#map path"), page
