"""gunicorn settings for production; every value can be overridden from the command line."""

import multiprocessing
import os

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


def worker_exit(server: object, worker: object) -> None:
    """A worker stopping gracefully (deploy, max_requests) writes the opens and clicks it still holds."""
    from django.apps import apps

    # A worker that failed to load the site holds no events, and the trackers' modules need Django set up.
    if apps.ready:
        from tracking.batch import flush_pending

        flush_pending()
