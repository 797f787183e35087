"""Small helpers for the tracking tests: messages, recipients, tokens and tracker URLs."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.urls import reverse

from tracking.consents import record_tracking_consent
from tracking.models import AggregateCount, ConsentSource, Message, MessageKind, Recipient
from tracking.tokens import Claims, Purpose, make_token, url_digest

HOUR = 3600


def make_message(**fields: object) -> Message:
    values: dict[str, object] = {"name": "Newsletter", "subject": "Nouveautés", "template": "demo"}
    values.update(fields)
    return Message.objects.create(**values)


def make_transactional(**fields: object) -> Message:
    return make_message(kind=MessageKind.TRANSACTIONAL, **fields)


def make_recipient(email: str = "lea@example.com", *, consent: bool = True, **fields: object) -> Recipient:
    """A recipient who agreed to tracking (through the site's form), unless ``consent=False``."""
    recipient = Recipient.objects.create(email=email, **fields)
    if consent:
        give_consent(recipient)
    return recipient


def give_consent(recipient: Recipient) -> None:
    record_tracking_consent(recipient_id=recipient.pk, given=True, source=ConsentSource.FORM, text="Oui")


def withdraw_consent(recipient: Recipient) -> None:
    record_tracking_consent(recipient_id=recipient.pk, given=False, source=ConsentSource.WITHDRAWAL_LINK)


def counts(message: Message) -> list[tuple[str, str, str, int]]:
    """A message's anonymous counts: (kind, url, machine_reason, count), sorted."""
    rows = AggregateCount.objects.filter(message=message).values_list("kind", "url", "machine_reason", "count")
    return sorted(rows)


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


def tracking_path(message: Message, recipient: Recipient, *, given: bool) -> str:
    purpose = Purpose.TRACKING_ON if given else Purpose.TRACKING_OFF
    name = "tracking:tracking-on" if given else "tracking:tracking-off"
    return reverse(name, args=[make_token(purpose, claims(message, recipient))])


def unsubscribe_path(message: Message, recipient: Recipient) -> str:
    signature = make_token(Purpose.UNSUBSCRIBE, claims(message, recipient))
    return f"{reverse('tracking:unsubscribe')}?{urlencode({'signature': signature})}"
