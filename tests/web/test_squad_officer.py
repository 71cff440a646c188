"""Sign-in, the squad leader's 今日巡查 and the officer's 我的路线 in real headless Chromium."""

from __future__ import annotations

import re
import time
import urllib.request

import gpxpy
import pytest
from selenium.webdriver.common.by import By

from tests.web.conftest import (
    DESKTOP,
    PHONE,
    screenshot,
    severe_logs,
    sign_in,
    viewport,
    wait_for,
)
from tests.web.live import SQUAD_GRID, squad_grid_point

pytestmark = pytest.mark.browser


def test_pages_carry_a_strict_csp_and_no_inline_script(live):
    for page in ("signin", "today", "coverage", "grids", "joint", "data", "sheet"):
        with urllib.request.urlopen(f"{live.url}/app/{page}") as response:
            csp = response.headers["Content-Security-Policy"]
            html = response.read().decode()
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        for attrs, body in scripts:  # code only from files; JSON data blocks are not run
            assert "src=" in attrs or 'type="application/json"' in attrs, attrs
            assert body.strip() == "" or 'type="application/json"' in attrs
        assert "http://" not in html.replace(live.url, "") and "https://" not in html


def test_sign_in_shows_role_and_scope_and_switches_language(driver, live):
    viewport(driver, DESKTOP)
    driver.get(f"{live.url}/app/signin")
    driver.find_element(By.ID, "username").send_keys("squad")
    driver.find_element(By.ID, "password").send_keys("wrong password")
    driver.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    wait_for(lambda: "用户名或密码错误" in driver.find_element(By.ID, "flash").text)
    screenshot(driver, "signin", DESKTOP)
    driver.find_element(By.ID, "password").clear()
    sign_in(driver, live, "squad")
    assert driver.find_element(By.ID, "id-role").text == "中队长"
    assert SQUAD_GRID in driver.find_element(By.ID, "id-scope").text
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#nav a")]
    assert nav == ["今日巡查", "巡查覆盖"]  # the squad leader's screens: nothing the API forbids
    driver.find_element(By.CSS_SELECTOR, "a.lang").click()
    wait_for(lambda: driver.find_element(By.ID, "id-role").text == "Squad leader")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    viewport(driver, PHONE)
    screenshot(driver, "signin", PHONE)
    assert severe_logs(driver, ignore=("401",)) == []


def _plan(driver, live, *, officers: str) -> None:
    driver.get(f"{live.url}/app/today")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "input[name=grid]"), what="grids")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#map path"), what="streets")
    driver.find_element(By.ID, "officers").send_keys(officers)
    lon, lat = squad_grid_point(live)
    driver.find_element(By.ID, "key-points").send_keys(f"学校门口, {lon}, {lat}, 09:00-10:00, 10")
    driver.find_element(By.ID, "plan-btn").click()


def test_squad_leader_plans_routes_downloads_gpx_and_opens_the_officer_page(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "squad")
    grids = None
    _plan(driver, live, officers="张伟\n李娜")
    grids = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#grid-list label")]
    assert len(grids) == 1 and SQUAD_GRID in grids[0]  # only the grid of the squad's scope
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "progress"), what="progress bar")
    cards = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".officer-card"),
                     timeout=120, what="officer cards")
    assert [c.get_attribute("data-officer") for c in cards] == ["张伟", "李娜"]
    assert "公里" in cards[0].text and "分钟" in cards[0].text
    assert driver.find_elements(By.CSS_SELECTOR, "#legend span.sw")
    assert driver.find_elements(By.CSS_SELECTOR, "textPath")  # direction arrows
    assert driver.find_elements(By.CSS_SELECTOR, ".kp-label")  # the key point with its window
    assert "09:00" in driver.find_element(By.CSS_SELECTOR, ".kp-label").text
    assert driver.find_element(By.ID, "uncovered").text  # uncovered list or "all covered"
    screenshot(driver, "today", DESKTOP, full=True)

    cards[0].find_element(By.CSS_SELECTOR, "button.gpx").click()
    gpx_file = wait_for(lambda: next(iter(driver.downloads.glob("*.gpx")), None),
                        what="GPX download")
    time.sleep(0.3)
    gpx = gpxpy.parse(gpx_file.read_text(encoding="utf-8"))
    assert len(gpx.tracks) == 1 and "张伟" in gpx.tracks[0].name
    assert sum(len(s.points) for s in gpx.tracks[0].segments) > 10

    cards[0].find_element(By.CSS_SELECTOR, "button.qr-btn").click()
    qr = wait_for(lambda: cards[0].find_element(By.CSS_SELECTOR, "img.qr"), what="QR code")
    wait_for(lambda: driver.execute_script("return arguments[0].naturalWidth", qr) > 50)
    link = cards[0].find_element(By.CSS_SELECTOR, ".qr-box a").get_attribute("href")
    assert "/app/r/" in link
    viewport(driver, PHONE)
    screenshot(driver, "today", PHONE)

    _officer_page(driver, link, squad_grid_point(live))


def _officer_page(driver, link: str, here: tuple[float, float]) -> None:
    """我的路线 on a phone: route, you-are-here, next instruction; still there offline."""
    viewport(driver, PHONE)
    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"]})
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride", {
        "latitude": here[1], "longitude": here[0], "accuracy": 10})
    driver.get(link)
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#turns li"), what="turn list")
    assert "张伟" in driver.find_element(By.ID, "route-meta").text
    driver.find_element(By.ID, "locate").click()
    wait_for(lambda: "您的位置" in driver.find_element(By.ID, "next").text, what="you are here")
    assert driver.find_elements(By.CSS_SELECTOR, ".here-dot")
    assert driver.find_element(By.ID, "ahead").text
    wait_for(lambda: driver.execute_script("return document.body.dataset.offlineReady"),
             what="offline copies")
    screenshot(driver, "route", PHONE)
    viewport(driver, DESKTOP)
    screenshot(driver, "route", DESKTOP)

    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        driver.get(link)  # the connection dropped: the saved route still opens
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#turns li"),
                 what="turn list offline")
        assert driver.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")
        assert "off" in driver.find_element(By.ID, "net-state").get_attribute("class")
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def first_card(driver, live, *, officers: str):
    """Sign in as the squad leader, plan, and wait for the first officer's card."""
    viewport(driver, DESKTOP)
    sign_in(driver, live, "squad")
    _plan(driver, live, officers=officers)
    return wait_for(lambda: driver.find_element(By.CSS_SELECTOR, ".officer-card"), timeout=120)


def test_route_sheet_prints_on_a4(driver, live):
    card = first_card(driver, live, officers="王强")
    card.find_element(By.XPATH, ".//button[contains(., 'A4')]").click()
    wait_for(lambda: len(driver.window_handles) == 2, what="sheet tab")
    driver.switch_to.window(driver.window_handles[1])
    wait_for(lambda: driver.execute_script("return document.body.dataset.ready"), what="sheet")
    assert "王强" in driver.find_element(By.ID, "sheet-h").text
    assert driver.find_elements(By.CSS_SELECTOR, "#sheet-turns li")
    screenshot(driver, "sheet", DESKTOP)
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69,
                                                     "preferCSSPageSize": True})
    assert len(pdf["data"]) > 10_000


def test_cancel_stops_a_running_plan(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "squad")
    _plan(driver, live, officers="A\nB\nC")
    cancel = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, ".progress button.danger"),
                      what="cancel button")
    cancel.click()
    line = driver.find_element(By.CSS_SELECTOR, ".progress")
    wait_for(lambda: line.get_attribute("data-status"), timeout=120, what="job end")
    assert line.get_attribute("data-status") == "cancelled"
    assert "已取消" in line.text
    assert not driver.find_elements(By.CSS_SELECTOR, ".officer-card")


def test_squad_leader_cannot_open_planner_screens_or_other_grids(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "squad")
    driver.get(f"{live.url}/app/grids")
    wait_for(lambda: "无权访问" in driver.find_element(By.ID, "flash").text)
    assert not driver.find_elements(By.CSS_SELECTOR, "#map path")
    status = driver.execute_script("""
        const r = await fetch('/app/api/streets/grid/1', {headers: {Authorization:
          'Bearer ' + sessionStorage.getItem('gp_token')}});
        return r.status;""")
    assert status == 403  # grid 1 is another squad's
