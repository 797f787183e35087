"""``migrate``, as the owner role only: ``manage.py migrate --database owner`` (decision 0005).

Django's own command on the app alias would either fail half-way (the app role may not create or
alter tables) or, behind a router that skipped its operations, record migrations as applied that it
never ran. So any other alias is refused before anything is read or written.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import migrate

from consent.privileges import OWNER


class Command(migrate.Command):
    help = f"{migrate.Command.help} Only as the owner role: --database {OWNER}."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        # Django lists the configured aliases as the only choices; without DATABASE_OWNER_URL, "owner"
        # would be refused by argparse before execute() could say what is missing.
        (database,) = [action for action in parser._actions if action.dest == "database"]
        database.choices = None

    def execute(self, *args: Any, **options: Any) -> str | None:
        # Before the system checks, which would already connect to the database named.
        if OWNER not in settings.DATABASES:
            raise CommandError(
                "DATABASE_OWNER_URL is not set: migrations run as the role that owns the tables, not as the"
                " web servers' role (docs/deployment.md). Set it in the release job's environment."
            )
        if options["database"] != OWNER:
            raise CommandError(f"Migrations run as the owner role: manage.py migrate --database {OWNER}")
        return super().execute(*args, **options)
