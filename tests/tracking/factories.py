"""Small helpers for the tracking tests: messages, recipients, tokens and tracker URLs."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.urls import reverse

from tracking.models import Message, MessageKind, Recipient
from tracking.tokens import Claims, Purpose, make_token, url_digest

HOUR = 3600


def make_message(**fields: object) -> Message:
    values: dict[str, object] = {"name": "Newsletter", "subject": "Nouveautés", "template": "demo"}
    values.update(fields)
    return Message.objects.create(**values)


def make_transactional(**fields: object) -> Message:
    return make_message(kind=MessageKind.TRANSACTIONAL, **fields)


def make_recipient(email: str = "lea@example.com", **fields: object) -> Recipient:
    return Recipient.objects.create(email=email, **fields)


def claims(message: Message, recipient: Recipient | None, *, sent_ago: int = HOUR, target: str = "") -> Claims:
    return Claims(
        message_id=message.pk,
        recipient_id=recipient.pk if recipient else None,
        sent_at=int(time.time()) - sent_ago,
        target=target,
    )


def pixel_path(message: Message, recipient: Recipient | None, **kwargs: int) -> str:
    return reverse("tracking:open-pixel", args=[make_token(Purpose.OPEN, claims(message, recipient, **kwargs))])


def click_path(message: Message, recipient: Recipient, url: str, **kwargs: int) -> str:
    token = make_token(Purpose.LINK, claims(message, recipient, target=url, **kwargs))
    return reverse("tracking:click", args=[token])


def goto_token(message: Message, recipient: Recipient, url: str, **kwargs: int) -> str:
    return make_token(Purpose.GOTO, claims(message, recipient, target=url_digest(url), **kwargs))


def goto_path(message: Message, recipient: Recipient, url: str, *, clicked_url: str | None = None) -> str:
    query = urlencode({"clicked_url": url if clicked_url is None else clicked_url})
    return f"{reverse('tracking:goto', args=[goto_token(message, recipient, url)])}?{query}"


def unsubscribe_path(message: Message, recipient: Recipient) -> str:
    signature = make_token(Purpose.UNSUBSCRIBE, claims(message, recipient))
    return f"{reverse('tracking:unsubscribe')}?{urlencode({'signature': signature})}"
