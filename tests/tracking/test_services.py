from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.tracking.factories import make_message, make_recipient, make_transactional, unsubscribe_path
from tracking.events import record_event
from tracking.models import Event, EventKind, MachineReason, Message, Recipient
from tracking.services import (
    RecipientUnsubscribed,
    ensure_recipient,
    send_tracked_email,
    unsubscribe,
)


def test_send_tracked_email_sends_through_the_configured_backend(message, recipient) -> None:
    send_tracked_email(message=message, recipient=recipient)
    [sent] = mail.outbox
    assert sent.to == [recipient.email]
    assert sent.subject == message.subject
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_marketing_email_is_refused_after_a_one_click_unsubscribe(message, recipient) -> None:
    Client().post(unsubscribe_path(message, recipient), {"List-Unsubscribe": "One-Click"})
    with pytest.raises(RecipientUnsubscribed):
        send_tracked_email(message=message, recipient=recipient)  # a stale object: read afresh
    assert mail.outbox == []


def test_transactional_email_still_goes_to_an_unsubscribed_recipient(recipient) -> None:
    unsubscribe(recipient_id=recipient.pk, message_id=make_message().pk)
    send_tracked_email(message=make_transactional(), recipient=recipient)
    assert len(mail.outbox) == 1


def test_unsubscribe_is_idempotent(message, recipient) -> None:
    assert unsubscribe(recipient_id=recipient.pk, message_id=message.pk) is True
    first = Recipient.objects.get().unsubscribed_at
    assert unsubscribe(recipient_id=recipient.pk, message_id=message.pk) is False
    assert Recipient.objects.get().unsubscribed_at == first
    assert Event.objects.filter(kind=EventKind.UNSUBSCRIBE).count() == 1


def test_a_one_click_unsubscribe_is_one_statement(message, recipient, django_assert_num_queries) -> None:
    client = Client()
    client.get(unsubscribe_path(message, recipient))  # the page's declarations, read once per process
    with django_assert_num_queries(1):
        response = client.post(unsubscribe_path(message, recipient), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Recipient.objects.get().is_subscribed
    event = Event.objects.get()
    assert (event.kind, event.message_id, event.recipient_id) == (EventKind.UNSUBSCRIBE, message.pk, recipient.pk)
    assert event.occurred_at == Recipient.objects.get().unsubscribed_at


@pytest.mark.django_db(transaction=True)
def test_an_unsubscribe_whose_event_is_refused_still_unsubscribes(monkeypatch) -> None:
    """A deletion of the message racing the statement: its foreign key refuses the event at commit,
    which undoes the whole statement; the subscription change is then made alone."""
    from tracking import services

    message, recipient = make_message(), make_recipient()
    message_id = message.pk
    message.delete()
    unguarded = services.UNSUBSCRIBE.replace("WHERE EXISTS", "WHERE TRUE OR EXISTS")  # as if deleted just after
    monkeypatch.setattr(services, "UNSUBSCRIBE", unguarded)
    assert unsubscribe(recipient_id=recipient.pk, message_id=message_id) is True
    assert not Recipient.objects.get().is_subscribed
    assert not Event.objects.exists()


def test_ensure_recipient_compares_addresses_in_lower_case(db) -> None:
    assert ensure_recipient(email=" Lea@Example.COM ") == ensure_recipient(email="lea@example.com")
    assert Recipient.objects.get().email == "lea@example.com"


@pytest.mark.django_db(transaction=True)
def test_events_of_a_deleted_message_are_not_recorded() -> None:
    message, recipient = make_message(), make_recipient()
    message_id = message.pk
    message.delete()
    assert record_event(kind=EventKind.OPEN, message_id=message_id, recipient_id=recipient.pk) is False
    assert unsubscribe(recipient_id=recipient.pk, message_id=message_id) is True
    assert not Event.objects.exists()


def test_statistics_count_people_and_machines_apart(message, recipient) -> None:
    other = make_message(name="Autre")
    for kind, reason in [
        (EventKind.OPEN, ""),
        (EventKind.OPEN, ""),
        (EventKind.OPEN, MachineReason.MAIL_PROXY),
        (EventKind.CLICK, ""),
        (EventKind.CLICK, MachineReason.TOO_FAST),
        (EventKind.CLICK, MachineReason.SCANNER),
    ]:
        url = "https://example.com/" if kind == EventKind.CLICK else ""
        record_event(kind=kind, message_id=message.pk, recipient_id=recipient.pk, machine_reason=reason, url=url)
    record_event(kind=EventKind.OPEN, message_id=other.pk, recipient_id=None)
    unsubscribe(recipient_id=recipient.pk, message_id=message.pk)
    stats = Message.objects.with_stats().get(pk=message.pk)
    assert (stats.opens_people, stats.opens_machines) == (2, 1)
    assert (stats.clicks_people, stats.clicks_machines) == (1, 2)
    assert stats.unsubscribes == 1
    assert list(Event.objects.clicks_per_link(message.pk)) == [
        {"url": "https://example.com/", "people": 1, "machines": 2}
    ]


def test_recording_an_event_relaxes_synchronous_commit_for_its_own_transaction_only(message, recipient) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
        record_event(kind=EventKind.OPEN, message_id=message.pk, recipient_id=recipient.pk)
        cursor.execute("SHOW synchronous_commit")  # the test's transaction is still open: SET LOCAL holds
        assert cursor.fetchone()[0] == "off"
    event = Event.objects.get()
    assert (event.kind, event.machine, event.machine_reason) == (EventKind.OPEN, False, "")


def test_no_model_of_the_app_has_a_place_for_an_ip_address() -> None:
    from django.apps import apps
    from django.db import models

    for model in apps.get_app_config("tracking").get_models():
        for field in model._meta.get_fields():
            assert not isinstance(field, models.GenericIPAddressField)
            assert "ip" not in field.name.split("_")
