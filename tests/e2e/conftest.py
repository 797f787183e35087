"""Browser tests: the live server, the demo declarations, and helpers that wait for the database."""

from __future__ import annotations

import time

import pytest


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings) -> None:
    # The live server speaks plain HTTP, where browsers drop cookies marked Secure.
    settings.CONSENT_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def site(transactional_db, live_server, page):
    """The live site with the demo declarations, and a fresh page opened on it."""
    from consent.demo import load_demo

    load_demo()
    return page


def wait_for_records(count: int, timeout: float = 10) -> list:
    """The consent log once it holds ``count`` rows (the browser posts asynchronously)."""
    from consent.models import ConsentRecord

    deadline = time.monotonic() + timeout
    while True:
        records = list(ConsentRecord.objects.order_by("id"))
        if len(records) >= count or time.monotonic() > deadline:
            assert len(records) == count, [r.action for r in records]
            return records
        time.sleep(0.05)


def consent_cookie(page) -> str | None:
    for c in page.context.cookies():
        if c["name"] == "nocrm_consent":
            return c["value"]
    return None


CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Poll a JS expression from Python: page.wait_for_function would eval() it, which our CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
