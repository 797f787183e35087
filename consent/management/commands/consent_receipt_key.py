"""Print a new signing key for consent receipts, or the public half of the current one.

A rotation: ``--public`` gives the value to append to ``CONSENT_RECEIPT_OLD_KEYS``, then a new key
(no option) replaces ``CONSENT_RECEIPT_KEY``. Receipts signed with the old key keep verifying.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.visitor.receipt_keys import SEED_BYTES, BadKey, keyring, public_value


class Command(BaseCommand):
    help = (
        "Print a new CONSENT_RECEIPT_KEY, or with --public the current key's public value for CONSENT_RECEIPT_OLD_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--public", action="store_true", help="The current key's public value, for a rotation.")

    def handle(self, *args: Any, public: bool, **options: Any) -> None:
        if not public:
            self.stdout.write(secrets.token_urlsafe(SEED_BYTES))  # any 32 random bytes are an Ed25519 key
            return
        try:
            current = keyring().signing
        except BadKey as exc:
            raise CommandError(f"CONSENT_RECEIPT_KEY cannot be read: {exc}.") from exc
        if current is None:
            raise CommandError("CONSENT_RECEIPT_KEY is not set: there is no current key to retire.")
        self.stdout.write(public_value(current))
