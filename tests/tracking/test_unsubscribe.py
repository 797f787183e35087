"""The List-Unsubscribe target: GET confirms only, the RFC 8058 one-click POST unsubscribes once."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.tracking.factories import make_recipient, pixel_path, unsubscribe_path
from tests.tracking.responses import assert_invalid_page, assert_no_cookie, main
from tracking.models import Event, EventKind, Recipient


def test_unsubscribe_get_shows_a_confirmation_and_changes_nothing(browser, message, recipient) -> None:
    path = unsubscribe_path(message, recipient)
    for _ in range(3):
        response = browser.get(path)
        assert response.status_code == 200
        assert 'name="List-Unsubscribe" value="One-Click"' in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        assert response["X-Robots-Tag"] == "noindex"
        assert_no_cookie(response)
    assert browser.head(path).status_code == 200
    recipient.refresh_from_db()
    assert recipient.is_subscribed
    assert not Event.objects.exists()


def test_one_click_post_unsubscribes_without_cookie_login_or_csrf_token(message, recipient) -> None:
    client = Client(enforce_csrf_checks=True)  # as a mailbox provider: no cookie, no token
    response = client.post(unsubscribe_path(message, recipient), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "Vous êtes désinscrit" in response.content.decode()
    assert_no_cookie(response)
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is not None
    event = Event.objects.get()
    assert (event.kind, event.message_id, event.recipient_id) == (EventKind.UNSUBSCRIBE, message.pk, recipient.pk)


def test_one_click_post_accepts_a_form_encoded_body(message, recipient) -> None:
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(message, recipient),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Recipient.objects.get().unsubscribed_at is not None


def test_repeated_one_click_posts_give_the_same_answer_and_unsubscribe_once(message, recipient) -> None:
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe_path(message, recipient)
    first = client.post(path, {"List-Unsubscribe": "One-Click"})
    recipient.refresh_from_db()
    unsubscribed_at = recipient.unsubscribed_at
    second = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert first.status_code == second.status_code == 200
    assert main(first) == main(second)  # the pages differ only by their CSP nonce
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at == unsubscribed_at
    assert Event.objects.filter(kind=EventKind.UNSUBSCRIBE).count() == 1


def test_post_without_the_one_click_body_unsubscribes_nobody(message, recipient) -> None:
    path = unsubscribe_path(message, recipient)
    assert_invalid_page(Client().post(path, {}))
    assert_invalid_page(Client().post(path, {"List-Unsubscribe": "one-click-please"}))
    assert Recipient.objects.get().is_subscribed


def test_unsubscribe_with_a_bad_or_missing_signature_is_invalid(browser, message, recipient) -> None:
    good = unsubscribe_path(message, recipient)
    pixel_token = pixel_path(message, recipient).removeprefix("/o/")
    url = reverse("tracking:unsubscribe")
    for path in (url, f"{url}?signature={pixel_token}", good[:-2], f"{good}&signature=x"):
        assert_invalid_page(browser.get(path))
        assert_invalid_page(Client().post(path, {"List-Unsubscribe": "One-Click"}))
    assert Recipient.objects.get().is_subscribed


def test_unsubscribe_is_per_recipient(message) -> None:
    lea, max_ = make_recipient("lea@example.com"), make_recipient("max@example.com")
    Client().post(unsubscribe_path(message, lea), {"List-Unsubscribe": "One-Click"})
    assert not Recipient.objects.get(pk=lea.pk).is_subscribed
    assert Recipient.objects.get(pk=max_.pk).is_subscribed


def test_unsubscribe_methods_other_than_get_head_post_are_refused(message, recipient) -> None:
    assert Client().put(unsubscribe_path(message, recipient)).status_code == 405
