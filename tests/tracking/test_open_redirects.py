"""The open-redirect suite: no payload is ever a redirect's destination, and none answers 500."""

from __future__ import annotations

import pytest

from tests.tracking.factories import click_path, goto_path, goto_token
from tests.tracking.payloads import REJECTED
from tests.tracking.responses import assert_invalid_page
from tracking.models import Event


@pytest.mark.parametrize("payload", REJECTED)
def test_goto_never_redirects_a_payload_signed_for_another_url(browser, message, recipient, payload) -> None:
    response = browser.get(goto_path(message, recipient, "https://app.nocrm.io/", clicked_url=payload))
    assert_invalid_page(response)


@pytest.mark.parametrize("payload", REJECTED)
def test_goto_never_redirects_to_an_unsafe_url_even_when_signed(browser, message, recipient, payload) -> None:
    response = browser.get(goto_path(message, recipient, payload))
    assert_invalid_page(response)
    assert not Event.objects.exists()


@pytest.mark.parametrize("payload", REJECTED)
def test_click_never_redirects_to_an_unsafe_url_even_when_signed(browser, message, recipient, payload) -> None:
    response = browser.get(click_path(message, recipient, payload))
    assert_invalid_page(response)
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "raw_query",
    [
        "clicked_url=%2F%2Fevil.com",
        "clicked_url=https%3A%2F%2Fapp.nocrm.io%2F%0d%0aLocation:%20https://evil.com",
        "clicked_url=https://app.nocrm.io/&clicked_url=https://evil.com/",
        "clicked_url=https%3A%2F%2Fapp.nocrm.io%2F%00",
        "clicked_url=%ff%fe",
        "clicked_url[]=https://evil.com/",
        "CLICKED_URL=https://app.nocrm.io/",
    ],
)
def test_goto_with_hand_made_queries_never_redirects(browser, message, recipient, raw_query) -> None:
    token = goto_token(message, recipient, "https://app.nocrm.io/")
    response = browser.get(f"/goto/{token}?{raw_query}")
    assert_invalid_page(response)
