from __future__ import annotations

import pytest
from django.test import Client

from tests.tracking.factories import make_message, make_recipient, unsubscribe_path
from tracking.events import record_event
from tracking.models import Event, EventKind, MachineReason, Message, Recipient, clicks_per_link
from tracking.services import ensure_recipient, unsubscribe


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
    assert clicks_per_link(message.pk) == [{"url": "https://example.com/", "people": 1, "machines": 2}]


def test_no_model_of_the_app_has_a_place_for_an_ip_address() -> None:
    from django.apps import apps
    from django.db import models

    for model in apps.get_app_config("tracking").get_models():
        for field in model._meta.get_fields():
            assert not isinstance(field, models.GenericIPAddressField)
            assert "ip" not in field.name.split("_")
