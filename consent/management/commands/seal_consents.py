"""Seal each settled day of the consent log: its records' digest, chained to the previous day's seal.

Run it nightly with the roll-up (e.g. ``20 3 * * * manage.py seal_consents; manage.py rollup_consents``):
without arguments it seals every settled day after the last sealed one (the whole history on the first
run, a missed night's days on the next), and nothing twice. ``manage.py verify_consent_log`` checks
the log against the seals. See docs/decisions/0006-daily-seals.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consent.backoffice.seals import seal_settled_days


class Command(BaseCommand):
    help = "Seal the settled days of the consent log that are not sealed yet (append-only digests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compute the seals; store nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        sealing = seal_settled_days(dry_run=dry_run)
        if not sealing.days:
            self.stdout.write("Nothing to seal: every settled day is sealed already.")
            return
        verb = "would be sealed" if dry_run else "sealed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{sealing.days} days from {sealing.since} to {sealing.until} (exclusive) {verb}: "
                f"{sealing.records} records; last seal {sealing.digest}."
            )
        )
