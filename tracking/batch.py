"""Opens and clicks written in batches, so that a tracker answers without waiting for PostgreSQL.

A tracker view hands its event to ``track_event``, which queues it in its process's ``EventBatch``.
A background thread writes what has gathered, ``TRACKING_EVENT_FLUSH_SECONDS`` after the first
event of a batch, with one COPY (``events.record_events``). What this trades (decision 0004): a
worker killed without warning (SIGKILL, OOM) loses the events of its last interval; a graceful stop
writes them (gunicorn's ``worker_exit`` hook, and ``atexit``). While PostgreSQL is unreachable,
events wait in memory, up to ``TRACKING_EVENT_BACKLOG`` per process, and are written once it answers
again. With ``TRACKING_EVENT_FLUSH_SECONDS=0`` nothing is batched: ``track_event`` writes each event
during its request (``events.record_event``).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from tracking.events import EventRow, record_event, record_events
from tracking.models import EventKind

logger = logging.getLogger(__name__)

# Longest pause between two attempts while PostgreSQL is unreachable.
MAX_RETRY_SECONDS = 5.0


class EventBatch:
    """Events waiting to be written by this process, and the thread that writes them."""

    def __init__(self, *, interval: float, backlog: int, background: bool = True) -> None:
        self.interval = interval
        self.backlog = backlog
        self.background = background
        self.dropped = 0  # events refused because the backlog was full
        self._rows: list[EventRow] = []
        self._lock = threading.Lock()  # guards _rows, dropped and _thread
        self._flushing = threading.Lock()  # one write at a time: the thread's or the exit's
        self._gathering = threading.Event()  # set while rows are waiting
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0

    def add(self, row: EventRow) -> bool:
        """Queue one event; False when the backlog is full (PostgreSQL has been away for long)."""
        with self._lock:
            if len(self._rows) >= self.backlog:
                self.dropped += 1
                return False
            self._rows.append(row)
            if not self._gathering.is_set():  # set() takes a lock and wakes waiters: once per batch
                self._gathering.set()
            if self.background and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tracking-events", daemon=True)
                self._thread.start()
        return True

    def pending(self) -> int:
        with self._lock:
            return len(self._rows)

    def flush(self) -> int:
        """Write every waiting event now (``events.record_events``); the number stored.

        On a connection error the events go back to the queue (oldest first) and are tried again
        later; any other database error drops the batch rather than retry it forever.
        """
        with self._flushing:
            with self._lock:
                rows, self._rows = self._rows, []
                self._gathering.clear()
            if not rows:
                return 0
            try:
                stored = record_events(rows)
            except (OperationalError, InterfaceError):
                connection.close()  # a fresh connection next time
                self._put_back(rows)
                self._failures += 1
                logger.warning(
                    "tracking events not stored yet: database unavailable",
                    extra={"pending": self.pending(), "dropped": self.dropped},
                )
                return 0
            except DatabaseError:
                logger.exception("tracking events dropped: the database refused them", extra={"events": len(rows)})
                return 0
            self._failures = 0
            if stored < len(rows):
                skipped = len(rows) - stored
                logger.info("tracking events of deleted messages or recipients skipped", extra={"skipped": skipped})
            return stored

    def _put_back(self, rows: list[EventRow]) -> None:
        with self._lock:
            kept = (rows + self._rows)[: self.backlog]
            self.dropped += len(rows) + len(self._rows) - len(kept)
            self._rows = kept
            self._gathering.set()

    def _run(self) -> None:
        try:
            while not self._stopped.is_set():
                self._gathering.wait()
                # Let the batch gather; after failures, wait longer between attempts.
                self._stopped.wait(min(self.interval * 2 ** min(self._failures, 16), MAX_RETRY_SECONDS))
                try:
                    self.flush()
                except Exception:  # the thread must outlive any surprise; the next batch retries
                    logger.exception("tracking events: unexpected error while writing")
        finally:
            connection.close()  # this thread's own connection

    def stop(self, timeout: float = 10) -> None:
        """End the thread, closing its connection, and write what is left (a process exit needs only flush)."""
        self._stopped.set()
        self._gathering.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.flush()


_batch: EventBatch | None = None
_batch_lock = threading.Lock()


def current_batch() -> EventBatch:
    """This process's batch, created with its thread on first use (after gunicorn forks a worker)."""
    global _batch
    if _batch is None:
        with _batch_lock:
            if _batch is None:
                _batch = EventBatch(
                    interval=settings.TRACKING_EVENT_FLUSH_SECONDS, backlog=settings.TRACKING_EVENT_BACKLOG
                )
    return _batch


def track_event(
    *, kind: EventKind, message_id: int, recipient_id: int | None, machine_reason: str, url: str = ""
) -> None:
    """An open or a click seen by a tracker: queued for the next batch, or stored now when batching is off."""
    row = EventRow(message_id, recipient_id, str(kind), url, timezone.now(), str(machine_reason))
    if settings.TRACKING_EVENT_FLUSH_SECONDS:
        current_batch().add(row)
    else:
        record_event(
            kind=kind,
            message_id=message_id,
            recipient_id=recipient_id,
            machine_reason=row.machine_reason,
            url=url,
            occurred_at=row.occurred_at,  # type: ignore[arg-type]  # a NamedTuple field typed object
        )


def flush_pending() -> int:
    """Write what this process still holds: at a graceful exit, and for tests."""
    return _batch.flush() if _batch is not None else 0


def _forget_in_child() -> None:
    # A forked child starts empty: its parent writes the events it holds, and threads do not survive a fork.
    global _batch, _batch_lock
    _batch, _batch_lock = None, threading.Lock()


atexit.register(flush_pending)
os.register_at_fork(after_in_child=_forget_in_child)
