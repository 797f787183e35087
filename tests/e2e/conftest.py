"""Browser tests: the live server over plain HTTP, with the demo declarations."""

from __future__ import annotations

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
