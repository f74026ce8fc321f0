"""End-to-end tests: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run does it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 1000}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, email: str, password: str = "motdepasse-solide-2026") -> None:
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("#login-submit").click()
    page.wait_for_url("**/")


def screenshot(page, name: str) -> None:
    """The whole page, as tall as its content: the case page's draft panel is sticky and as
    high as the window (it scrolls on its own), so a window of the page's height shows all of
    it instead of a panel cut at 800 px."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    # Where the agent was: the window is put back there after (a journey's count of scrolls
    # must not change because a picture was taken).
    scrolled = page.evaluate("[window.scrollX, window.scrollY]")
    height = page.evaluate("document.documentElement.scrollHeight")
    if viewport and height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        height = max(height, page.evaluate("document.documentElement.scrollHeight"))
        page.set_viewport_size({"width": viewport["width"], "height": height})
    try:
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    finally:
        if viewport:
            page.set_viewport_size(viewport)
        page.evaluate("([x, y]) => window.scrollTo(x, y)", scrolled)
