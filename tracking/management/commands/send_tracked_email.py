"""Send the demo tracked e-mail through the configured backend (console in development, EMAIL_URL in production).

python manage.py send_tracked_email --to someone@example.com [--transactional] [--dry-run]
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from tracking.demo import ensure_demo_message
from tracking.mailer import build_tracked_email
from tracking.models import MessageKind
from tracking.sending import RecipientUnsubscribed, send_tracked_email
from tracking.services import ensure_recipient


class Command(BaseCommand):
    help = "Send the demo tracked e-mail (signed links, open pixel, List-Unsubscribe) to one address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", default="demo@example.com", help="Recipient address (default: %(default)s).")
        parser.add_argument(
            "--transactional", action="store_true", help="Send as transactional mail (goes even when unsubscribed)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the headers and HTML, send nothing.")

    def handle(self, *args: object, to: str, transactional: bool, dry_run: bool, **options: object) -> None:
        try:
            validate_email(to)
        except ValidationError as exc:
            raise CommandError(f"Not an e-mail address: {to!r}; nothing sent.") from exc
        message = ensure_demo_message(kind=MessageKind.TRANSACTIONAL if transactional else MessageKind.MARKETING)
        recipient = ensure_recipient(email=to)
        if dry_run:
            email = build_tracked_email(message=message, recipient=recipient)
            for header, value in email.extra_headers.items():
                self.stdout.write(f"{header}: {value}")
            self.stdout.write(str(email.alternatives[0][0]))
            self.stdout.write(self.style.WARNING("Dry run: nothing sent."))
            return
        try:
            send_tracked_email(message=message, recipient=recipient)
        except RecipientUnsubscribed as exc:
            raise CommandError(f"{exc} unsubscribed: marketing e-mail refused (try --transactional).") from exc
        self.stdout.write(self.style.SUCCESS(f"Sent message {message.pk} ({message.kind}) to {recipient.email}."))
