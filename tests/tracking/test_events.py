from __future__ import annotations

import pytest

from tests.tracking.factories import make_message, make_recipient
from tracking.events import record_event
from tracking.models import Event, EventKind
from tracking.services import unsubscribe


@pytest.mark.django_db(transaction=True)
def test_events_of_a_deleted_message_are_not_recorded() -> None:
    message, recipient = make_message(), make_recipient()
    message_id = message.pk
    message.delete()
    assert record_event(kind=EventKind.OPEN, message_id=message_id, recipient_id=recipient.pk) is False
    assert unsubscribe(recipient_id=recipient.pk, message_id=message_id) is True
    assert not Event.objects.exists()


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
