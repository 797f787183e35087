"""Demo content of the tracking app: the message that ``manage.py send_tracked_email`` sends, and
generated events for the statistics in development (``manage.py load_demo_activity``)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from tracking.models import Event, EventKind, MachineReason, Message, MessageKind, Recipient


def ensure_demo_message(*, kind: MessageKind = MessageKind.MARKETING) -> Message:
    """The demo message that ``manage.py send_tracked_email`` sends (templates/tracking/email/demo.*)."""
    message, _ = Message.objects.get_or_create(
        template="demo",
        kind=kind,
        defaults={"name": f"Démo ({kind})", "subject": "noCRM.io : votre démo du suivi des e-mails"},
    )
    return message


DEMO_DOMAIN = "demo.example.com"  # recipients of generated events: a reserved domain, never mailed


def generate_demo_events(*, days: int, recipients: int = 40) -> int:
    """Opens, clicks and a few unsubscribes over the last ``days`` days on one generated message, for
    the statistics in development; nothing when that message already has events (idempotent)."""
    message, _ = Message.objects.get_or_create(
        name="Données de démonstration : lettre d'information",
        defaults={"subject": "noCRM.io : les nouveautés du mois", "template": "demo", "kind": MessageKind.MARKETING},
    )
    if message.events.exists():
        return 0
    chance = random.Random(days)
    people = [
        Recipient.objects.get_or_create(email=f"contact{number:02}@{DEMO_DOMAIN}")[0] for number in range(recipients)
    ]
    now = timezone.now()
    events = []
    for person in people:
        sent = now - timedelta(days=chance.randint(1, days), hours=chance.randint(0, 12))
        if chance.random() < 0.15:  # a mail provider's proxy fetched the pixel first
            events.append(
                Event(
                    message=message,
                    recipient=person,
                    kind=EventKind.OPEN,
                    occurred_at=sent + timedelta(seconds=2),
                    machine=True,
                    machine_reason=MachineReason.MAIL_PROXY,
                )
            )
        if chance.random() < 0.55:
            opened = sent + timedelta(minutes=chance.randint(5, 2000))
            events.append(Event(message=message, recipient=person, kind=EventKind.OPEN, occurred_at=opened))
            if chance.random() < 0.35:
                url = chance.choice(["https://www.nocrm.io/tarifs/", "https://www.nocrm.io/fonctionnalites/"])
                events.append(
                    Event(
                        message=message,
                        recipient=person,
                        kind=EventKind.CLICK,
                        url=url,
                        occurred_at=opened + timedelta(seconds=40),
                    )
                )
            if chance.random() < 0.04:
                events.append(
                    Event(
                        message=message,
                        recipient=person,
                        kind=EventKind.UNSUBSCRIBE,
                        occurred_at=opened + timedelta(minutes=1),
                    )
                )
    Event.objects.bulk_create(events)
    for event in events:
        if event.kind == EventKind.UNSUBSCRIBE and event.recipient is not None:
            Recipient.objects.filter(pk=event.recipient.pk).update(unsubscribed_at=event.occurred_at)
    return len(events)
