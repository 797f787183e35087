"""Recipients' consent to tracking (decision 0007): what each tracker stores with and without it, checked
when the tracker is fetched; the withdrawal and consent pages; the delivery check of service e-mails."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError
from django.test import Client

from tests.html import elements
from tests.tracking.factories import (
    click_path,
    counts,
    give_consent,
    goto_path,
    make_message,
    make_recipient,
    make_transactional,
    pixel_path,
    tracking_path,
    withdraw_consent,
)
from tests.tracking.responses import BROWSER, assert_invalid_page, main
from tracking.batch import EventBatch
from tracking.events import EventRow
from tracking.models import (
    AggregateCount,
    ConsentSource,
    DeliveryCheck,
    Event,
    EventKind,
    MachineReason,
    Recipient,
    TrackingConsent,
)
from tracking.services import unsubscribe
from tracking.views import PIXEL

APP_URL = "https://app.nocrm.io/leads/7"
SITE_URL = "https://www.nocrm.io/tarifs/"


@pytest.fixture
def stranger(db):
    """A recipient who never agreed to tracking."""
    return make_recipient("sans-accord@example.com", consent=False)


def visit_all_trackers(client: Client, message, recipient) -> list:
    return [
        client.get(pixel_path(message, recipient)),
        client.get(click_path(message, recipient, SITE_URL)),
        client.get(click_path(message, recipient, SITE_URL)),
        client.get(goto_path(message, recipient, APP_URL)),
    ]


# --- What the trackers store ----------------------------------------------------------------------


def test_a_recipient_without_consent_leaves_only_anonymous_counts(browser, message, stranger) -> None:
    pixel, click, again, goto = visit_all_trackers(browser, message, stranger)
    assert pixel.content == PIXEL
    assert (click.status_code, click["Location"], again["Location"]) == (302, SITE_URL, SITE_URL)
    assert (goto.status_code, goto["Location"]) == (302, APP_URL)
    assert not Event.objects.exists()
    assert counts(message) == [
        (EventKind.CLICK, APP_URL, "", 1),
        (EventKind.CLICK, SITE_URL, "", 2),
        (EventKind.OPEN, "", "", 1),
    ]
    # No column of the counts could hold a recipient.
    assert not {f.name for f in AggregateCount._meta.get_fields()} & {"recipient", "recipient_id", "email"}


def test_a_recipient_with_consent_leaves_per_recipient_events(browser, message, recipient) -> None:
    visit_all_trackers(browser, message, recipient)
    assert sorted(Event.objects.values_list("kind", "url", "recipient_id")) == [
        (EventKind.CLICK, APP_URL, recipient.pk),
        (EventKind.CLICK, SITE_URL, recipient.pk),
        (EventKind.CLICK, SITE_URL, recipient.pk),
        (EventKind.OPEN, "", recipient.pk),
    ]
    assert not AggregateCount.objects.exists()


def test_a_recipient_created_without_a_consent_record_has_none(browser, message) -> None:
    recipient = Recipient.objects.create(email="nouveau@example.com")
    assert TrackingConsent.objects.current(recipient.pk) is None
    browser.get(pixel_path(message, recipient))
    assert not Event.objects.exists() and counts(message) == [(EventKind.OPEN, "", "", 1)]


def test_after_a_withdrawal_an_email_sent_before_it_stores_no_recipient(browser, message, recipient) -> None:
    sent_before = pixel_path(message, recipient, sent_ago=86400)
    link_before = click_path(message, recipient, SITE_URL, sent_ago=86400)
    browser.get(sent_before)
    assert Event.objects.filter(recipient=recipient).count() == 1
    assert browser.post(tracking_path(message, recipient, given=False)).status_code == 200
    browser.get(sent_before)
    response = browser.get(link_before)
    assert response.status_code == 302 and response["Location"] == SITE_URL
    assert Event.objects.filter(recipient=recipient).count() == 1  # only the open before the withdrawal
    assert counts(message) == [(EventKind.CLICK, SITE_URL, "", 1), (EventKind.OPEN, "", "", 1)]


def test_consent_is_read_as_it_stood_when_the_tracker_was_fetched_not_when_the_batch_is_written(
    message, recipient
) -> None:
    """An open seen before a withdrawal but written after it (a batch, an outage) stays the recipient's;
    one seen before a grant but written after it stays anonymous."""
    stranger = make_recipient("plus-tard@example.com", consent=False)
    seen = datetime.now(UTC)
    batch = EventBatch(interval=1, backlog=10, background=False)
    batch.add(EventRow(message.pk, recipient.pk, EventKind.OPEN, "", seen, ""))
    batch.add(EventRow(message.pk, stranger.pk, EventKind.OPEN, "", seen, ""))
    withdraw_consent(recipient)
    give_consent(stranger)
    assert batch.flush() == 2
    assert list(Event.objects.values_list("recipient_id", flat=True)) == [recipient.pk]
    assert counts(message) == [(EventKind.OPEN, "", "", 1)]


def test_machines_without_consent_are_counted_apart(message, stranger) -> None:
    Client(headers={"User-Agent": "Mozilla/5.0"}).get(pixel_path(message, stranger))
    Client(headers={"User-Agent": BROWSER}).head(pixel_path(message, stranger))
    Client(headers={"User-Agent": BROWSER}).get(click_path(message, stranger, SITE_URL, sent_ago=30))
    assert counts(message) == [
        (EventKind.CLICK, SITE_URL, MachineReason.TOO_FAST, 1),
        (EventKind.OPEN, "", MachineReason.HEAD, 1),
        (EventKind.OPEN, "", MachineReason.MAIL_PROXY, 1),
    ]
    assert set(AggregateCount.objects.values_list("machine", flat=True)) == {True}


def test_unsubscribing_also_withdraws_consent_to_tracking(browser, message, recipient) -> None:
    assert unsubscribe(recipient_id=recipient.pk, message_id=message.pk) is True
    current = TrackingConsent.objects.current(recipient.pk)
    assert (current.given, current.source, current.message_id) == (False, ConsentSource.UNSUBSCRIBE, message.pk)
    browser.get(pixel_path(message, recipient))
    assert not Event.objects.filter(kind=EventKind.OPEN).exists()


def test_unsubscribing_without_consent_records_no_withdrawal(message, stranger) -> None:
    unsubscribe(recipient_id=stranger.pk, message_id=message.pk)
    assert not TrackingConsent.objects.exists()


# --- Delivery checks of service e-mails -------------------------------------------------------------


def test_with_the_setting_a_service_email_keeps_only_the_date_of_its_last_open(browser, settings, recipient) -> None:
    settings.TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY = True
    receipt, newsletter = make_transactional(name="Facture"), make_message()
    stranger = make_recipient("sans-accord@example.com", consent=False)
    for who in (recipient, recipient, stranger):
        browser.get(pixel_path(receipt, who))
    browser.get(click_path(receipt, stranger, SITE_URL))
    browser.get(pixel_path(newsletter, stranger))
    checks = {c.recipient_id: c.last_opened_at for c in DeliveryCheck.objects.filter(message=receipt)}
    assert set(checks) == {recipient.pk, stranger.pk}
    assert not Event.objects.filter(message=receipt, kind=EventKind.OPEN).exists()
    assert counts(receipt) == [(EventKind.CLICK, SITE_URL, "", 1)]  # clicks follow consent as before
    assert counts(newsletter) == [(EventKind.OPEN, "", "", 1)]  # marketing e-mail: unchanged
    first = checks[recipient.pk]
    browser.get(pixel_path(receipt, recipient))
    later = DeliveryCheck.objects.get(message=receipt, recipient=recipient).last_opened_at
    assert later > first and DeliveryCheck.objects.count() == 2


def test_without_the_setting_a_service_email_follows_consent(browser, settings, recipient) -> None:
    settings.TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY = False
    receipt = make_transactional()
    browser.get(pixel_path(receipt, recipient))
    assert Event.objects.filter(message=receipt, recipient=recipient).count() == 1
    assert not DeliveryCheck.objects.exists()


# --- The withdrawal and consent pages ---------------------------------------------------------------


def forms_of(response) -> list:
    return elements(main(response), "form")


@pytest.mark.parametrize("given", [False, True])
def test_get_and_head_show_one_button_and_change_nothing(given, message, stranger) -> None:
    path = tracking_path(message, stranger, given=given)
    response = Client().get(path)
    assert response.status_code == 200
    [form] = forms_of(response)
    assert form.attrs["method"] == "post" and form.attrs["action"] == path
    assert [e.tag for e in form.iter() if e.tag in ("button", "input")] == ["button"]
    assert Client().head(path).status_code == 200
    assert not TrackingConsent.objects.exists()


def test_the_withdrawal_page_says_what_changes_and_that_emails_keep_coming(message, recipient) -> None:
    page = main(Client().get(tracking_path(message, recipient, given=False)))
    assert "y compris pour les e-mails déjà reçus" in page
    assert "Les e-mails continueront de vous parvenir" in page
    english = Client(headers={"Accept-Language": "en"}).get(tracking_path(message, recipient, given=False))
    assert english["Content-Language"] == "en" and "Stop tracking my opens and clicks" in main(english)


def test_a_post_withdraws_once_without_login_cookie_or_csrf_token(message, recipient) -> None:
    client = Client(enforce_csrf_checks=True)
    path = tracking_path(message, recipient, given=False)
    for _ in range(2):
        response = client.post(path)
        assert response.status_code == 200 and not response.cookies
        assert "Nous ne suivons plus vos ouvertures ni vos clics" in main(response)
    withdrawal = TrackingConsent.objects.latest_first().first()
    assert TrackingConsent.objects.filter(given=False).count() == 1
    assert (withdrawal.source, withdrawal.message_id, withdrawal.language) == (
        ConsentSource.WITHDRAWAL_LINK,
        message.pk,
        "fr",
    )
    assert withdrawal.text.startswith("Je ne veux plus") and withdrawal.text_version
    assert not Recipient.objects.get(pk=recipient.pk).unsubscribed_at  # still subscribed


def test_a_post_on_the_consent_page_records_the_text_shown(message, stranger) -> None:
    response = Client(headers={"Accept-Language": "en"}).post(tracking_path(message, stranger, given=True))
    assert response.status_code == 200
    consent = TrackingConsent.objects.get()
    assert (consent.given, consent.source, consent.language) == (True, ConsentSource.EMAIL_LINK, "en")
    assert consent.text.startswith("I agree")
    Client().post(tracking_path(message, stranger, given=True))
    assert TrackingConsent.objects.count() == 1  # idempotent


@pytest.mark.parametrize("given", [False, True])
def test_forged_tampered_or_foreign_tokens_get_the_invalid_page_and_store_nothing(given, message, recipient) -> None:
    good = tracking_path(message, recipient, given=given)
    other = tracking_path(message, recipient, given=not given).rsplit("/", 1)[1]
    base, token = good.rsplit("/", 1)
    pixel_token = pixel_path(message, recipient).rsplit("/", 1)[1]
    before = TrackingConsent.objects.count()
    for bad in (token[:-1], token[:-3] + "abc", "forged", other, pixel_token):
        assert_invalid_page(Client().post(f"{base}/{bad}"))
        assert_invalid_page(Client().get(f"{base}/{bad}"))
    assert TrackingConsent.objects.count() == before


@pytest.mark.parametrize("given", [False, True])
def test_a_deleted_recipient_gets_the_same_answer_and_nothing_is_stored(given, message) -> None:
    gone = make_recipient("efface@example.com", consent=False)
    path = tracking_path(message, gone, given=given)
    gone.delete()
    response = Client().post(path)
    assert response.status_code == 200
    assert main(response) == main(Client().post(tracking_path(message, make_recipient(), given=given)))
    assert not TrackingConsent.objects.filter(recipient_id=gone.pk).exists()


def test_a_post_sent_from_another_site_is_refused(message, recipient) -> None:
    response = Client(headers={"Sec-Fetch-Site": "cross-site"}).post(tracking_path(message, recipient, given=False))
    assert response.status_code == 403
    assert TrackingConsent.objects.current(recipient.pk).given is True


def test_other_methods_are_refused(message, recipient) -> None:
    assert Client().put(tracking_path(message, recipient, given=False)).status_code == 405
    assert TrackingConsent.objects.current(recipient.pk).given is True


def test_a_database_outage_gets_the_503_page(monkeypatch, caplog, message, recipient) -> None:
    def down(**kwargs: object) -> bool:
        raise DatabaseError("connection refused")

    monkeypatch.setattr("tracking.views.record_tracking_consent", down)
    with caplog.at_level(logging.WARNING, logger="tracking.views"):
        response = Client().post(tracking_path(message, recipient, given=False))
    assert response.status_code == 503 and 'role="alert"' in main(response)
    assert [r.getMessage() for r in caplog.records] == ["tracking consent not stored: database unavailable"]
    assert str(recipient.pk) not in caplog.text and recipient.email not in caplog.text
