"""Starting, running and storing a scan; only one runs at a time, across every server.

A scan row with status "running" is the claim: a partial unique constraint lets the database hold
one. The process that runs it holds a PostgreSQL advisory lock for as long as it lives, so that a claim
whose process died (the lock is free) is recognised and closed before a new scan starts. Findings and
observations are stored in one transaction at the end: a scan that fails stores none of them.
See docs/decisions/0009-cookie-scanner.md.
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
from django.utils import timezone
from django.utils.translation import gettext

from consent.visitor.snapshot import get_snapshot
from scanner import findings
from scanner.models import Finding, Scan, Status
from scanner.pages import ScanRefused, check_base_url, check_reachable, public_pages
from scanner.states import all_states

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

logger = logging.getLogger(__name__)

# pg_advisory_lock key of the running scan (any constant; "scan" in ASCII).
LOCK_KEY = 0x7363616E
# A claim younger than this is never taken for a dead one: its process may not hold the lock yet.
START_GRACE = timedelta(seconds=60)


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
    """Marks as failed a running scan whose process is gone (nobody holds the lock)."""
    stale = Scan.objects.filter(status=Status.RUNNING, heartbeat__lt=timezone.now() - START_GRACE)
    if not stale.exists():
        return
    with scan_lock() as free:
        if free:
            stale.update(status=Status.FAILED, finished_at=timezone.now(), error=gettext("Scan interrompu."))


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


def start_in_background(scan: Scan) -> None:
    """Runs ``manage.py scan_cookies --scan <id>`` in a process of its own, detached from this one."""
    subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "scan_cookies", "--scan", str(scan.pk)],
        cwd=settings.BASE_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def run_scan(
    scan: Scan,
    browser: Browser,
    *,
    timeout: float | None = None,
    prepare: Callable[[BrowserContext], object] | None = None,
) -> Scan:
    """Visits every page of ``scan`` in every state and stores what it found; the scan ends done or failed."""
    from scanner.browser import visit_state  # Playwright is imported only when a scan runs

    timeout = settings.SCAN_PAGE_TIMEOUT if timeout is None else timeout
    began = time.monotonic()
    with scan_lock() as held:
        try:
            if not held:
                raise ScanRefused(gettext("Un autre processus fait déjà un scan."))
            check_reachable(scan.base_url, timeout)
            pages = scan.pages or public_pages(scan.base_url, timeout)
            states = [s for s in all_states() if s.slug in scan.states]
            Scan.objects.filter(pk=scan.pk).update(pages=pages, visits_total=len(pages) * len(states))
            scan.refresh_from_db()
            revision = get_snapshot().revision
            visits = []
            for state in states:
                for result in visit_state(
                    browser,
                    base_url=scan.base_url,
                    paths=pages,
                    state=state,
                    revision=revision,
                    timeout=timeout,
                    prepare=prepare,
                ):
                    visits.append(result)
                    scan.visits_done = len(visits)
                    Scan.objects.filter(pk=scan.pk).update(visits_done=scan.visits_done, heartbeat=timezone.now())
            store_results(scan, visits)
        except ScanRefused as error:
            logger.warning("cookie scan refused", extra={"scan": scan.pk, "reason": str(error)})
            _fail(scan, str(error))
        except Exception as error:
            logger.exception("cookie scan failed", extra={"scan": scan.pk})
            _fail(scan, f"{type(error).__name__}: {error}")
        scan.refresh_from_db()
        logger.info("cookie scan ended", extra={"scan": scan.pk, "seconds": round(time.monotonic() - began, 1)})
        return scan


def _fail(scan: Scan, message: str) -> None:
    Scan.objects.filter(pk=scan.pk).update(status=Status.FAILED, finished_at=timezone.now(), error=message)


@transaction.atomic
def store_results(scan: Scan, visits: list[dict]) -> None:
    found = findings.find(visits, findings.load_declarations())
    Finding.objects.bulk_create(Finding(scan=scan, **asdict(f)) for f in found)
    Scan.objects.filter(pk=scan.pk).update(status=Status.DONE, finished_at=timezone.now(), observations=visits)
