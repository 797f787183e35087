"""Purges: asked for when the declarations change, sent in the background, retried with backoff."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cdn.backends import PurgeFailed, purge_cloudflare, purge_http
from cdn.models import Purge

# 1, 2, 4 … 64 s between tries, then the purge is marked failed (about two minutes in all).
MAX_ATTEMPTS = 8
MAX_DELAY = 64
logger = logging.getLogger(__name__)


def endpoints() -> list[tuple[str, str]]:
    """(backend, endpoint) of every cache configured in front of the site."""
    configured: list[tuple[str, str]] = [(Purge.Backend.HTTP, url) for url in settings.CDN_PURGE_URLS]
    if settings.CDN_CLOUDFLARE_ZONE_ID and settings.CDN_CLOUDFLARE_API_TOKEN:
        configured.append((Purge.Backend.CLOUDFLARE, settings.CDN_CLOUDFLARE_ZONE_ID))
    return configured


def request_purge(*, urls: list[str], delay: float = 0) -> list[Purge]:
    """A purge of ``urls`` at every configured cache in ``delay`` seconds, unless the same purge is
    already waiting for its first try at that time (several rows saved in one transaction ask once)."""
    at = timezone.now() + timedelta(seconds=delay)
    created = []
    for backend, endpoint in endpoints():
        waiting = Purge.objects.pending().filter(backend=backend, endpoint=endpoint, attempts=0, urls=urls)
        if not waiting.filter(next_attempt_at__range=(at - timedelta(seconds=1), at + timedelta(seconds=1))).exists():
            created.append(Purge.objects.create(backend=backend, endpoint=endpoint, urls=urls, next_attempt_at=at))
    return created


def send_due_purges() -> int:
    """Sends every purge whose time has come (each by one process only); returns how many were tried."""
    tried = 0
    while True:
        with transaction.atomic():
            purge = Purge.objects.due(timezone.now()).select_for_update(skip_locked=True).order_by("id").first()
            if purge is None:
                return tried
            send_purge(purge)
            tried += 1


def send_purge(purge: Purge) -> None:
    """One try: done, or the error and the time of the next try (failed after MAX_ATTEMPTS)."""
    send = purge_http if purge.backend == Purge.Backend.HTTP else purge_cloudflare
    purge.attempts += 1
    try:
        send(purge.endpoint, purge.urls)
    except PurgeFailed as error:
        purge.last_error = str(error)[:1000]
        if purge.attempts >= MAX_ATTEMPTS:
            purge.status = Purge.Status.FAILED
            logger.error("cache purge failed after %s tries: %s", purge.attempts, purge.last_error)
        else:
            delay = min(2 ** (purge.attempts - 1), MAX_DELAY)
            purge.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            logger.warning("cache purge failed (try %s), again in %s s: %s", purge.attempts, delay, purge.last_error)
    else:
        purge.status, purge.done_at = Purge.Status.DONE, timezone.now()
        logger.info("cache purged: %s pages at %s", len(purge.urls), purge.endpoint)
    purge.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "done_at"])


def retry_purges(purges: Iterable[Purge]) -> int:
    """Puts failed or waiting purges back for a try now, with their tries counted afresh (the admin's action)."""
    ids = [p.pk for p in purges if p.status != Purge.Status.DONE]
    return Purge.objects.filter(pk__in=ids).update(
        status=Purge.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )


def next_due() -> float | None:
    """Seconds until the next pending try (0 when one is due), None when nothing waits."""
    first = Purge.objects.pending().order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if first is None:
        return None
    return max(0.0, (first - timezone.now()).total_seconds())
