"""Web app first-screen benchmark (issue 13): how long each screen takes on loopback with the
bundled sample, in real headless Chromium, side by side with the API calls it makes.

    .venv/bin/python -m benchmarks.web_first_screen [--repeat 3]

A service with the sample starts on a loopback port (SQLite); each screen is opened as the role
it is for, ``--repeat`` times after one warm-up (the first visit of a screen fills the service's
per-process caches: the street network, the district's units). Columns, medians in ms:
``shell`` = the page's own HTML (navigation response end), ``DOM`` = DOMContentLoaded,
``ready`` = the screen shows its data (the app's ``gp-ready`` mark), ``slowest API`` = the
longest fetch the screen made. Goal: ``ready`` under 1000 ms for the first screen (sign-in),
and no screen slower than its slowest API call plus the browser's drawing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from maps.browser import chromium
from tests.web.live import PASSWORD, live_service

SCREENS = [("sign-in", "squad", "/app/signin"), ("today's patrol", "squad", "/app/today"),
           ("grid layout", "planner", "/app/grids"), ("boundary zone", "joint", "/app/joint"),
           ("data", "planner", "/app/data")]
TIMING = """
const nav = performance.getEntriesByType('navigation')[0];
const ready = performance.getEntriesByName('gp-ready')[0];
const api = performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'fetch');
return [nav.responseEnd, nav.domContentLoadedEventEnd, ready ? ready.startTime : null,
        Math.max(0, ...api.map((r) => r.duration))];"""


def sign_in(driver, base: str, user: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/app/signin")
    driver.execute_script("sessionStorage.clear()")
    driver.get(f"{base}/app/signin")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    deadline = time.monotonic() + 30
    while not driver.find_element(By.ID, "identity").is_displayed():
        if time.monotonic() > deadline:
            raise RuntimeError("sign-in failed")
        time.sleep(0.05)


def measure(driver, url: str) -> list[float]:
    driver.get(url)
    deadline = time.monotonic() + 120
    while driver.execute_script("return document.body.dataset.ready") != "1":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} never became ready")
        time.sleep(0.02)
    return driver.execute_script(TIMING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with live_service(Path(tempfile.mkdtemp(prefix="gridplan-bench-web-"))) as live, \
            chromium(width=1920, height=1080) as driver:
        rows = []
        for name, user, path in SCREENS:
            sign_in(driver, live.url, user)
            measure(driver, live.url + path)  # warm-up: the service's caches fill here
            runs = [measure(driver, live.url + path) for _ in range(args.repeat)]
            rows.append((name, user, *[statistics.median(r[i] for r in runs) for i in range(4)]))
    print(f"{'screen':<18} {'role':<8} {'shell':>7} {'DOM':>7} {'ready':>7} {'slowest API':>12}")
    for name, user, shell, dom, ready, slowest in rows:
        print(f"{name:<18} {user:<8} {shell:>7.0f} {dom:>7.0f} {ready:>7.0f} {slowest:>12.0f}")


if __name__ == "__main__":
    main()
