"""Retention of the consent log: the purge is the only path through the append-only trigger.

See docs/decisions/0003-consent-log.md for the default retention period and why. The seals of the days
it empties stay (``consent_dayseal`` is append-only): ``verify_consent_log`` reports those days as
purged, not as tampered (docs/decisions/0006-daily-seals.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from consent.models import ConsentRecord

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


def purge_consents(*, cutoff: datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> Purge:
    """Delete the records decided before ``cutoff`` (default: the retention cutoff) and log how many.

    Each batch is one transaction that lifts the trigger's guard with ``SET LOCAL`` and puts it back
    before it ends, so that no other statement of the transaction can delete or update a record.
    """
    cutoff = cutoff or retention_cutoff()
    expired = ConsentRecord.objects.older_than(cutoff)
    if dry_run:
        count = expired.count()
        logger.info("consent purge (dry run)", extra={"would_delete": count, "cutoff": cutoff.isoformat()})
        return Purge(cutoff=cutoff, count=count, dry_run=True)

    table = connection.ops.quote_name(ConsentRecord._meta.db_table)
    count = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL consent.allow_purge = 'on'")
            # The oldest rows first, through the decided_at index: only the expired range is read.
            # "= ANY(ARRAY(…))" keeps the planner on the primary key; "IN (SELECT …)" may hash-join
            # against a scan of the whole table.
            cursor.execute(
                f"""DELETE FROM {table} WHERE decided_at < %s AND id = ANY(ARRAY(
                    SELECT id FROM {table} WHERE decided_at < %s ORDER BY decided_at LIMIT %s))""",
                [cutoff, cutoff, batch_size],
            )
            deleted = cursor.rowcount
            # Inside an outer transaction this block is a savepoint, whose release keeps SET LOCAL:
            # close the gate explicitly. (On an error, the rollback closes it.)
            cursor.execute("SET LOCAL consent.allow_purge = 'off'")
        count += deleted
        if deleted < batch_size:
            break
    logger.info("consent records purged", extra={"deleted": count, "cutoff": cutoff.isoformat()})
    return Purge(cutoff=cutoff, count=count, dry_run=False)
