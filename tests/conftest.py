"""Browser fixtures shared by the report and dashboard tests.

The browser is Debian's ``chromium`` driven by Debian's ``chromium-driver`` (``make
test`` installs them when missing). Without them a browser test fails when it could
install them (running as root) and is skipped, with the reason, only for a user who
cannot. Screenshots go to a temporary folder, or to ``$COMMSIM_SCREENSHOTS``
(``make screenshots`` sets it to ``docs/screenshots``).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--window-size=1280,1000")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"


def _browser_available() -> bool:
    return bool(shutil.which("chromium")) and Path(CHROMEDRIVER).exists()


@pytest.fixture(scope="session")
def chrome():
    """Start headless Chromium browsers (each call a new one); all quit at the end."""
    if not _browser_available():
        if os.geteuid() == 0:
            pytest.fail(f"chromium or chromedriver is missing; `make test` installs them "
                        f"(or run: {INSTALL})")
        pytest.skip(f"chromium is missing and we are not root to install it (run: sudo "
                    f"{INSTALL})")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    started = []

    def start():
        options = Options()
        for arg in CHROME_ARGS:
            options.add_argument(arg)
        options.binary_location = shutil.which("chromium")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        browser.set_page_load_timeout(60)
        started.append(browser)
        return browser

    yield start
    for browser in started:
        browser.quit()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: ``$COMMSIM_SCREENSHOTS`` or a temporary folder."""
    chosen = os.environ.get("COMMSIM_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def full_page_screenshot():
    """Save the whole page (not just the window) as a PNG; returns its size in bytes."""

    def save(browser, path: Path, width: int = 1280) -> int:
        browser.execute_script("window.scrollTo(0, 0)")
        height = browser.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        browser.set_window_size(width, min(int(height) + 40, 12000))
        time.sleep(0.5)  # let charts resize to the new window
        browser.save_screenshot(str(path))
        browser.set_window_size(width, 1000)
        return path.stat().st_size

    return save
