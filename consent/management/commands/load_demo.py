"""Load the demo declarations (idempotent: running it twice changes nothing)."""

from django.core.management.base import BaseCommand

from consent.demo import load_demo


class Command(BaseCommand):
    help = "Create or update the demo purposes, providers, cookies and e-mail trackers."

    def handle(self, *args: object, **options: object) -> None:
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demo declarations loaded."))
