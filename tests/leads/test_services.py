import logging

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from leads.models import CaptchaStatus, Lead
from leads.services import notify_sales, submit_lead
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><a href="https://evil.example">prix</a>'


def submit(**overrides: object) -> Lead:
    fields: dict[str, object] = {
        "name": "Camille Martin",
        "email": "camille@acme.example",
        "company": "Acme",
        "team_size": "2-5",
        "message": "Bonjour",
        "marketing_opt_in": False,
        "captcha_status": CaptchaStatus.VERIFIED,
        "source": "contact",
        "language": "fr",
    }
    fields.update(overrides)
    return submit_lead(**fields)


def test_sales_are_told_once_after_the_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks() as callbacks:
        lead = submit()
        assert mailoutbox == []  # nothing is sent for a row that could still roll back
    for callback in callbacks:
        callback()
    (message,) = mailoutbox
    assert message.subject == "Nouvelle demande de démo : Acme (Camille Martin)"
    assert message.reply_to == ["camille@acme.example"]
    assert f"/admin/leads/lead/{lead.pk}/change/" in message.body


def test_html_in_the_message_is_escaped_in_the_html_email(mailoutbox):
    notify_sales(lead=make_lead(message=HOSTILE, company="<b>Acme</b>"))
    (message,) = mailoutbox
    html_body, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<script>" not in html_body
    assert "<a href" not in html_body.replace('<a href="https://www.nocrm.io/admin', "")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_body
    assert "&lt;b&gt;Acme&lt;/b&gt;" in html_body
    # The text part is text/plain: nothing in it is interpreted, it shows what the visitor typed.
    assert HOSTILE in message.body


def test_line_breaks_in_names_never_reach_the_subject(mailoutbox):
    notify_sales(lead=make_lead(company="Acme\nBcc: victim@example.com"))
    assert "\n" not in mailoutbox[0].subject


def test_no_recipient_configured_logs_and_sends_nothing(settings, mailoutbox, caplog):
    settings.SALES_NOTIFY_EMAIL = []
    with caplog.at_level(logging.WARNING, logger="leads.services"):
        notify_sales(lead=make_lead())
    assert mailoutbox == []
    assert "SALES_NOTIFY_EMAIL is empty" in caplog.text


def test_a_mail_failure_keeps_the_lead_and_is_logged(settings, caplog, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.leads.test_services.FailingBackend"
    with caplog.at_level(logging.ERROR, logger="leads.services"), django_capture_on_commit_callbacks(execute=True):
        submit()
    assert Lead.objects.count() == 1
    assert "Could not e-mail lead" in caplog.text


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server down")
