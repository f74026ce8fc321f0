"""Counting what an agent does in the browser: clicks, scrolls, key presses and seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight
    && r.right > 0 && r.left < window.innerWidth; }"""
FULLY_IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0
    && r.right <= window.innerWidth; }"""


@dataclass
class Meter:
    """One journey's tally. A click on something out of view costs a scroll first."""

    page: object
    clicks: int = 0
    scrolls: int = 0
    keys: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def actions(self) -> int:
        return self.clicks + self.scrolls + self.keys

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def click(self, locator) -> None:
        locator.wait_for()
        if not locator.evaluate(FULLY_IN_VIEW):
            self.scrolls += 1
        locator.click()
        self.clicks += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def tab_to(self, selector: str, limit: int = 400) -> None:
        """Tab until the focus is on ``selector`` (each Tab is a key press)."""
        for _attempt in range(limit):
            if self.page.evaluate(
                "s => !!document.activeElement && document.activeElement.matches(s)", selector
            ):
                return
            self.press("Tab")
        raise AssertionError(f"{selector} not reached in {limit} Tab presses")

    def summary(self, cases: int) -> dict:
        return {
            "clicks": self.clicks / cases,
            "scrolls": self.scrolls / cases,
            "keys": self.keys / cases,
            "actions": self.actions / cases,
            "seconds": round(self.seconds / cases, 2),
        }


@pytest.fixture
def laptop(browser, live_server):
    """A laptop screen: 1,280 × 800."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    # Let the page's last requests (the panel, the presence) end before the database is
    # flushed under the live server.
    try:
        page.goto("about:blank")
    finally:
        context.close()
