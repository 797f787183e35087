"""Writes of the tracking app: recording what the trackers saw, unsubscribing, sending tracked e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection
from django.utils import timezone

from tracking.batch import current_batch
from tracking.events import EventRow, record_event
from tracking.mailer import build_tracked_email
from tracking.models import Event, EventKind, Message, MessageKind, Recipient


class RecipientUnsubscribed(Exception):
    """Marketing e-mail refused: the recipient unsubscribed."""


def track_event(
    *, kind: EventKind, message_id: int, recipient_id: int | None, machine_reason: str, url: str = ""
) -> None:
    """An open or a click seen by a tracker: queued for the next batch, or stored now when batching is off."""
    row = EventRow(message_id, recipient_id, str(kind), url, timezone.now(), str(machine_reason))
    if settings.TRACKING_EVENT_FLUSH_SECONDS:
        current_batch().add(row)
    else:
        record_event(
            kind=kind,
            message_id=message_id,
            recipient_id=recipient_id,
            machine_reason=row.machine_reason,
            url=url,
            occurred_at=row.occurred_at,
        )


# The subscription change and its event in one statement (one round trip, one transaction). The
# event is left out when its message was deleted since sending; its foreign key is then no obstacle.
UNSUBSCRIBE = f"""
WITH changed AS (
    UPDATE {Recipient._meta.db_table} SET unsubscribed_at = %(now)s
    WHERE id = %(recipient)s AND unsubscribed_at IS NULL
    RETURNING id
), recorded AS (
    INSERT INTO {Event._meta.db_table} (message_id, recipient_id, kind, url, occurred_at, machine, machine_reason)
    SELECT %(message)s, changed.id, %(kind)s, '', %(now)s, false, '' FROM changed
    WHERE EXISTS (SELECT FROM {Message._meta.db_table} WHERE id = %(message)s)
)
SELECT count(*) FROM changed
"""


def unsubscribe(*, recipient_id: int, message_id: int) -> bool:
    """Unsubscribe a recipient from marketing e-mail; True the first time, False when already done.

    Idempotent: the UPDATE only matches a subscribed recipient, and only the request that changed it
    records the event, in the same statement. The subscription is what counts: if a deletion of the
    message races the statement (its foreign key refuses the event), the UPDATE runs alone.
    """
    params = {
        "now": timezone.now(),
        "recipient": recipient_id,
        "message": message_id,
        "kind": str(EventKind.UNSUBSCRIBE),
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(UNSUBSCRIBE, params)
            return cursor.fetchone()[0] == 1
    except IntegrityError:
        changed = Recipient.objects.filter(pk=recipient_id, unsubscribed_at__isnull=True).update(
            unsubscribed_at=params["now"]
        )
        return bool(changed)


def ensure_recipient(*, email: str) -> Recipient:
    """The recipient with this address (compared in lower case), created if new."""
    recipient, _ = Recipient.objects.get_or_create(email=email.strip().lower())
    return recipient


def send_tracked_email(
    *,
    message: Message,
    recipient: Recipient,
    context: dict[str, object] | None = None,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    """Build ``message`` for ``recipient`` with its trackers and send it through the e-mail backend.

    Raises ``RecipientUnsubscribed`` for marketing e-mail to an unsubscribed recipient (read afresh
    from the database); transactional e-mail is always sent.
    """
    if message.kind == MessageKind.MARKETING:
        recipient.refresh_from_db(fields=["unsubscribed_at"])
        if not recipient.is_subscribed:
            raise RecipientUnsubscribed(recipient.email)
    email = build_tracked_email(message=message, recipient=recipient, context=context)
    email.connection = connection or get_connection()
    email.send()
    return email


def ensure_demo_message(*, kind: MessageKind = MessageKind.MARKETING) -> Message:
    """The demo message that ``manage.py send_tracked_email`` sends (templates/tracking/email/demo.*)."""
    message, _ = Message.objects.get_or_create(
        template="demo",
        kind=kind,
        defaults={"name": f"Démo ({kind})", "subject": "noCRM.io : votre démo du suivi des e-mails"},
    )
    return message
