"""Writes outside the trackers' batches: one recipient per address, the one-click unsubscribe
(RFC 8058), and the nightly deletion of what has outlived its retention period.

An unsubscribe stays synchronous, unlike opens and clicks (decision 0004): the sending service must
see it at once (``tracking.sending``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tracking.consents import withdraw_on_unsubscribe
from tracking.models import ConsentSource, DeliveryCheck, Event, EventKind, Message, Recipient, TrackingConsent


def ensure_recipient(*, email: str) -> Recipient:
    """The recipient with this address (compared in lower case), created if new."""
    recipient, _ = Recipient.objects.get_or_create(email=email.strip().lower())
    return recipient


# The subscription change, its event and the end of the recipient's consent to tracking (when they
# had agreed) in one statement (one round trip, one transaction). The event is left out when its
# message was deleted since sending; its foreign key is then no obstacle. The UPDATE locks the
# recipient's row, as a grant of consent does (tracking.consents), so the two never interleave.
UNSUBSCRIBE = f"""
WITH changed AS (
    UPDATE {Recipient._meta.db_table} SET unsubscribed_at = %(now)s
    WHERE id = %(recipient)s AND unsubscribed_at IS NULL
    RETURNING id
), recorded AS (
    INSERT INTO {Event._meta.db_table} (message_id, recipient_id, kind, url, occurred_at, machine, machine_reason)
    SELECT %(message)s, changed.id, %(kind)s, '', %(now)s, false, '' FROM changed
    WHERE EXISTS (SELECT FROM {Message._meta.db_table} WHERE id = %(message)s)
), withdrawn AS (
    INSERT INTO {TrackingConsent._meta.db_table}
        (recipient_id, given, recorded_at, source, text, text_version, language, message_id, evidence, recorded_by)
    SELECT changed.id, false, %(now)s, %(source)s, '', '', '', %(message)s, '', '' FROM changed
    WHERE (
        SELECT c.given FROM {TrackingConsent._meta.db_table} c WHERE c.recipient_id = changed.id
        ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
    )
)
SELECT count(*) FROM changed
"""


def unsubscribe(*, recipient_id: int, message_id: int) -> bool:
    """Unsubscribe a recipient from marketing e-mail, and withdraw their consent to tracking; True the
    first time, False when already done.

    Idempotent: the UPDATE only matches a subscribed recipient, and only the request that changed it
    records the event, in the same statement. The subscription is what counts: if a deletion of the
    message races the statement (its foreign key refuses the event), the UPDATE runs alone.
    """
    params: dict[str, Any] = {
        "now": timezone.now(),
        "recipient": recipient_id,
        "message": message_id,
        "kind": str(EventKind.UNSUBSCRIBE),
        "source": str(ConsentSource.UNSUBSCRIBE),
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(UNSUBSCRIBE, params)
            return cursor.fetchone()[0] == 1
    except IntegrityError:
        changed = Recipient.objects.filter(pk=recipient_id, unsubscribed_at__isnull=True).update(
            unsubscribed_at=params["now"]
        )
        if changed:
            withdraw_on_unsubscribe(recipient_id=recipient_id, message_id=message_id)
        return bool(changed)


def purge_tracking_events(*, dry_run: bool = False, now: datetime | None = None) -> tuple[int, int, datetime]:
    """Delete the opens and clicks, and the last opens of service e-mails, older than
    TRACKING_EVENT_RETENTION_DAYS: (events, delivery checks, the cutoff).

    Unsubscribe events stay: they record an objection that is honoured for as long as we could write
    to the recipient. The anonymous counts (``AggregateCount``) name nobody and stay too.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRACKING_EVENT_RETENTION_DAYS)
    events = Event.objects.filter(kind__in=[EventKind.OPEN, EventKind.CLICK], occurred_at__lt=cutoff)
    checks = DeliveryCheck.objects.filter(last_opened_at__lt=cutoff)
    if dry_run:
        return events.count(), checks.count(), cutoff
    with transaction.atomic():
        # Nothing refers to these rows: Django deletes each set with one DELETE statement.
        deleted_events, _ = events.delete()
        deleted_checks, _ = checks.delete()
    return deleted_events, deleted_checks, cutoff
