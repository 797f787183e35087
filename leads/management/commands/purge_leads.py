"""Delete the leads older than LEADS_RETENTION_DAYS (run it nightly, like purge_consents)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from leads.services import purge_leads


class Command(BaseCommand):
    help = "Delete demo and contact requests older than the retention period (LEADS_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        count, cutoff = purge_leads(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        days = settings.LEADS_RETENTION_DAYS
        self.stdout.write(
            self.style.SUCCESS(f"{count} leads received before {cutoff.isoformat()} ({days} days) {verb}.")
        )
