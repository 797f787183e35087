"""Seal each settled day of the consent log: its records' digest, chained to the previous day's seal.

Run it nightly with the roll-up (e.g. ``20 3 * * * manage.py seal_consents; manage.py rollup_consents``):
without arguments it seals every settled day after the last sealed one (the whole history on the first
run, a missed night's days on the next), and nothing twice; then the last seal is timestamped by the
authority of ``SEAL_TSA_URL`` and e-mailed to ``SEAL_REPORT_TO``, when they are set (exit status 1 if the
timestamp failed: the seals are stored all the same). ``manage.py verify_consent_log`` checks the log
against the seals and their tokens. See docs/decisions/0006-daily-seals.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.anchoring import report_last_seal, timestamp_last_seal
from consent.backoffice.seals import Sealing, seal_settled_days
from consent.backoffice.timestamps import BadToken


class Command(BaseCommand):
    help = "Seal the settled days of the consent log that are not sealed yet (append-only digests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compute the seals; store nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        sealing = seal_settled_days(dry_run=dry_run)
        if not sealing.days:
            self.stdout.write("Nothing to seal: every settled day is sealed already.")
        else:
            self._report(sealing, dry_run=dry_run)
        if not dry_run:
            self._anchor()

    def _anchor(self) -> None:
        """The last seal outside the database: timestamped (SEAL_TSA_URL), then e-mailed (SEAL_REPORT_TO)."""
        failure = None
        if settings.SEAL_TSA_URL:
            try:
                stamp = timestamp_last_seal()
            except BadToken as exc:
                failure = exc  # the seals are stored; the e-mail still goes; the next night tries again
            else:
                if stamp is not None:
                    self.stdout.write(f"Seal of {stamp.day} timestamped at {stamp.timestamped_at.isoformat()}.")
        if settings.SEAL_REPORT_TO:
            sent = report_last_seal()
            if sent is not None:
                self.stdout.write(f"Seal of {sent.day} e-mailed to {', '.join(settings.SEAL_REPORT_TO)}.")
        if failure is not None:
            raise CommandError(f"The last seal was not timestamped: {failure}")

    def _report(self, sealing: Sealing, *, dry_run: bool) -> None:
        verb = "would be sealed" if dry_run else "sealed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{sealing.days} days from {sealing.since} to {sealing.until} (exclusive) {verb}: "
                f"{sealing.records} records; last seal {sealing.digest}."
            )
        )
