"""Starting a scan: allowed hosts only, one at a time across servers, nothing half-stored on failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from scanner.models import Finding, Scan, Status
from scanner.pages import ScanRefused
from scanner.services import LOCK_KEY, run_scan, start_scan
from tests.servers import free_port


def test_a_base_url_outside_the_allowed_hosts_is_refused(db, settings):
    settings.SCAN_ALLOWED_HOSTS = ["www.nocrm.io"]
    for url in ("https://evil.example", "https://www.nocrm.io.evil.example", "file:///etc/passwd", "javascript:x"):
        with pytest.raises(ScanRefused):
            start_scan(base_url=url)
    assert not Scan.objects.exists()
    assert start_scan(base_url="https://www.nocrm.io/").base_url == "https://www.nocrm.io"


def test_the_default_allowed_hosts_are_the_sites_own():
    from django.conf import settings

    assert "www.nocrm.io" in settings.SCAN_ALLOWED_HOSTS
    assert "localhost" in settings.SCAN_ALLOWED_HOSTS
    assert "*" not in settings.SCAN_ALLOWED_HOSTS


def test_over_http_the_host_prefixed_consent_cookie_cannot_be_set(db, settings):
    settings.CONSENT_COOKIE_SECURE = True
    with pytest.raises(ScanRefused, match="https"):
        start_scan(base_url="http://localhost:8000")


def test_a_second_scan_cannot_start_while_one_runs(db):
    first = start_scan(base_url="http://localhost:8000")
    with pytest.raises(ScanRefused, match="déjà en cours"):
        start_scan(base_url="http://localhost:8000")
    assert list(Scan.objects.all()) == [first]


def test_a_scan_whose_process_died_is_closed_before_the_next(db):
    dead = start_scan(base_url="http://localhost:8000")
    Scan.objects.filter(pk=dead.pk).update(heartbeat=timezone.now() - timedelta(minutes=5))
    second = start_scan(base_url="http://localhost:8000")
    dead.refresh_from_db()
    assert (dead.status, second.status) == (Status.FAILED, Status.RUNNING)
    assert dead.error


def test_a_silent_scan_still_holding_the_lock_elsewhere_is_not_closed(transactional_db):
    running = start_scan(base_url="http://localhost:8000")
    Scan.objects.filter(pk=running.pk).update(heartbeat=timezone.now() - timedelta(minutes=5))
    other = connections.create_connection("default")  # another server's process, holding the lock
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        with pytest.raises(ScanRefused):
            start_scan(base_url="http://localhost:8000")
        running.refresh_from_db()
        assert running.status == Status.RUNNING
        # And a process that finds the lock taken runs nothing: the scan fails, stores no finding.
        ended = run_scan(running)
        assert (ended.status, Finding.objects.count()) == (Status.FAILED, 0)
        assert "Un autre processus" in ended.error
    finally:
        other.close()


def test_an_unreachable_site_fails_the_scan_and_stores_nothing_of_it(db):
    scan = start_scan(base_url=f"http://127.0.0.1:{free_port()}")
    ended = run_scan(scan, timeout=2)
    assert ended.status == Status.FAILED
    assert "ne répond pas" in ended.error
    assert (ended.observations, Finding.objects.count(), ended.visits_total) == ([], 0, 0)
    assert ended.finished_at is not None
