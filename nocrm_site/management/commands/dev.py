"""``make run``: migrations, demo content (and, with DEBUG on, demo activity) and the development
server, on a cluster held throughout.

This process joins the embedded cluster first and leaves it last, so the cluster is started once and
stopped once, when the session ends: on Ctrl-C or SIGTERM the server (run in a process group of its
own) gets SIGINT, as a terminal would send it, then this process leaves the cluster, which stops when
no other live process uses it (nocrm_site/embedded_pg). With ``DATABASE_URL`` set it only runs the
three steps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from consent.privileges import OWNER


class Command(BaseCommand):
    help = "Migrate, load the demo content and run the development server; stop the embedded PostgreSQL at the end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true", help="Run the server without its reloader.")

    def handle(self, *args: Any, addrport: str, noreload: bool, **options: Any) -> None:
        if OWNER not in settings.DATABASES:
            raise CommandError(f"With DATABASE_URL set, dev also needs DATABASE_OWNER_URL (the {OWNER!r} alias).")
        signal.signal(signal.SIGTERM, _interrupt)
        connections[OWNER].ensure_connection()  # joins (and starts) the embedded cluster for the session
        call_command("migrate", database=OWNER, interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        if settings.DEBUG:  # generated decisions and tracker events, never in production settings
            call_command("load_demo_activity", stdout=self.stdout)
        connections.close_all()
        if "EMBEDDED_PGDATA" in settings.DATABASES[OWNER]:
            self.stdout.write("Admin: make admin (creates an account), then http://" + addrport + "/admin/")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", addrport, *(["--noreload"] if noreload else [])],
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping the server and the database.")
        finally:
            _stop(server)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stop(server: subprocess.Popen) -> None:
    # A second Ctrl-C or SIGTERM while stopping would interrupt the wait and leave the server running.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
