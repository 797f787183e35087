"""Recompute the daily roll-up of the consent log that the analytics page reads for settled days.

Run it nightly, right after purge_consents (e.g. ``20 3 * * * manage.py rollup_consents``): without
arguments it rolls up every settled day not rolled up yet (the day that settled since the last run;
the whole history on the first run). ``--since``/``--until`` recompute a range of days again; only
settled days (ended more than MAX_RESEND_AGE ago) that the purge has not touched are written.
Running it twice gives the same roll-up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.rollup import retained_since, roll_up, settled_until


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date: {text!r} (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Roll up consent decisions per Paris day for the analytics page (settled days only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=_day, help="YYYY-MM-DD, inclusive (site time zone); default: first day not rolled up."
        )
        parser.add_argument(
            "--until", type=_day, help="YYYY-MM-DD, exclusive (site time zone); default: first day not settled."
        )

    def handle(self, *args: Any, since: date | None, until: date | None, **options: Any) -> None:
        if since and until and until <= since:
            raise CommandError("--until must come after --since")
        rollup = roll_up(since, until)
        if not rollup.days:
            settled, retained = settled_until(), retained_since()
            self.stdout.write(
                "Nothing to roll up: "
                + (
                    f"only days from {retained} (untouched by the purge) to {settled} (exclusive, settled) are."
                    if since or until
                    else f"every settled day (before {settled}) is rolled up already."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{rollup.days} days from {rollup.since} to {rollup.until} (exclusive) rolled up: "
                f"{rollup.decisions} decisions."
            )
        )
