"""The FriendlyCaptcha client against a real HTTP server playing the vendor's siteverify API."""

import logging

import pytest

from leads import captcha
from leads.captcha import Outcome
from tests.leads.fake_frcapi import API_KEY, SITEKEY
from tests.servers import free_port


def test_sends_response_and_sitekey_with_the_api_key_header(captcha_on):
    captcha.verify("valid")
    (request,) = captcha_on.received
    assert request.path == "/api/v2/captcha/siteverify"
    assert request.headers["X-API-Key"] == API_KEY
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {"response": "valid", "sitekey": SITEKEY}


def test_success_is_accepted(captcha_on):
    assert captcha.verify("valid") == captcha.Verification(Outcome.ACCEPTED)


@pytest.mark.parametrize(
    ("token", "error_code"),
    [("invalid", "response_invalid"), ("expired", "response_timeout"), ("duplicate", "response_duplicate")],
)
def test_a_definite_no_is_refused(captcha_on, token, error_code):
    verification = captcha.verify(token)
    assert verification.outcome is Outcome.REFUSED
    assert not verification.accepted
    assert verification.error_code == error_code


def test_wrong_api_key_401_is_accepted_unverified_with_a_warning(captcha_on, settings, caplog):
    settings.FRIENDLY_CAPTCHA_API_KEY = "revoked-key"
    with caplog.at_level(logging.WARNING, logger="leads.captcha"):
        verification = captcha.verify("valid")
    assert verification.outcome is Outcome.UNVERIFIED
    assert verification.accepted
    assert verification.error_code == "auth_invalid"
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.reason == "HTTP 401"


def test_server_error_500_is_accepted_unverified(captcha_on, caplog):
    with caplog.at_level(logging.WARNING, logger="leads.captcha"):
        verification = captcha.verify("crash")
    assert verification.outcome is Outcome.UNVERIFIED
    assert caplog.records[0].reason == "HTTP 500"


def test_answer_slower_than_the_timeout_is_accepted_unverified(captcha_on, settings, caplog):
    settings.FRIENDLY_CAPTCHA_TIMEOUT = 0.3  # the fake sleeps SLOW_SECONDS; 5 s in production
    with caplog.at_level(logging.WARNING, logger="leads.captcha"):
        verification = captcha.verify("slow")
    assert verification.outcome is Outcome.UNVERIFIED
    assert caplog.records[0].reason == "request failed: ReadTimeout"


def test_the_timeout_defaults_to_five_seconds():
    from django.conf import settings

    assert settings.FRIENDLY_CAPTCHA_TIMEOUT == 5.0


@pytest.mark.parametrize("token", ["garbled", "no-success"])
def test_malformed_answer_is_accepted_unverified(captcha_on, token, caplog):
    with caplog.at_level(logging.WARNING, logger="leads.captcha"):
        verification = captcha.verify(token)
    assert verification.outcome is Outcome.UNVERIFIED
    assert caplog.records[0].reason.startswith("malformed answer")


def test_unreachable_api_is_accepted_unverified(captcha_on, settings):
    settings.FRIENDLY_CAPTCHA_VERIFY_URL = f"http://127.0.0.1:{free_port()}/api/v2/captcha/siteverify"
    assert captcha.verify("valid").outcome is Outcome.UNVERIFIED


def test_enabled_only_with_both_keys(settings):
    settings.FRIENDLY_CAPTCHA_SITEKEY = SITEKEY
    settings.FRIENDLY_CAPTCHA_API_KEY = ""
    assert not captcha.is_enabled()
    settings.FRIENDLY_CAPTCHA_API_KEY = API_KEY
    assert captcha.is_enabled()


def test_default_verify_url_is_the_global_v2_endpoint():
    from django.conf import settings

    assert settings.FRIENDLY_CAPTCHA_VERIFY_URL == "https://global.frcapi.com/api/v2/captcha/siteverify"
