"""Writes of the leads app: storing a lead, announcing it to sales, deleting it once expired."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from leads.models import CaptchaStatus, Lead, LeadSource
from tracking.consents import CONSENT_TEXT, TEXT_VERSION, record_tracking_consent
from tracking.models import ConsentSource
from tracking.services import ensure_recipient

log = logging.getLogger(__name__)


def submit_lead(
    *,
    name: str,
    email: str,
    company: str,
    team_size: str,
    message: str,
    marketing_opt_in: bool,
    captcha_status: CaptchaStatus,
    source: LeadSource | str,
    language: str,
    email_tracking_opt_in: bool = False,
) -> Lead:
    """Store a lead, then e-mail sales once the row is committed. A ticked tracking box records the
    lead's consent to the tracking of their e-mails, with the box's text (``tracking.consents``)."""
    with transaction.atomic():
        if email_tracking_opt_in:
            with translation.override(language):
                text = str(CONSENT_TEXT)
            record_tracking_consent(
                recipient_id=ensure_recipient(email=email).pk,
                given=True,
                source=ConsentSource.FORM,
                text=text,
                text_version=TEXT_VERSION,
                language=language,
            )
        lead = Lead.objects.create(
            name=name,
            email=email,
            company=company,
            team_size=team_size,
            message=message,
            marketing_opt_in=marketing_opt_in,
            captcha_status=captcha_status,
            source=source,
            language=language[: Lead._meta.get_field("language").max_length],
        )
        transaction.on_commit(lambda: notify_sales(lead=lead))
    return lead


def notify_sales(*, lead: Lead) -> None:
    """E-mail the lead to ``SALES_NOTIFY_EMAIL``; a failure is logged, the lead is already stored."""
    recipients = settings.SALES_NOTIFY_EMAIL
    if not recipients:
        log.warning("SALES_NOTIFY_EMAIL is empty: lead %s stored but nobody was told", lead.pk)
        return
    # Sales read French; the visitor's language is in the body.
    with translation.override("fr"):
        admin_path = reverse("admin:leads_lead_change", args=[lead.pk])
        context = {"lead": lead, "admin_url": f"{settings.SITE_URL}{admin_path}"}
        subject = render_to_string("leads/email/notification_subject.txt", context)
        message = EmailMultiAlternatives(
            # One line: a name or company cannot inject headers (the form refuses line breaks too).
            subject=" ".join(subject.split()),
            body=render_to_string("leads/email/notification.txt", context),
            to=recipients,
            reply_to=[lead.email],
        )
        message.attach_alternative(render_to_string("leads/email/notification.html", context), "text/html")
    try:
        message.send()
    except Exception:  # SMTP down or refusing: the lead is in the admin, say so in the logs
        log.exception("Could not e-mail lead %s to sales", lead.pk)


def purge_leads(*, dry_run: bool = False, now: datetime | None = None) -> tuple[int, datetime]:
    """Delete the leads received more than LEADS_RETENTION_DAYS ago: (how many, the cutoff)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LEADS_RETENTION_DAYS)
    expired = Lead.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return expired.count(), cutoff
    deleted, _by_model = expired.delete()
    return deleted, cutoff
