"""gunicorn settings for production; every value can be overridden from the command line."""

import multiprocessing
import os
import sys

from gunicorn.glogging import Logger

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the project, whatever the directory
from nocrm_site.logging import redact_tokens  # noqa: E402  (standard library only: no Django set-up)

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Sync workers: pages are CPU-bound and short; the database is the only thing they wait for.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 20
max_requests = 10000
max_requests_jitter = 1000
# Access log without the client's address (no raw IP addresses in logs).
accesslog = "-"
access_log_format = '{"method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":"%(B)s","ms":%(M)s}'
errorlog = "-"


class AccessLogger(Logger):
    """The access log, with the tracker tokens cut out of the paths (they carry recipient IDs)."""

    def atoms(self, resp: object, req: object, environ: dict, request_time: object) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_tokens(atoms.get("U", ""))
        return atoms


logger_class = AccessLogger


def worker_exit(server: object, worker: object) -> None:
    """A worker stopping gracefully (deploy, max_requests) writes the opens and clicks it still holds."""
    from django.apps import apps

    # A worker that failed to load the site holds no events, and the trackers' modules need Django set up.
    if apps.ready:
        from tracking.batch import flush_pending

        flush_pending()
