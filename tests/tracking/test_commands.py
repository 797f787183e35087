from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tracking.models import Message, Recipient
from tracking.services import ensure_recipient, unsubscribe


def test_send_tracked_email_sends_the_demo_message(db) -> None:
    out = StringIO()
    call_command("send_tracked_email", "--to", "Demo@Example.com", stdout=out)
    [sent] = mail.outbox
    assert sent.to == ["demo@example.com"]
    assert "List-Unsubscribe" in sent.extra_headers
    assert "/o/" in sent.alternatives[0].content
    assert "Sent message" in out.getvalue()


def test_dry_run_prints_the_email_and_sends_nothing(db) -> None:
    out = StringIO()
    call_command("send_tracked_email", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in out.getvalue()


def test_marketing_demo_is_refused_to_an_unsubscribed_address_but_transactional_goes(db) -> None:
    call_command("send_tracked_email", "--to", "lea@example.com", stdout=StringIO())
    recipient = Recipient.objects.get()
    unsubscribe(recipient_id=recipient.pk, message_id=Message.objects.get().pk)
    with pytest.raises(CommandError, match="unsubscribed"):
        call_command("send_tracked_email", "--to", "lea@example.com", stdout=StringIO())
    call_command("send_tracked_email", "--to", "lea@example.com", "--transactional", stdout=StringIO())
    assert len(mail.outbox) == 2
    assert ensure_recipient(email="lea@example.com").unsubscribed_at is not None
