"""The nightly seal anchored outside the database: timestamped by a TSA, e-mailed to the DPO.

``manage.py seal_consents`` calls both after sealing (docs/decisions/0006-daily-seals.md):
``timestamp_last_seal`` when ``SEAL_TSA_URL`` is set, ``report_last_seal`` when ``SEAL_REPORT_TO`` is.
The e-mail's attachment is a seals file (``seals.seals_json``) holding the last seal and its token,
which ``verify_consent_log --against`` reads like the back office's download: the last seal vouches for
every day before it, and the copy sits in the DPO's mailbox, where no database administrator writes.
"""

from __future__ import annotations

import base64
import json
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from consent.backoffice import timestamps
from consent.backoffice.export import iso_utc
from consent.backoffice.seals import seal_fields, seals_json
from consent.models import DaySeal, SealTimestamp

logger = logging.getLogger(__name__)


def timestamp_last_seal() -> SealTimestamp | None:
    """Timestamp the last seal unless it has a token already; the stored token, or None without seals.

    The token is checked (``timestamps.verify_token``) before it is stored: a bad answer is refused
    with ``timestamps.BadToken`` and nothing is stored.
    """
    last = DaySeal.objects.order_by("-day").first()
    if last is None:
        return None
    existing = SealTimestamp.objects.filter(day=last.day).first()
    if existing is not None:
        return existing
    token = timestamps.request_token(last.digest)
    stamp = timestamps.verify_token(token, last.digest, sealed_at=last.sealed_at)
    stored = SealTimestamp.objects.create(
        day=last.day, token=token, timestamped_at=stamp.time, tsa_url=settings.SEAL_TSA_URL
    )
    logger.info("consent seal timestamped", extra={"day": last.day.isoformat(), "at": iso_utc(stamp.time)})
    return stored


def report_file(seal: DaySeal) -> str:
    """The attachment: the seal as a seals file, with its token (base64 DER) when it has one."""
    report = seals_json([seal])
    stamp = SealTimestamp.objects.filter(day=seal.day).first()
    if stamp is not None:
        row = seal_fields(seal)
        report["seals"] = [row]
        row["timestamp_token"] = base64.b64encode(bytes(stamp.token)).decode()
        row["timestamped_at"] = iso_utc(stamp.timestamped_at)
        row["timestamp_authority"] = stamp.tsa_url
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def report_last_seal() -> DaySeal | None:
    """E-mail the last seal and its token to ``SEAL_REPORT_TO``; the seal sent, or None without seals."""
    last = DaySeal.objects.order_by("-day").first()
    if last is None or not settings.SEAL_REPORT_TO:
        return None
    stamped = SealTimestamp.objects.filter(day=last.day).exists()
    body = render_to_string("consent/email/seal_report.txt", {"seal": last, "stamped": stamped})
    message = EmailMessage(
        subject=f"Journal des consentements : sceau du {last.day.isoformat()}",
        body=body,
        to=settings.SEAL_REPORT_TO,
    )
    message.attach(f"sceau-consentements-{last.day.isoformat()}.json", report_file(last), "application/json")
    message.send()
    logger.info(
        "consent seal e-mailed", extra={"day": last.day.isoformat(), "recipients": len(settings.SEAL_REPORT_TO)}
    )
    return last
