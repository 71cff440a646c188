"""Browser tests of the web app: a real service on loopback (SQLite, and PostGIS when
GRIDPLAN_TEST_PG_URL is set) driven by headless Chromium. Skips where Chromium is absent unless
GRIDPLAN_REQUIRE_BROWSER=1. With GRIDPLAN_WEB_SCREENS=docs/screens the screenshots of every
screen are written there (that is how the README's screenshots are made)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from maps.browser import chromium, chromium_available
from tests.web.live import PASSWORD, Live, live_service

PHONE, DESKTOP = (390, 844), (1920, 1080)


def _require_browser() -> None:
    missing = chromium_available()
    if missing:
        if os.environ.get("GRIDPLAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GRIDPLAN_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("web-live")
    with live_service(folder, database_url=f"sqlite:///{folder / 'gridplan.sqlite'}",
                      cache_dir=tmp_path_factory.getbasetemp() / "web-cache") as service:
        yield service


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    _require_browser()
    with chromium(width=DESKTOP[0], height=DESKTOP[1]) as browser:
        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": str(tmp_path)})
        browser.downloads = tmp_path
        yield browser


def viewport(driver: Any, size: tuple[int, int]) -> None:
    width, height = size
    driver.set_window_size(width, height)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def wait_for(predicate: Callable[[], Any], *, timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - the element may not exist yet
            value = None
        if value:
            return value
        time.sleep(0.15)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def sign_in(driver: Any, live: Live, user: str, *, lang: str = "zh") -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{live.url}/app/signin?lang={lang}")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    wait_for(lambda: driver.find_element(By.ID, "identity").is_displayed(), what="identity")


def severe_logs(driver: Any, *, ignore: tuple[str, ...] = ()) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"
            and not any(s in e["message"] for s in ignore)]


def screenshot(driver: Any, name: str, size: tuple[int, int], *, full: bool = False) -> Path:
    """Save the screen as ``web_<name>_<phone|desktop>.png`` (docs/screens when asked)."""
    folder = Path(os.environ.get("GRIDPLAN_WEB_SCREENS") or driver.downloads / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"web_{name}_{'phone' if size == PHONE else 'desktop'}.png"
    if full:  # the whole page, not just the viewport (cards below the map)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": min(int(height), 4000), "deviceScaleFactor": 1,
            "mobile": size[0] < 600})
        time.sleep(0.4)
    driver.save_screenshot(str(path))
    if full:
        viewport(driver, size)
    return path


@pytest.fixture(scope="module")
def live_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The same service on PostgreSQL + PostGIS (a fresh schema), when GRIDPLAN_TEST_PG_URL is
    set; skipped otherwise (failed with GRIDPLAN_REQUIRE_PG=1)."""
    from tests.api.conftest import pg_url_or_skip, temporary_schema

    url = pg_url_or_skip()
    folder = tmp_path_factory.mktemp("web-live-pg")
    with temporary_schema(url) as schema_url, live_service(
            folder, database_url=schema_url,
            cache_dir=tmp_path_factory.getbasetemp() / "web-cache") as service:
        yield service
