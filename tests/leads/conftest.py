from collections.abc import Iterator

import pytest

from tests.leads.fake_frcapi import API_KEY, SITEKEY, FakeFrcApi


@pytest.fixture
def frcapi() -> Iterator[FakeFrcApi]:
    with FakeFrcApi() as api:
        yield api


@pytest.fixture
def captcha_on(settings, frcapi: FakeFrcApi) -> FakeFrcApi:
    """FriendlyCaptcha configured, its siteverify API played by the local fake."""
    settings.FRIENDLY_CAPTCHA_SITEKEY = SITEKEY
    settings.FRIENDLY_CAPTCHA_API_KEY = API_KEY
    settings.FRIENDLY_CAPTCHA_VERIFY_URL = frcapi.url
    return frcapi


@pytest.fixture(autouse=True)
def _sales(settings) -> None:
    settings.SALES_NOTIFY_EMAIL = ["sales@nocrm.test"]
