"""manage.py send_vendor_deletions: the nightly job that asks vendors to delete withdrawn visitors' data.

Sends each request whose time has come (consent/catalog/deletions.py), forgets the identifier once the
vendor took it, and says how many were sent, put off and given up; the DPO sees each in the admin.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from consent.catalog.deletions import ga4_sender, send_due_deletions
from consent.models import DeletionStatus, VendorDeletion


class Command(BaseCommand):
    help = "Ask vendors with a deletion API (Google Analytics 4) to delete the data of visitors who withdrew."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; send nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if ga4_sender() is None:
            self.stdout.write(
                "Google Analytics 4 deletions are off (GA4_DELETION_PROPERTY_ID, GA4_DELETION_SERVICE_ACCOUNT)."
            )
        if dry_run:
            due = VendorDeletion.objects.filter(status=DeletionStatus.PENDING, next_attempt_at__lte=timezone.now())
            self.stdout.write(f"{due.count()} deletions due; dry run: nothing sent.")
            return
        counts = send_due_deletions()
        self.stdout.write(
            self.style.SUCCESS(f"{counts['sent']} sent, {counts['retry']} to try again, {counts['failed']} given up.")
        )
