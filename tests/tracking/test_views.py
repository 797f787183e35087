from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.tracking.factories import (
    click_path,
    counts,
    goto_path,
    goto_token,
    make_message,
    make_recipient,
    pixel_path,
    tracking_path,
)
from tests.tracking.responses import (
    BROWSER,
    PIXEL_CACHE,
    assert_invalid_page,
    assert_no_cookie,
    assert_private_redirect,
)
from tracking.models import Event, EventKind, MachineReason
from tracking.tokens import Claims, Purpose, make_token
from tracking.views import PIXEL

# --- Open pixel ---------------------------------------------------------------------------------


def test_pixel_answers_a_43_byte_transparent_gif_and_records_the_open(browser, message, recipient) -> None:
    response = browser.get(pixel_path(message, recipient))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL and len(PIXEL) == 43 and PIXEL.startswith(b"GIF89a")
    assert response["Cache-Control"] == PIXEL_CACHE
    assert_no_cookie(response)
    event = Event.objects.get()
    assert (event.kind, event.message_id, event.recipient_id, event.machine, event.url) == (
        EventKind.OPEN,
        message.pk,
        recipient.pk,
        False,
        "",
    )


@pytest.mark.parametrize("token", ["unknown", "a.b", "x" * 50_000, "%00", "..", "e30.AAAA"])
def test_pixel_answers_the_same_gif_for_an_unknown_token_and_records_nothing(browser, db, token) -> None:
    response = browser.get(f"/o/{token}")
    assert response.status_code == 200
    assert response.content == PIXEL
    assert response["Cache-Control"] == PIXEL_CACHE
    assert_no_cookie(response)
    assert not Event.objects.exists()


def test_pixel_with_a_tampered_truncated_or_foreign_token_records_nothing(browser, message, recipient) -> None:
    good = pixel_path(message, recipient).removeprefix("/o/")
    link_token = make_token(Purpose.LINK, Claims(message_id=message.pk, recipient_id=recipient.pk, sent_at=1))
    for token in (good[:-1], good[:20], good[:-3] + "abc", link_token):
        response = browser.get(f"/o/{token}")
        assert response.status_code == 200 and response.content == PIXEL
    assert not Event.objects.exists()


def test_pixel_answers_head_without_a_body_and_flags_it_as_a_machine(browser, message, recipient) -> None:
    response = browser.head(pixel_path(message, recipient))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == b""
    assert_no_cookie(response)
    event = Event.objects.get()
    assert event.machine and event.machine_reason == MachineReason.HEAD


def test_pixel_refuses_other_methods(browser, message, recipient) -> None:
    assert browser.post(pixel_path(message, recipient)).status_code == 405
    assert not Event.objects.exists()


def test_a_refused_method_is_logged_without_the_token_of_its_path(caplog, message, recipient) -> None:
    """Django's own 405 log line names the path; a tracker's path carries a token naming the recipient."""
    url = "https://www.nocrm.io/tarifs/"
    refused = [
        ("post", pixel_path(message, recipient)),
        ("post", click_path(message, recipient, url)),
        ("post", goto_path(message, recipient, url)),
        ("put", tracking_path(message, recipient, given=False)),
        ("delete", tracking_path(message, recipient, given=True)),
    ]
    client = Client()
    with caplog.at_level(logging.INFO):
        for method, path in refused:
            response = getattr(client, method)(path)
            assert response.status_code == 405, path
            assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    tokens = [path.split("?")[0].rsplit("/", 1)[1] for _method, path in refused]
    assert len(caplog.records) == len(refused)
    assert {r.getMessage() for r in caplog.records} == {"tracker method not allowed"}
    for token in tokens:
        assert token not in caplog.text
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0",  # Apple Mail Privacy Protection
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
        "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
    ],
)
def test_opens_through_mail_privacy_proxies_are_machines(message, recipient, agent) -> None:
    Client(headers={"User-Agent": agent}).get(pixel_path(message, recipient))
    assert Event.objects.get().machine_reason == MachineReason.MAIL_PROXY


def test_opens_are_only_counted_per_message_when_the_privacy_setting_is_on(browser, settings, message, recipient):
    """With the setting, the pixel's token names no recipient, whatever their consent."""
    settings.TRACKING_OPENS_WITHOUT_RECIPIENT = True
    browser.get(pixel_path(message, None))
    assert not Event.objects.exists()
    assert counts(message) == [(EventKind.OPEN, "", "", 1)]


def test_an_expired_pixel_records_nothing(browser, settings, message, recipient) -> None:
    settings.TRACKING_LINK_MAX_AGE = 30 * 86400
    response = browser.get(pixel_path(message, recipient, sent_ago=31 * 86400))
    assert response.content == PIXEL
    assert not Event.objects.exists()
    browser.get(pixel_path(message, recipient, sent_ago=29 * 86400))
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_opens_of_a_deleted_recipient_are_not_recorded(browser) -> None:
    message, recipient = make_message(), make_recipient()
    path = pixel_path(message, recipient)
    recipient.delete()
    response = browser.get(path)
    assert response.status_code == 200 and response.content == PIXEL
    assert not Event.objects.exists()


# --- /l/ clicks -----------------------------------------------------------------------------------


def test_click_records_then_redirects_with_a_302_to_the_signed_destination(browser, message, recipient) -> None:
    url = "https://www.nocrm.io/tarifs/?utm_source=email&x=1"
    assert_private_redirect(browser.get(click_path(message, recipient, url)), url)
    event = Event.objects.get()
    assert (event.kind, event.url, event.recipient_id, event.machine) == (EventKind.CLICK, url, recipient.pk, False)


def test_click_redirects_non_ascii_destinations_encoded(browser, message, recipient) -> None:
    response = browser.get(click_path(message, recipient, "https://example.com/caf\u00e9"))
    assert response["Location"] == "https://example.com/caf%C3%A9"


def test_click_within_seconds_of_sending_is_a_scanner(browser, message, recipient) -> None:
    browser.get(click_path(message, recipient, "https://example.com/", sent_ago=2))
    event = Event.objects.get()
    assert event.machine and event.machine_reason == MachineReason.TOO_FAST


@pytest.mark.parametrize(
    "agent", ["", "python-requests/2.32", "Mozilla/5.0 (compatible; BingPreview/1.0b)", "Barracuda"]
)
def test_click_by_a_link_scanner_is_a_machine(message, recipient, agent) -> None:
    response = Client(headers={"User-Agent": agent}).get(click_path(message, recipient, "https://example.com/"))
    assert response.status_code == 302
    assert Event.objects.get().machine_reason == MachineReason.SCANNER


def test_head_on_a_click_link_is_a_machine(browser, message, recipient) -> None:
    response = browser.head(click_path(message, recipient, "https://example.com/"))
    assert response.status_code == 302
    assert Event.objects.get().machine_reason == MachineReason.HEAD


def test_tampered_truncated_or_foreign_click_tokens_get_the_invalid_link_page(browser, message, recipient) -> None:
    path = click_path(message, recipient, "https://example.com/")
    token = path.removeprefix("/l/")
    goto = goto_token(message, recipient, "https://example.com/")
    for bad in (token[:-1], token[: len(token) // 2], "A" + token[1:], goto, "nothing"):
        assert_invalid_page(browser.get(f"/l/{bad}"))
    assert not Event.objects.exists()


def test_an_expired_click_link_is_invalid_only_when_a_max_age_is_set(browser, settings, message, recipient) -> None:
    path = click_path(message, recipient, "https://example.com/", sent_ago=5 * 365 * 86400)
    assert browser.get(path).status_code == 302
    settings.TRACKING_LINK_MAX_AGE = 365 * 86400
    assert_invalid_page(browser.get(path))


def test_a_click_link_keeps_working_after_a_key_rotation(browser, settings, message, recipient) -> None:
    path = click_path(message, recipient, "https://example.com/")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
    assert browser.get(path).status_code == 302
    settings.SECRET_KEY_FALLBACKS = []
    assert_invalid_page(browser.get(path))


def test_invalid_link_page_is_english_for_an_english_browser(message, recipient) -> None:
    response = Client(headers={"Accept-Language": "en"}).get("/l/forged")
    assert response.status_code == 400
    assert response["Content-Language"] == "en"


# --- /goto/ clicks --------------------------------------------------------------------------------

APP_URL = "https://app.nocrm.io/leads/42?tab=notes&x=%2F"


def test_goto_redirects_to_the_clicked_url_the_signature_covers(browser, message, recipient) -> None:
    assert_private_redirect(browser.get(goto_path(message, recipient, APP_URL)), APP_URL)
    assert Event.objects.get().url == APP_URL


def test_goto_refuses_a_clicked_url_that_the_signature_does_not_cover(browser, message, recipient) -> None:
    for other in (APP_URL + "&evil=1", "https://evil.com/", APP_URL.upper(), APP_URL + " ", ""):
        assert_invalid_page(browser.get(goto_path(message, recipient, APP_URL, clicked_url=other)))
    assert not Event.objects.exists()


def test_goto_refuses_two_clicked_urls_whatever_their_order(browser, message, recipient) -> None:
    token = goto_token(message, recipient, APP_URL)
    base = reverse("tracking:goto", args=[token])
    for query in (
        {"clicked_url": [APP_URL, "https://evil.com/"]},
        {"clicked_url": ["https://evil.com/", APP_URL]},
        {"clicked_url": [APP_URL, APP_URL]},
    ):
        assert_invalid_page(browser.get(base, query))
    assert_invalid_page(browser.get(base))
    assert not Event.objects.exists()


# --- One INSERT on the hot path -------------------------------------------------------------------
# Batched (the default), the views make no query and one INSERT writes a whole batch: see
# test_batch.py. Here, batching off: each view's own INSERT is its only query.


@pytest.mark.django_db(transaction=True)
def test_unbatched_each_tracker_does_one_insert_and_no_other_query(django_assert_num_queries, settings) -> None:
    settings.TRACKING_EVENT_FLUSH_SECONDS = 0
    message, recipient = make_message(), make_recipient()
    client = Client(headers={"User-Agent": BROWSER})
    paths = [
        pixel_path(message, recipient),
        click_path(message, recipient, "https://example.com/"),
        goto_path(message, recipient, APP_URL),
    ]
    for path in paths:
        with django_assert_num_queries(1) as captured:
            client.get(path)
        [query] = captured.captured_queries
        assert query["sql"].count("INSERT INTO tracking_event") == 1
    with django_assert_num_queries(0):
        client.get("/o/forged")
    assert Event.objects.count() == 3


def test_unbatched_readers_get_the_pixel_and_the_destination_when_the_database_is_down(
    browser, monkeypatch, settings, message, recipient
):
    """Batched, the database is not on the request's path at all (test_batch.py stops PostgreSQL)."""
    from django.db import OperationalError

    def down(**kwargs: object) -> bool:
        raise OperationalError("connection refused")

    settings.TRACKING_EVENT_FLUSH_SECONDS = 0
    monkeypatch.setattr("tracking.batch.record_event", down)
    assert browser.get(pixel_path(message, recipient)).content == PIXEL
    response = browser.get(click_path(message, recipient, "https://example.com/"))
    assert response.status_code == 302 and response["Location"] == "https://example.com/"
