"""One background thread per process that sends the purges and their retries, so that the admin's
save never waits for a cache. It stops when nothing is left to send; purges left when a process
ends are sent by the next one that starts the thread, or by ``manage.py send_purges``."""

from __future__ import annotations

import atexit
import logging
import threading

from django.db import DatabaseError, connections

from cdn.services import next_due, send_due_purges

logger = logging.getLogger(__name__)
_wake = threading.Event()
_lock = threading.Lock()
_thread: threading.Thread | None = None


# A management command (bump_policy_revision) ends right after its save: give its purges a moment.
EXIT_WAIT_SECONDS = 5.0


@atexit.register
def _finish_at_exit() -> None:
    thread = _thread
    if thread is not None and thread.is_alive():
        thread.join(timeout=EXIT_WAIT_SECONDS)


def kick() -> None:
    """Wakes the thread (starting it if needed): a purge is waiting."""
    global _thread
    with _lock:
        _wake.set()
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="cdn-purge", daemon=True)
            _thread.start()


def _run() -> None:
    global _thread
    try:
        while True:
            _wake.clear()
            try:
                send_due_purges()
                wait = next_due()
            except DatabaseError:
                logger.warning("cache purges not sent: database unavailable; trying again in 5 s")
                wait = 5.0
            if wait is None:
                with _lock:
                    # A kick() since the clear: go round again; otherwise this thread is over.
                    if not _wake.is_set():
                        _thread = None
                        return
                continue
            _wake.wait(timeout=wait)
    except BaseException:
        with _lock:
            _thread = None
        raise
    finally:
        connections.close_all()
