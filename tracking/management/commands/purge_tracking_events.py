"""Delete the opens and clicks older than TRACKING_EVENT_RETENTION_DAYS (run it nightly, like purge_leads)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tracking.services import purge_tracking_events


class Command(BaseCommand):
    help = (
        "Delete the opens and clicks naming a recipient, and the last opens of service e-mails, older than "
        "the retention period (TRACKING_EVENT_RETENTION_DAYS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        events, checks, cutoff = purge_tracking_events(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        days = settings.TRACKING_EVENT_RETENTION_DAYS
        before = f"from before {cutoff.isoformat()} ({days} days)"
        self.stdout.write(self.style.SUCCESS(f"{events} opens and clicks and {checks} last opens {before} {verb}."))
