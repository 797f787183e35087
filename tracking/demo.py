"""Demo content of the tracking app: the message that ``manage.py send_tracked_email`` sends."""

from __future__ import annotations

from tracking.models import Message, MessageKind


def ensure_demo_message(*, kind: MessageKind = MessageKind.MARKETING) -> Message:
    """The demo message that ``manage.py send_tracked_email`` sends (templates/tracking/email/demo.*)."""
    message, _ = Message.objects.get_or_create(
        template="demo",
        kind=kind,
        defaults={"name": f"Démo ({kind})", "subject": "noCRM.io : votre démo du suivi des e-mails"},
    )
    return message
