"""``make stack``: the production shape on 127.0.0.1, Varnish → HAProxy → two gunicorn servers, with
Redis as the shared cache and the embedded PostgreSQL (or ``DATABASE_URL``).

Like ``manage.py dev``, this process joins the embedded cluster first and leaves it last; on Ctrl-C or
SIGTERM it stops Varnish, HAProxy, the servers and Redis, in that order, then the database. The
engines' configurations are deploy/varnish.vcl and deploy/haproxy.cfg (nocrm_site/stack/).
"""

from __future__ import annotations

import os
import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from consent.privileges import OWNER
from nocrm_site.stack.engines import missing
from nocrm_site.stack.running import running


class Command(BaseCommand):
    help = "Run the site behind Varnish and HAProxy on two gunicorn servers with Redis; Ctrl-C stops everything."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-redis", action="store_true", help="Without the shared cache (per-process expiry).")

    def handle(self, *args: Any, no_redis: bool, **options: Any) -> None:
        if OWNER not in settings.DATABASES:
            raise CommandError(f"With DATABASE_URL set, stack also needs DATABASE_OWNER_URL (the {OWNER!r} alias).")
        if absent := missing():
            raise CommandError(f"Install the Debian packages first (make system-packages): {' '.join(absent)}.")
        # SIGINT too: a shell starting this in the background leaves SIGINT ignored, and Python then
        # keeps it so; `kill -INT` (what Ctrl-C sends) must stop the stack as it does in a terminal.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        connections[OWNER].ensure_connection()  # joins (and starts) the embedded cluster for the session
        call_command("migrate", database=OWNER, interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        connections.close_all()
        # The production shape: DEBUG off for the servers whatever .env says (its values, read into
        # this process's environment, would win over the stack's defaults).
        with running({**os.environ, "DEBUG": "0"}, redis=not no_redis) as stack:
            self.stdout.write(self.style.SUCCESS(f"The site, through Varnish: {stack.front}/"))
            self.stdout.write(
                f"HAProxy {stack.haproxy.url}, servers {', '.join(s.url for s in stack.servers)}"
                + (f", Redis 127.0.0.1:{stack.redis.port}" if stack.redis else ", no Redis")
                + ". Ctrl-C stops everything."
            )
            self.stdout.write(f"Their logs (deleted at the end): {stack.workdir / 'engines.log'}")
            try:
                while stack.varnish.alive() and stack.haproxy.alive():
                    time.sleep(0.5)
                self.stderr.write("Varnish or HAProxy exited; stopping the stack.")
            except KeyboardInterrupt:
                self.stdout.write("Stopping the stack, then the database.")
            # A second Ctrl-C or SIGTERM while stopping would interrupt the stop and leave engines running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
