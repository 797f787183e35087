from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.tracking.payloads import ACCEPTED, REJECTED
from tracking.destinations import safe_destination


def test_there_are_at_least_30_payloads() -> None:
    assert len(REJECTED) >= 30


@pytest.mark.parametrize("url", REJECTED)
def test_unsafe_destination_is_refused(url: str) -> None:
    assert safe_destination(url) is None


@pytest.mark.parametrize("url", ACCEPTED)
def test_http_and_https_destinations_are_kept_unchanged(url: str) -> None:
    assert safe_destination(url) == url


def test_a_url_of_exactly_8_kb_is_accepted_and_one_byte_more_is_not() -> None:
    base = "https://example.com/"
    assert safe_destination(base + "x" * (8192 - len(base))) is not None
    assert safe_destination(base + "x" * (8193 - len(base))) is None


def test_non_strings_are_refused() -> None:
    assert safe_destination(None) is None
    assert safe_destination(b"https://example.com/") is None


@given(st.text(max_size=200))
def test_any_text_is_either_refused_or_an_http_url_with_a_plain_host(text: str) -> None:
    url = safe_destination(text)
    if url is None:
        return
    parts = urlsplit(url)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.netloc.isascii() and "@" not in parts.netloc and "\\" not in url
