"""Recompute the daily seals of the consent log and name every day that differs from its seal.

Exit status 0 when every sealed day matches (purged days and days not sealed yet are listed, not
counted as differences), 1 when a day differs, 2 when the arguments are wrong. ``--format json``
reports every day with its seal (the DPO's file); ``--against FILE`` also compares the seals with a copy
downloaded from the back office or e-mailed each night, kept outside the database, and checks the
timestamp tokens that copy carries. See docs/decisions/0006-daily-seals.md.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.seals import read_copy, read_copy_tokens
from consent.backoffice.verification import DayCheck, Status, summary, verify_seals

USAGE = 2  # exit status for wrong arguments, like argparse; 1 means "a day differs"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        # argparse's own error: one line and exit status 2 on the command line (a CommandError raised
        # while the arguments are parsed would escape Django's handler as a traceback).
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Check the consent log against its daily seals; name every day that differs (exit status 1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=_day, help="YYYY-MM-DD, inclusive (Paris); default: the first seal.")
        parser.add_argument("--until", type=_day, help="YYYY-MM-DD, exclusive (Paris); default: tomorrow.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--against", type=Path, help="A seals file (CSV or JSON) kept outside the database.")

    def handle(
        self, *args: Any, since: date | None, until: date | None, format: str, against: Path | None, **options: Any
    ) -> None:
        if since and until and until <= since:
            raise CommandError("--until must come after --since", returncode=USAGE)
        copy, tokens = None, None
        if against:
            try:
                text = against.read_text(encoding="utf-8")
                copy, tokens = read_copy(text), read_copy_tokens(text)
            except (OSError, ValueError) as exc:
                raise CommandError(f"{against}: {exc}", returncode=USAGE) from exc
        checks = verify_seals(since, until, copy=copy, copy_tokens=tokens)
        if format == "json":
            report = {"summary": summary(checks), "days": [check.as_dict() for check in checks]}
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self._write_text(checks)
        differing = [check.day.isoformat() for check in checks if check.status == Status.DIFFERS]
        if differing:
            shown = ", ".join(differing[:10]) + (", …" if len(differing) > 10 else "")
            what = (
                "1 day differs from its seal"
                if len(differing) == 1
                else f"{len(differing)} days differ from their seals"
            )
            raise CommandError(f"{what}: {shown}")

    def _write_text(self, checks: list[DayCheck]) -> None:
        if not checks:
            self.stdout.write("No day to check.")
            return
        counts = summary(checks)
        self.stdout.write(
            f"{len(checks)} days from {checks[0].day} to {checks[-1].day}: {counts['ok']} match their seals, "
            f"{counts['purged']} purged, {counts['differs']} differ, {counts['not sealed']} not sealed yet."
        )
        for check in checks:
            if check.status == Status.DIFFERS:
                self.stdout.write(self.style.ERROR(f"{check.day} differs: {'; '.join(check.details)}"))
        for check in checks:
            if check.timestamp is not None:
                stamp = check.timestamp
                self.stdout.write(f"{check.day} seal timestamped {stamp.time.isoformat()} by {stamp.authority}")
        for status, label in ((Status.PURGED, "purged"), (Status.NOT_SEALED, "not sealed yet")):
            for first, last, details in _runs(c for c in checks if c.status == status):
                days = str(first) if first == last else f"{first} to {last}"
                self.stdout.write(f"{days} {label}: {details}")


def _runs(checks: Iterable[DayCheck]) -> list[tuple[date, date, str]]:
    """Consecutive days with the same details, as (first day, last day, details)."""
    runs: list[tuple[date, date, str]] = []
    for check in checks:
        details = "; ".join(check.details)
        if runs and (check.day - runs[-1][1]).days == 1 and runs[-1][2] == details:
            runs[-1] = (runs[-1][0], check.day, details)
        else:
            runs.append((check.day, check.day, details))
    return runs
