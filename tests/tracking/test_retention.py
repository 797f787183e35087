"""The retention of what the trackers saw: TRACKING_EVENT_RETENTION_DAYS, enforced by purge_tracking_events."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from tests.tracking.factories import make_message, make_recipient
from tracking.models import AggregateCount, DeliveryCheck, Event, EventKind


def test_purge_deletes_only_opens_clicks_and_last_opens_older_than_the_setting(db, settings) -> None:
    settings.TRACKING_EVENT_RETENTION_DAYS = 30
    message, recipient = make_message(), make_recipient()
    other = make_message(name="Relance")
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)

    def event(kind: EventKind, at) -> Event:
        url = "https://www.nocrm.io/" if kind == EventKind.CLICK else ""
        return Event.objects.create(message=message, recipient=recipient, kind=kind, url=url, occurred_at=at)

    expired = [event(EventKind.OPEN, old), event(EventKind.CLICK, old)]
    kept = [event(EventKind.OPEN, recent), event(EventKind.CLICK, recent), event(EventKind.UNSUBSCRIBE, old)]
    DeliveryCheck.objects.create(message=message, recipient=recipient, last_opened_at=old)
    fresh_check = DeliveryCheck.objects.create(message=other, recipient=recipient, last_opened_at=recent)
    AggregateCount.objects.create(message=message, kind=EventKind.OPEN, day=old.date(), count=4)

    out = StringIO()
    call_command("purge_tracking_events", "--dry-run", stdout=out)
    assert "2 opens and clicks and 1 last opens" in out.getvalue() and "would be deleted" in out.getvalue()
    assert (Event.objects.count(), DeliveryCheck.objects.count()) == (5, 2)

    out = StringIO()
    call_command("purge_tracking_events", stdout=out)
    assert "2 opens and clicks and 1 last opens" in out.getvalue() and "(30 days) deleted" in out.getvalue()
    assert set(Event.objects.values_list("id", flat=True)) == {e.id for e in kept}
    assert not Event.objects.filter(id__in=[e.id for e in expired]).exists()
    assert list(DeliveryCheck.objects.values_list("id", flat=True)) == [fresh_check.id]
    assert AggregateCount.objects.get().count == 4  # anonymous: kept


def test_a_second_purge_deletes_nothing(db, settings) -> None:
    settings.TRACKING_EVENT_RETENTION_DAYS = 30
    message, recipient = make_message(), make_recipient()
    Event.objects.create(
        message=message, recipient=recipient, kind=EventKind.OPEN, occurred_at=timezone.now() - timedelta(days=40)
    )
    call_command("purge_tracking_events", stdout=StringIO())
    out = StringIO()
    call_command("purge_tracking_events", stdout=out)
    assert "0 opens and clicks and 0 last opens" in out.getvalue()
    assert not Event.objects.exists()
