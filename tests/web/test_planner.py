"""网格调整 in real headless Chromium: redesign → proposal, move a unit and see the balance
change, a refused move says why, save with a conflict ("someone changed this grid — reload"),
promote; compare table; the week roster calendar, and on it the blind spots the officers' tracks
show."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from shapely.geometry import shape
from shapely.ops import unary_union

from gridplan.coverage import StreetIndex
from tests.tracks.test_tracks_api import _walk_in, gpd_shape
from tests.web.api_client import Client
from tests.web.conftest import DESKTOP, PHONE, screenshot, severe_logs, sign_in, viewport, wait_for

pytestmark = pytest.mark.browser


def _ready(driver) -> None:
    wait_for(lambda: driver.execute_script("return document.body.dataset.unitsReady") == "1",
             timeout=120, what="units")


def _candidates(api: Client, plan_id: int) -> tuple[tuple[str, str], str]:
    """A legal move (unit, target grid) found through the API, and a unit far from that target."""
    status, layout = api.call(f"/app/api/plans/{plan_id}/units")
    assert status == 200, layout
    assignment = layout["assignment"]
    units = {f["properties"]["unit"]: shape(f["geometry"]) for f in layout["units"]["features"]}
    sizes: dict[str, int] = {}
    for grid in assignment.values():
        sizes[grid] = sizes.get(grid, 0) + 1
    tried = 0
    for u, geom in units.items():
        own = assignment[u]
        if own.startswith("无网格") or sizes[own] < 3:
            continue
        for v, other in units.items():
            target = assignment[v]
            if target == own or target.startswith("无网格") or not geom.touches(other):
                continue
            tried += 1
            status, _ = api.call(f"/app/api/plans/{plan_id}/units/move", "POST", json_body={
                "assignment": assignment, "units": [u], "to": target})
            if status == 200:
                grid = unary_union([g for w, g in units.items() if assignment[w] == target])
                far = next(w for w, g in units.items() if g.distance(grid) > 0.002)
                return (u, target), far
            break
        assert tried < 40, "no legal move found"
    raise AssertionError("no legal move found")


def test_planner_redesigns_moves_units_hits_a_conflict_and_promotes(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "planner")
    driver.get(f"{live.url}/app/grids")
    _ready(driver)
    assert driver.find_elements(By.CSS_SELECTOR, "path.unit")
    # redesign with a chosen grid count and seed → a new proposal, selected
    n_grids = driver.find_element(By.ID, "n-grids")
    n_grids.clear()
    n_grids.send_keys("8")
    driver.find_element(By.CSS_SELECTOR, "#redesign-form button").click()
    line = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "#redesign-jobs .progress"))
    wait_for(lambda: line.get_attribute("data-status"), timeout=180, what="redesign job")
    assert line.get_attribute("data-status") == "succeeded"
    wait_for(lambda: "8 · seed 0" in Select(driver.find_element(By.ID, "plan-select"))
             .first_selected_option.text, what="proposal selected")
    _ready(driver)
    plan_id = int(Select(driver.find_element(By.ID, "plan-select")).first_selected_option
                  .get_attribute("value"))
    rows = driver.find_elements(By.CSS_SELECTOR, ".grid-figures tbody tr")
    assert len(rows) == 8

    planner = Client(live.url, "planner")
    (unit, target), far = _candidates(planner, plan_id)
    row = f".grid-figures tr[data-code='{target}'] td:nth-child(2)"
    before = driver.find_element(By.CSS_SELECTOR, row).text

    # a refused move says why
    _move(driver, far, target)
    refused = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "#move-result .refused"))
    assert "不能移动" in refused.text and refused.find_elements(By.CSS_SELECTOR, "li")
    # a legal move changes the figures at once
    _move(driver, unit, target)
    wait_for(lambda: "✓" in driver.find_element(By.ID, "move-result").text, what="move")
    # the target grid's workload (and with it the balance figures) changed at once
    assert float(driver.find_element(By.CSS_SELECTOR, row).text) > float(before)
    screenshot(driver, "grids", DESKTOP)

    # someone else saves the target grid meanwhile → our save is refused: reload
    _, grids = planner.call(f"/grids?plan_id={plan_id}")
    theirs = next(g for g in grids["items"] if g["code"] == target)
    status, _ = planner.call(f"/grids/{theirs['id']}", "PATCH", json_body={"name": "他人修改"},
                             headers={"If-Match": f'"{theirs["version"]}"'})
    assert status == 200
    driver.find_element(By.ID, "save-btn").click()
    wait_for(lambda: "有人修改了该网格" in driver.find_element(By.ID, "flash").text,
             what="conflict message")
    driver.find_element(By.ID, "reload-btn").click()
    _ready(driver)
    _move(driver, unit, target)
    wait_for(lambda: "✓" in driver.find_element(By.ID, "move-result").text, what="move again")
    driver.find_element(By.ID, "save-btn").click()
    wait_for(lambda: "保存 ✓" in driver.find_element(By.ID, "flash").text, what="saved")
    _, saved = planner.call(f"/grids/{theirs['id']}")
    assert saved["name"] == "他人修改"  # their change kept, our shape saved on top
    assert saved["version"] == theirs["version"] + 2

    driver.find_element(By.ID, "compare-btn").click()
    table = wait_for(lambda: driver.find_element(By.ID, "compare-table"), timeout=120)
    assert "现行" in table.text and "调整后" in table.text

    driver.find_element(By.ID, "promote-btn").click()
    wait_for(lambda: "已设为现行方案" in driver.find_element(By.ID, "flash").text, what="promoted")
    _, plans = planner.call("/plans")
    assert next(p for p in plans["items"] if p["id"] == plan_id)["status"] == "current"
    assert severe_logs(driver, ignore=("409", "422")) == []


def _move(driver, unit: str, target: str) -> None:
    box = driver.find_element(By.ID, "unit-ids")
    box.clear()
    box.send_keys(unit)
    driver.execute_script("arguments[0].dispatchEvent(new Event('change'))", box)
    Select(driver.find_element(By.ID, "move-to")).select_by_value(target)
    driver.find_element(By.ID, "move-result").get_attribute("id")
    driver.execute_script("document.getElementById('move-result').replaceChildren()")
    driver.find_element(By.ID, "move-btn").click()


def test_planner_sees_both_layouts_and_the_week_roster(driver, live):
    viewport(driver, DESKTOP)
    sign_in(driver, live, "planner")
    driver.get(f"{live.url}/app/grids")
    _ready(driver)
    driver.find_element(By.CSS_SELECTOR, "input[name=show][value=both]").click()
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#legend span")) >= 1)
    driver.find_element(By.ID, "roster-btn").click()
    table = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "#roster table.cal"),
                     timeout=180, what="roster calendar")
    assert "一" in table.text and "日" in table.text
    assert driver.find_elements(By.CSS_SELECTOR, "#roster td.day")
    assert driver.find_elements(By.CSS_SELECTOR, "#roster tr.blind")
    screenshot(driver, "grids_roster", DESKTOP, full=True)
    viewport(driver, PHONE)
    screenshot(driver, "grids", PHONE)


@pytest.mark.slow  # a coverage job and a roster job behind a real browser: ~18 s on 2 cores
def test_the_roster_calendar_shows_the_blind_spots_the_tracks_show(driver, live, sample_walk):
    """A planner measured one grid's tracks (a short morning walk): with "set against my latest
    tracks" the roster marks that grid's night and weekend shifts blind by the tracks, with the
    cause in Chinese; grids without tracks get no observed row at all."""
    import httpx

    viewport(driver, DESKTOP)
    sign_in(driver, live, "planner")
    driver.get(f"{live.url}/app/grids")
    _ready(driver)
    planner = Client(live.url, "planner")
    plan_id = Select(driver.find_element(By.ID, "plan-select")).first_selected_option \
        .get_attribute("value")
    _, grids = planner.call(f"/grids?plan_id={plan_id}")
    grid = grids["items"][0]
    _, networks = planner.call("/networks")
    walk = _walk_in(StreetIndex(sample_walk), gpd_shape(grid["geometry"], sample_walk.crs),
                    "甲", 3)
    sent = httpx.post(f"{live.url}/tracks/coverage", timeout=120,
                      headers={"Authorization": f"Bearer {planner.token}"},
                      data={"grid_id": str(grid["id"]),
                            "network_id": str(networks["items"][0]["id"])},
                      files={"file": ("tracks.csv", walk.to_csv(index=False).encode(),
                                      "text/csv")})
    assert sent.status_code == 202, sent.text
    wait_for(lambda: planner.call(f"/jobs/{sent.json()['id']}")[1]["status"] == "succeeded",
             timeout=300, what="the coverage job")
    driver.find_element(By.ID, "roster-coverage").click()
    driver.find_element(By.ID, "roster-btn").click()
    wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "#roster table.cal"), timeout=180,
             what="roster calendar")
    assert grid["code"] in driver.find_element(By.ID, "coverage-source").text
    table = driver.find_element(By.CSS_SELECTOR, f"table.cal[data-grid='{grid['code']}']")
    rows = table.find_elements(By.CSS_SELECTOR, "tr.observed")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["实测盲区 白", "实测盲区 黑"]
    night = rows[1].find_elements(By.CSS_SELECTOR, "td.seen-gap")
    assert len(night) == 7  # a morning walk: every night shift is blind by the tracks
    assert "个夜间未到" in night[0].get_attribute("title")
    words = driver.find_element(By.CSS_SELECTOR, ".observed-list").text
    assert "近 7 个夜间未到" in words and "公里街道" in words
    assert any(c in words for c in ("无人排班", "部分时段无人排班", "有人在岗，仍未巡到"))
    assert not any(w in words for w in ("rostered", "walked"))  # causes in the page's language
    # the observed rows belong to the measured grid only
    assert len(driver.find_elements(By.CSS_SELECTOR, "tr.observed")) == 2
    source = driver.find_element(By.ID, "coverage-source")  # which tracks, how to read it
    driver.execute_script("arguments[0].scrollIntoView()", source)
    screenshot(driver, "grids_roster_observed", DESKTOP)
    viewport(driver, PHONE)
    driver.execute_script("arguments[0].scrollIntoView()", source)
    screenshot(driver, "grids_roster_observed", PHONE)
    assert severe_logs(driver) == []
