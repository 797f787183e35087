"""Retention of the consent log: PostgreSQL deletes the expired records, and nothing else.

The app role cannot delete a record itself (decision 0005): ``purge_consents`` asks
``consent_purge_expired()``, which runs as the owner role and never deletes a record younger than the
retention period stored in ``consent_log_retention``. ``store_retention_period`` copies
``CONSENT_LOG_RETENTION_DAYS`` there after each ``migrate --database owner``. See
docs/decisions/0003-consent-log.md for the default period and why. The seals of the days it empties
stay (``consent_dayseal`` is append-only): ``verify_consent_log`` reports those days as purged, not as
tampered (docs/decisions/0006-daily-seals.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from consent.models import ConsentRecord
from consent.privileges import OWNER

logger = logging.getLogger(__name__)
BATCH_SIZE = 50_000


@dataclass(frozen=True)
class Purge:
    cutoff: datetime
    count: int
    dry_run: bool


def retention_cutoff(*, now: datetime | None = None) -> datetime:
    """Records decided before this moment have outlived ``CONSENT_LOG_RETENTION_DAYS``."""
    return (now or timezone.now()) - timedelta(days=settings.CONSENT_LOG_RETENTION_DAYS)


def enforced_cutoff(requested: datetime | None = None) -> datetime:
    """What the database lets the purge delete before: ``requested``, or its own retention cutoff if earlier."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT consent_retention_cutoff(%s::timestamptz)", [requested])
        (cutoff,) = cursor.fetchone()
    if cutoff is None:
        raise RuntimeError("consent_log_retention is empty: run manage.py migrate --database owner")
    return cutoff


def purge_consents(*, cutoff: datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> Purge:
    """Delete the records decided before ``cutoff`` (default: the retention cutoff) and log how many.

    The database clamps ``cutoff`` to its retention period: a later one deletes only the expired
    records. Each batch is one call of ``consent_purge_expired()``, hence one transaction.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    enforced = enforced_cutoff(cutoff)
    if cutoff is not None and enforced < cutoff:
        logger.warning(
            "consent purge: cutoff clamped to the retention period",
            extra={"requested": cutoff.isoformat(), "cutoff": enforced.isoformat()},
        )
    if dry_run:
        count = ConsentRecord.objects.older_than(enforced).count()
        logger.info("consent purge (dry run)", extra={"would_delete": count, "cutoff": enforced.isoformat()})
        return Purge(cutoff=enforced, count=count, dry_run=True)

    count = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT consent_purge_expired(%s, %s)", [enforced, batch_size])
            (deleted,) = cursor.fetchone()
        count += deleted
        if deleted < batch_size:
            break
    logger.info("consent records purged", extra={"deleted": count, "cutoff": enforced.isoformat()})
    return Purge(cutoff=enforced, count=count, dry_run=False)


def store_retention_period(database: BaseDatabaseWrapper) -> None:
    """Copy ``CONSENT_LOG_RETENTION_DAYS`` into ``consent_log_retention``; only the owner role may."""
    with database.cursor() as cursor:
        cursor.execute("SELECT to_regclass('consent_log_retention') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("UPDATE consent_log_retention SET days = %s", [settings.CONSENT_LOG_RETENTION_DAYS])


def after_migrate(*, using: str, **kwargs: Any) -> None:
    """``post_migrate`` receiver: the owner's migrate also brings the stored retention period up to date."""
    if using == OWNER:
        store_retention_period(connections[using])
