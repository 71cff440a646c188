"""Open saved HTML maps in headless Chromium: screenshots and JavaScript error logs.

Used by the browser tests and the demo. Needs the Debian packages ``chromium`` and
``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``); :func:`chromium_available`
says whether they are there. Every session uses a fresh profile directory and the flags below, so
nothing phones home and runs do not influence each other.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1")


def chromium_available() -> str | None:
    """None when Chromium and chromedriver are usable, else what is missing (for skip messages)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return (f"headless Chromium not available ({', '.join(missing)} missing): install the "
                "Debian packages chromium and chromium-driver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    return None


@dataclass
class PageReport:
    """What the browser saw: console entries at SEVERE level and the element counts asked for."""

    url: str
    errors: list[str]
    counts: dict[str, int]
    texts: dict[str, str] = field(default_factory=dict)
    screenshot: Path | None = None


@contextmanager
def chromium(*, width: int = 1280, height: int = 860) -> Iterator[object]:
    """A headless Chromium WebDriver with a throw-away profile; quits on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="gridplan-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def inspect_page(driver, html_path: Path, *, selectors: dict[str, str],
                 screenshot: Path | None = None, settle_s: float = 0.8,
                 ignore: tuple[str, ...] = ()) -> PageReport:
    """Load ``html_path``; count ``selectors`` (name → CSS selector); collect SEVERE console logs.

    ``ignore``: substrings of log messages to leave out (e.g. tile hosts when offline).
    """
    from selenium.webdriver.common.by import By

    url = Path(html_path).resolve().as_uri()
    driver.get(url)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not driver.execute_script(
            "return document.readyState === 'complete' && "
            "document.querySelector('.leaflet-container') !== null"):
        time.sleep(0.1)
    time.sleep(settle_s)  # let Leaflet finish fitBounds and draw the SVG paths
    counts = {name: len(driver.find_elements(By.CSS_SELECTOR, css))
              for name, css in selectors.items()}
    texts = {name: " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, css))
             for name, css in selectors.items()}
    errors = [entry["message"] for entry in driver.get_log("browser")
              if entry.get("level") == "SEVERE"
              and not any(s in entry["message"] for s in ignore)]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
    return PageReport(url=url, errors=errors, counts=counts, texts=texts, screenshot=screenshot)
