"""The scanner's tests visit plain-HTTP servers, where browsers refuse the __Host- consent cookie."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plain_http_consent_cookie(settings) -> None:
    settings.CONSENT_COOKIE_SECURE = False
