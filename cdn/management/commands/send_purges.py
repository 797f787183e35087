"""``manage.py send_purges``: sends the purges of the cache whose try is due (those a stopped process
left); run it every minute from the scheduler, or by hand after an outage of the cache."""

from typing import Any

from django.core.management.base import BaseCommand

from cdn.services import send_due_purges


class Command(BaseCommand):
    help = "Send the cache purges whose try is due."

    def handle(self, *args: Any, **options: Any) -> None:
        tried = send_due_purges()
        self.stdout.write(self.style.SUCCESS(f"{tried} purge(s) tried."))
