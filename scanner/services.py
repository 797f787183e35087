"""Starting, running and storing a scan; only one runs at a time, across every server.

A scan row with status "running" is the claim: a partial unique constraint lets the database hold
one. The process that runs it holds a PostgreSQL advisory lock for as long as it lives and refreshes
the row's heartbeat at least every ``PULSE`` seconds, so that a claim whose process died (killed, out
of memory, its server restarted: the lock is free and the heartbeat older than ``LEASE``) is closed,
with the reason, whenever the scans are listed or one starts. Findings and observations are stored in
one transaction at the end: a scan that fails stores none of them. The browser runs in a thread of its
own (scanner/browser.py); this module's database work stays in the caller's thread, where no event
loop runs. See docs/decisions/0009-cookie-scanner.md.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from consent.visitor.snapshot import get_snapshot
from scanner import findings
from scanner.models import Finding, Scan, Status
from scanner.pages import ScanRefused, check_base_url, check_reachable, public_pages
from scanner.states import all_states

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

logger = logging.getLogger(__name__)

# pg_advisory_lock key of the running scan (any constant; "scan" in ASCII).
LOCK_KEY = 0x7363616E
# A running scan refreshes its heartbeat at least this often (seconds), even while a page loads.
PULSE = 10.0
# A claim whose heartbeat is younger than this is never taken for a dead one: the process the button
# started may not hold the lock yet. Two minutes after a kill, the button works again.
LEASE = timedelta(seconds=60)


@contextmanager
def scan_lock() -> Iterator[bool]:
    """Holds the advisory lock for the block; yields False (and holds nothing) when another holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def close_abandoned_scans() -> None:
    """Marks as failed, with the reason, a running scan whose process is gone (its heartbeat is older than
    the lease and nobody holds the lock)."""
    stale = Scan.objects.filter(status=Status.RUNNING, heartbeat__lt=timezone.now() - LEASE).first()
    if stale is None:
        return
    with scan_lock() as free:
        if free:
            reason = gettext(
                "Le processus du scan s'est arrêté sans finir (arrêté, manque de mémoire ou serveur redémarré) ;"
                " dernier signe de vie le %(heartbeat)s."
            ) % {"heartbeat": timezone.localtime(stale.heartbeat).strftime("%d/%m/%Y %H:%M:%S")}
            Scan.objects.filter(pk=stale.pk, status=Status.RUNNING).update(
                status=Status.FAILED, finished_at=timezone.now(), error=reason
            )


def start_scan(
    *, base_url: str, pages: list[str] | None = None, states: list[str] | None = None, user: Any = None
) -> Scan:
    """Claims the one running scan (every state unless ``states`` are named); ScanRefused when the URL
    is not allowed or a scan already runs."""
    base_url = check_base_url(base_url)
    close_abandoned_scans()
    try:
        with transaction.atomic():
            return Scan.objects.create(
                base_url=base_url,
                pages=pages or [],
                states=[s.slug for s in all_states() if not states or s.slug in states],
                started_by=user if user is not None and user.is_authenticated else None,
            )
    except IntegrityError as error:
        raise ScanRefused(gettext("Un scan est déjà en cours : attendez qu'il se termine.")) from error


def start_in_background(scan: Scan) -> subprocess.Popen:
    """Runs ``manage.py scan_cookies --scan <id>`` in a process of its own, detached from this one.

    That process writes its errors on the scan's row, where the marketer reads them; what it prints
    besides goes to this server's own error output (its log), never nowhere."""
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "scan_cookies", "--scan", str(scan.pk)],
        cwd=settings.BASE_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def run_scan(
    scan: Scan,
    *,
    timeout: float | None = None,
    prepare: Callable[[BrowserContext], object] | None = None,
) -> Scan:
    """Visits every page of ``scan`` in every state and stores what it found; the scan ends done or failed."""
    from scanner.browser import visits_in_thread  # Playwright is imported only when a scan runs

    timeout = settings.SCAN_PAGE_TIMEOUT if timeout is None else timeout
    began = time.monotonic()
    with scan_lock() as held:
        try:
            if not held:
                raise ScanRefused(gettext("Un autre processus fait déjà un scan."))
            check_reachable(scan.base_url, timeout)
            pages = scan.pages or public_pages(scan.base_url, timeout)
            states = [s for s in all_states() if s.slug in scan.states]
            _running(scan).update(pages=pages, visits_total=len(pages) * len(states), heartbeat=timezone.now())
            scan.refresh_from_db()
            visits = []
            for visit in visits_in_thread(
                base_url=scan.base_url,
                paths=pages,
                states=states,
                revision=get_snapshot().revision,
                timeout=timeout,
                prepare=prepare,
                pulse=PULSE,
            ):
                if visit is not None:
                    visits.append(visit)
                _running(scan).update(visits_done=len(visits), heartbeat=timezone.now())
            scan.visits_done = len(visits)
            store_results(scan, visits)
        except ScanRefused as error:
            logger.warning("cookie scan refused", extra={"scan": scan.pk, "reason": str(error)})
            fail_scan(scan, str(error))
        except Exception as error:
            logger.exception("cookie scan failed", extra={"scan": scan.pk})
            fail_scan(scan, f"{type(error).__name__}: {error}")
        scan.refresh_from_db()
        logger.info("cookie scan ended", extra={"scan": scan.pk, "seconds": round(time.monotonic() - began, 1)})
        return scan


def _running(scan: Scan) -> QuerySet[Scan]:
    # A scan closed meanwhile (taken for dead) is never written again.
    return Scan.objects.filter(pk=scan.pk, status=Status.RUNNING)


def fail_scan(scan: Scan, message: str) -> None:
    """Ends a running scan as failed, with the sentence its page shows."""
    _running(scan).update(status=Status.FAILED, finished_at=timezone.now(), error=message)


@transaction.atomic
def store_results(scan: Scan, visits: list[dict]) -> None:
    found = findings.find(visits, findings.load_declarations())
    Finding.objects.bulk_create(Finding(scan=scan, **asdict(f)) for f in found)
    _running(scan).update(status=Status.DONE, finished_at=timezone.now(), observations=visits)
