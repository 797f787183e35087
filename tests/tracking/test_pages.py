"""The pages a recipient reaches from an e-mail, and the trackers' answers: no Google Tag Manager, no
referrer (their URLs carry signed tokens), and the unsubscribe's 503 during an outage."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.test import Client

from tests.html import elements
from tests.tracking.factories import (
    click_path,
    goto_path,
    make_recipient,
    pixel_path,
    tracking_path,
    unsubscribe_path,
)

APP_URL = "https://app.nocrm.io/leads/7"


@pytest.fixture
def gtm(settings) -> None:
    settings.GTM_CONTAINER_ID = "GTM-TEST123"


def pages(message, recipient) -> dict[str, tuple[str, str, dict[str, str]]]:
    """name: (method, path, data) of every page reached from an e-mail."""
    return {
        "invalid link": ("get", "/l/forged", {}),
        "unsubscribe": ("get", unsubscribe_path(message, recipient), {}),
        "unsubscribed": ("post", unsubscribe_path(message, recipient), {"List-Unsubscribe": "One-Click"}),
        "withdrawal": ("get", tracking_path(message, recipient, given=False), {}),
        "withdrawn": ("post", tracking_path(message, recipient, given=False), {}),
        "consent": ("get", tracking_path(message, recipient, given=True), {}),
        "consented": ("post", tracking_path(message, recipient, given=True), {}),
    }


def test_the_home_page_does_load_gtm_with_these_settings(gtm, db, client) -> None:
    """The control: the check below would see GTM if it were there."""
    html = client.get("/").content.decode()
    assert any("googletagmanager.com" in s.text for s in elements(html, "script"))


@pytest.mark.parametrize(
    "name", ["invalid link", "unsubscribe", "unsubscribed", "withdrawal", "withdrawn", "consent", "consented"]
)
def test_pages_reached_from_an_email_load_no_gtm_and_send_no_referrer(gtm, name, message, recipient) -> None:
    method, path, data = pages(message, recipient)[name]
    response = getattr(Client(), method)(path, data)
    assert response.status_code in (200, 400)
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    scripts = elements(html, "script")
    assert not any("googletagmanager" in (s.text + str(s.attrs.get("src"))) for s in scripts)
    assert not any(s.attrs.get("id") in ("cc-gtm", "cc-config") for s in scripts)
    assert scripts == []  # nothing runs on these pages
    assert elements(html, "h1")  # a real page was parsed


def test_tracker_answers_send_no_referrer(browser, message, recipient) -> None:
    for path in (
        pixel_path(message, recipient),
        click_path(message, recipient, APP_URL),
        goto_path(message, recipient, APP_URL),
    ):
        assert browser.get(path)["Referrer-Policy"] == "no-referrer"


def test_the_unsubscribe_page_answers_503_during_a_database_outage(monkeypatch, caplog, message) -> None:
    """The warning once used the extra key "message", which logging reserves: a KeyError, so a 500."""
    recipient = make_recipient()

    def down(**kwargs: object) -> bool:
        raise OperationalError("connection refused")

    monkeypatch.setattr("tracking.views.unsubscribe", down)
    with caplog.at_level(logging.WARNING):
        response = Client(raise_request_exception=False).post(
            unsubscribe_path(message, recipient), {"List-Unsubscribe": "One-Click"}
        )
    assert response.status_code == 503
    assert 'role="alert"' in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "tracking.views"]
    assert record.getMessage() == "unsubscribe not stored: database unavailable"
    assert record.message_id == message.pk
    assert "signature" not in caplog.text  # the token is never logged


def test_gunicorn_access_log_leaves_tracker_tokens_out() -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(__file__).parents[2] / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    from gunicorn.config import Config

    logger = conf.AccessLogger(Config())

    class Answer:
        status = "200 OK"
        response_length = 43
        headers = ()
        sent = 43

    class Request:
        headers = ()
        method = "GET"
        uri = path = "/o/WzEsMiwzXQ.signature"
        query = ""
        version = (1, 1)

    from datetime import timedelta

    environ = {
        "PATH_INFO": Request.path,
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
        "RAW_URI": Request.path,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = logger.atoms(Answer(), Request(), environ, timedelta(milliseconds=2))
    assert atoms["U"] == "/o/…"
    environ["PATH_INFO"] = "/fr/tarifs/"
    assert logger.atoms(Answer(), Request(), environ, timedelta(milliseconds=2))["U"] == "/fr/tarifs/"
