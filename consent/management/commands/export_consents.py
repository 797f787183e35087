"""Export the consent log between two days as CSV or JSON Lines, to stdout or a file.

Days are in the site's time zone (Europe/Paris); --since is inclusive, --until exclusive; full ISO
8601 times with an offset are accepted too. Progress goes to stderr when it is a terminal.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.export import FORMATS, stream_export
from consent.backoffice.periods import parse_bound


def _bound(text: str) -> datetime:
    try:
        return parse_bound(text)
    except ValueError as exc:
        raise CommandError(f"not a date: {text!r} (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Export consent records decided from --since (inclusive) to --until (exclusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="YYYY-MM-DD, inclusive (site time zone).")
        parser.add_argument("--until", required=True, help="YYYY-MM-DD, exclusive (site time zone).")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", help="File to write; stdout when absent.")

    def handle(self, *args: Any, since: str, until: str, format: str, output: str | None, **options: Any) -> None:
        start, end = _bound(since), _bound(until)
        if end <= start:
            raise CommandError("--until must come after --since")
        progress = self._progress if sys.stderr.isatty() else None
        chunks = stream_export(format, start, end, progress=progress)
        if output:
            with open(output, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        else:
            for chunk in chunks:
                self.stdout.write(chunk.decode(), ending="")
            self.stdout.flush()
        if progress:
            self.stderr.write("")

    def _progress(self, rows: int) -> None:
        self.stderr.write(f"\r{rows:,} records", ending="")
        self.stderr.flush()
