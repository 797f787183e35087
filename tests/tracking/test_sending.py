from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.tracking.factories import make_message, make_transactional, unsubscribe_path
from tracking.sending import RecipientUnsubscribed, send_tracked_email
from tracking.services import unsubscribe


def test_send_tracked_email_sends_through_the_configured_backend(message, recipient) -> None:
    send_tracked_email(message=message, recipient=recipient)
    [sent] = mail.outbox
    assert sent.to == [recipient.email]
    assert sent.subject == message.subject
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_marketing_email_is_refused_after_a_one_click_unsubscribe(message, recipient) -> None:
    Client().post(unsubscribe_path(message, recipient), {"List-Unsubscribe": "One-Click"})
    with pytest.raises(RecipientUnsubscribed):
        send_tracked_email(message=message, recipient=recipient)  # a stale object: read afresh
    assert mail.outbox == []


def test_transactional_email_still_goes_to_an_unsubscribed_recipient(recipient) -> None:
    unsubscribe(recipient_id=recipient.pk, message_id=make_message().pk)
    send_tracked_email(message=make_transactional(), recipient=recipient)
    assert len(mail.outbox) == 1
