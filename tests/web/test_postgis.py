"""One path of the web app on PostgreSQL + PostGIS: the squad leader plans routes and downloads
a GPX; the joint viewer opens the zone."""

from __future__ import annotations

import gpxpy
import pytest
from selenium.webdriver.common.by import By

from tests.web.conftest import DESKTOP, sign_in, viewport, wait_for
from tests.web.test_squad_officer import first_card

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_squad_leader_plans_and_downloads_gpx_on_postgis(driver, live_pg):
    card = first_card(driver, live_pg, officers="张伟")
    card.find_element(By.CSS_SELECTOR, "button.gpx").click()
    gpx_file = wait_for(lambda: next(iter(driver.downloads.glob("*.gpx")), None), what="GPX")
    wait_for(lambda: gpxpy.parse(gpx_file.read_text(encoding="utf-8")).tracks, what="GPX track")


def test_joint_viewer_opens_the_zone_on_postgis(driver, live_pg):
    viewport(driver, DESKTOP)
    sign_in(driver, live_pg, "joint")
    driver.get(f"{live_pg.url}/app/joint")
    wait_for(lambda: driver.execute_script("return document.body.dataset.zoneReady"), what="zone")
    assert driver.find_elements(By.CSS_SELECTOR, "#map path")
