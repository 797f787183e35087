"""Sending tracked e-mail: marketing e-mail never goes to a recipient who unsubscribed."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from tracking.mailer import build_tracked_email
from tracking.models import Message, MessageKind, Recipient


class RecipientUnsubscribed(Exception):
    """Marketing e-mail refused: the recipient unsubscribed."""


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
