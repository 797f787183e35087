"""Generated activity for development: a few weeks of consent decisions and e-mail tracker events,
marked as demo data, so the statistics pages show charts on a fresh machine. Idempotent. Refused
unless DEBUG is on, so that it never writes into a production database (whose settings keep DEBUG off).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.demo_activity import generate_demo_decisions
from consent.privileges import OWNER
from tracking.demo import generate_demo_events


class Command(BaseCommand):
    help = "Generate demo consent decisions and tracker events (development only: DEBUG must be on)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=28, help="How many past days to fill (default 28).")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo activity is for development only: DEBUG is off, nothing was written.")
        if not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366.")
        if OWNER not in settings.DATABASES:
            raise CommandError(
                "Demo decisions are dated in the past, which only the owner role may write: set DATABASE_OWNER_URL."
            )
        decisions = generate_demo_decisions(days=days)
        events = generate_demo_events(days=days)
        self.stdout.write(
            self.style.SUCCESS(f"Demo activity: {decisions} decisions and {events} tracker events added.")
        )
