"""Check a consent receipt that a visitor sent: signature, key, the record it names, each field
against the log and the stored banner version, and the seal of the record's day.

Exit status 0 for a genuine receipt; 1 when it is altered, signed with an unknown key, or names a
decision the log does not hold; 2 when the file is not a receipt (not JSON, not signed, unreadable).
See docs/decisions/0013-consent-receipts.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.receipts import NOT_A_RECEIPT, NOT_GENUINE, ReceiptError, check_receipt, seal_sentence, sentence


class Command(BaseCommand):
    help = "Check a consent receipt (JSON file, or - for standard input) against the log and its keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The receipt the visitor downloaded (recu-consentement-….json).")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            text = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file} cannot be read: {exc.strerror}.", returncode=NOT_A_RECEIPT) from exc
        try:
            checked = check_receipt(text)
        except ReceiptError as exc:
            raise CommandError(str(exc), returncode=exc.status) from exc
        if not checked.genuine:
            raise CommandError(sentence(checked), returncode=NOT_GENUINE)
        self.stdout.write(self.style.SUCCESS(sentence(checked)))
        self.stdout.write(seal_sentence(checked))
        for note in checked.notes:
            self.stdout.write(f"Changed since it was signed (settings or wording, not the log): {note}.")
