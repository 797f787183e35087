"""Withdrawals passed on to the vendors that have a deletion API (Google Analytics 4 first).

A withdrawal of statistics or advertising brings, with the decision, the identifier the vendor's
cookie held (``_ga``'s client ID); ``queue_deletion`` keeps it. Each night ``send_due_deletions``
asks the vendor to delete that visitor's data, then forgets the identifier. A vendor that fails is
tried again later (2, 4, 8… minutes, at most a day apart), ``MAX_ATTEMPTS`` times, never forever, and
the DPO sees every request and its last error in the admin. Nothing of this runs in a decision's
request: a vendor that is down never slows or blocks a visitor. Off until the credentials are set.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consent.models import DeletionStatus, VendorDeletion
from consent.visitor.cookie import ConsentState
from consent.visitor.snapshot import HeldTag

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
GA4 = "google-analytics-4"
# _ga holds "GA1.<n>.<random>.<first visit>"; the client ID is the last two numbers.
GA_COOKIE = re.compile(r"GA1\.\d+\.(\d{1,20}\.\d{1,20})")
SCOPE = "https://www.googleapis.com/auth/analytics.edit"


class DeletionFailed(Exception):
    """The vendor refused or could not be reached; the message says what it answered."""


def client_id_from_cookie(value: str) -> str | None:
    """The Google Analytics client ID held by a ``_ga`` cookie, or None for anything else."""
    match = GA_COOKIE.fullmatch(value.strip())
    return match.group(1) if match else None


def queue_deletion(*, vendor: str, identifier: str) -> VendorDeletion:
    return VendorDeletion.objects.create(vendor=vendor, identifier=identifier)


def pass_on_withdrawal(
    *, before: ConsentState | None, choices: dict[str, bool], cookies: dict[str, str], tags: list[HeldTag]
) -> list[VendorDeletion]:
    """Queues a deletion for each vendor with a deletion API whose purpose this decision withdraws, with
    the identifier its cookie holds in the decision's own request (``_ga``'s client ID for GA4)."""
    if before is None:
        return []
    queued: list[VendorDeletion] = []
    for tag in tags:
        if tag.vendor != GA4 or not before.granted(tag.purpose) or choices.get(tag.purpose):
            continue
        client_id = client_id_from_cookie(cookies.get("_ga", ""))
        if client_id and not any(q.vendor == GA4 for q in queued):
            queued.append(queue_deletion(vendor=GA4, identifier=client_id))
    return queued


def ga4_sender() -> Callable[[str], None] | None:
    """Sends one GA4 user deletion (Admin API ``properties.submitUserDeletion``), or None when the
    property or the service account is not configured."""
    if not (settings.GA4_DELETION_PROPERTY_ID and settings.GA4_DELETION_SERVICE_ACCOUNT):
        return None
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    credentials = service_account.Credentials.from_service_account_info(
        json.loads(settings.GA4_DELETION_SERVICE_ACCOUNT), scopes=[SCOPE]
    )
    url = f"{settings.GA4_ADMIN_API_URL}/v1alpha/properties/{settings.GA4_DELETION_PROPERTY_ID}:submitUserDeletion"

    def send(client_id: str) -> None:
        try:
            if not credentials.valid:
                credentials.refresh(Request())
            answer = httpx.post(
                url, json={"clientId": client_id}, headers={"Authorization": f"Bearer {credentials.token}"}, timeout=10
            )
        except Exception as error:  # the token service or the API unreachable, or a refused token
            raise DeletionFailed(f"{type(error).__name__}: {error}") from error
        if answer.status_code >= 300:
            raise DeletionFailed(f"HTTP {answer.status_code}: {answer.text[:300]}")

    return send


def send_due_deletions(*, now: datetime | None = None, senders: dict[str, Callable[[str], None]] | None = None) -> dict:
    """Sends every deletion whose time has come; returns how many were sent, put off and given up."""
    now = now or timezone.now()
    if senders is None:
        senders = {vendor: send for vendor, send in ((GA4, ga4_sender()),) if send is not None}
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = VendorDeletion.objects.filter(status=DeletionStatus.PENDING, next_attempt_at__lte=now, vendor__in=senders)
    for deletion in due.order_by("next_attempt_at", "id"):
        with transaction.atomic():
            try:
                senders[deletion.vendor](deletion.identifier)
            except DeletionFailed as error:
                deletion.attempts += 1
                deletion.last_error = str(error)
                if deletion.attempts >= MAX_ATTEMPTS:
                    deletion.status = DeletionStatus.FAILED
                    counts["failed"] += 1
                    logger.error("vendor deletion given up", extra={"vendor": deletion.vendor, "id": deletion.pk})
                else:
                    deletion.next_attempt_at = now + min(timedelta(minutes=2**deletion.attempts), timedelta(days=1))
                    counts["retry"] += 1
            else:
                deletion.status, deletion.sent_at, deletion.identifier = DeletionStatus.DONE, now, ""
                deletion.last_error = ""
                counts["sent"] += 1
            deletion.save()
    return counts
