"""Publish a new policy revision, so that every visitor is asked for consent again on their next page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.backoffice.revisions import bump_policy_revision
from consent.models import OPTIONAL_PURPOSES, PolicyRevision


class Command(BaseCommand):
    help = 'Record policy revision n+1 with a note (e.g. "nouveau traceur LinkedIn"); visitors are asked again.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("note", help="What changes, shown in the admin's list of revisions.")
        parser.add_argument("--author", help="Username to record as the author.")
        parser.add_argument(
            "--reask",
            metavar="PURPOSE",
            action="append",
            choices=list(OPTIONAL_PURPOSES),
            help="Ask again only the visitors who had granted this purpose (repeatable); without it, everyone.",
        )

    def handle(self, *args: Any, note: str, author: str | None, reask: list[str] | None, **options: Any) -> None:
        user = None
        if author:
            try:
                user = get_user_model().objects.get_by_natural_key(author)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {author!r}") from exc
        note = note[: PolicyRevision._meta.get_field("note").max_length]
        revision = bump_policy_revision(author=user, note=note, reask_purposes=reask)
        self.stdout.write(self.style.SUCCESS(f"Revision {revision.number} published: {revision.note}"))
