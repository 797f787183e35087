"""Delete consent records older than CONSENT_LOG_RETENTION_DAYS: the only way past the append-only guard.

Meant to run daily from cron or a scheduler; each run removes only the rows that expired since the last.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from consent.backoffice.retention import purge_consents


class Command(BaseCommand):
    help = "Delete consent records older than the retention period (CONSENT_LOG_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        purge = purge_consents(dry_run=dry_run)
        days = settings.CONSENT_LOG_RETENTION_DAYS
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            self.style.SUCCESS(f"{purge.count} records decided before {purge.cutoff.isoformat()} ({days} days) {verb}.")
        )
