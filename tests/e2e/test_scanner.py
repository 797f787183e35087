"""The cookie scanner against the live site: stub GA4, LinkedIn Insight and Meta Pixel tags, one of
them deliberately ungated, in every consent state; each kind of finding shows. Then every way a person
starts a scan, as that person does: the command in a process of its own, the admin's button in
Chromium, and a scan killed on its way.

No test here shares the session's browser: the scanner launches its own in a thread of its own, and
runs with the environment production has (no DJANGO_ALLOW_ASYNC_UNSAFE)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from consent.demo import load_demo
from scanner import services
from scanner import views as scan_views
from scanner.models import Finding, Kind, Scan, Severity, Status
from scanner.services import run_scan, start_scan
from scanner.states import all_states
from tests.html import elements
from tests.scanner.helpers import login_in
from tests.scanner.stubs import answer
from tests.servers import ROOT, server_env, wait_for


@pytest.fixture
def scanned_site(transactional_db, settings, live_server):
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ  # the scanner runs as in production
    load_demo()
    settings.ROOT_URLCONF = "tests.e2e.scanner_urls"
    return live_server.url


def scanner_env(live_server) -> dict[str, str]:
    """What a deployment's scanning process sees: the test database, DEBUG off, the live server allowed
    (plain HTTP, where browsers refuse the __Host- cookie), and no test-only switch."""
    env = server_env(CONSENT_COOKIE_SECURE="0", SCAN_ALLOWED_HOSTS="localhost,127.0.0.1", DEBUG="0")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def stub_third_parties(live_server):
    own = re.escape(live_server.url)
    return lambda context: context.route(re.compile(f"^(?!{own}/)"), answer)


def findings(scan: Scan, kind: str) -> dict[tuple[str, str], Finding]:
    return {(f.name, f.state): f for f in scan.findings.filter(kind=kind)}


def test_a_scan_shows_each_kind_of_finding(scanned_site, live_server):
    scan = start_scan(base_url=scanned_site, pages=["/balises/", "/"])
    scan = run_scan(scan, prepare=stub_third_parties(live_server), timeout=10)
    assert scan.status == Status.DONE, scan.error
    assert scan.visits_done == scan.visits_total == 2 * len(all_states())

    without = findings(scan, Kind.WITHOUT_CONSENT)
    # The ungated Meta Pixel: its cookie and both its hosts in every state that does not grant advertising.
    refusing = {"none", "reject_all", "preferences", "statistics", "gpc"}
    assert {s for (name, s) in without if name == "_fbp"} == refusing
    assert {s for (name, s) in without if name == "connect.facebook.net"} == refusing
    assert {s for (name, s) in without if name == "www.facebook.com"} == refusing
    assert without[("_fbp", "none")].severity == Severity.CRITICAL
    assert without[("_fbp", "none")].pages == ["/balises/"]
    # An image from a host no provider declares, before any choice and after refusal.
    assert {s for (name, s) in without if name == "cdn.pixel-inconnu.example"} == {"none", "reject_all"}
    # The gated tags never ran where their purpose was refused.
    assert not [key for key in without if key[0].startswith(("_ga", "li_", "bcookie", "lidc"))]

    undeclared = findings(scan, Kind.UNDECLARED)
    assert set(undeclared) == {("li_adsId", ""), ("lidc", "")}
    lidc = undeclared[("lidc", "")].details
    assert (lidc["domain"], lidc["party"], lidc["provider"], lidc["observed_fr"]) == (
        ".linkedin.com",
        "third",
        "LinkedIn",
        "1 jour",
    )
    assert undeclared[("li_adsId", "")].item_type == "localStorage"
    assert set(undeclared[("li_adsId", "")].details["states"]) == {"advertising", "accept_all"}
    assert set(findings(scan, Kind.UNDECLARED_HOST)) == {("cdn.pixel-inconnu.example", "")}

    # GA4 keeps _ga for two years (Chromium: 400 days at most); the declaration says 13 months.
    duration = findings(scan, Kind.DURATION)
    assert set(duration) == {("_ga", ""), ("_ga_TEST123", "")}
    assert duration[("_ga", "")].details["declared"] == "13 mois"
    assert duration[("_ga", "")].details["at_browser_cap"] is True

    never = {name for (name, _state) in findings(scan, Kind.NEVER_SEEN)}
    assert {"sessionid", "hubspotutk", "IDE"} <= never
    assert not never & {"_ga", "_ga_*", "li_fat_id", "bcookie", "_fbp"}

    # The most severe first, and what each visit saw is kept.
    severities = [f.severity for f in scan.findings.all()]
    assert severities == sorted(severities, reverse=True)
    gpc = next(v for v in scan.observations if v["state"] == "gpc" and v["page"] == "/balises/")
    assert {"_ga", "_fbp"} <= {c["name"] for c in gpc["cookies"]}
    assert "li_fat_id" not in {c["name"] for c in gpc["cookies"]}


def test_a_page_that_never_loads_is_a_finding_with_its_timeout(scanned_site, live_server):
    scan = start_scan(base_url=scanned_site, pages=["/lente/", "/"], states=["reject_all"])
    scan = run_scan(scan, prepare=stub_third_parties(live_server), timeout=1)
    assert scan.status == Status.DONE
    [error] = scan.findings.filter(kind=Kind.PAGE_ERROR)
    assert (error.name, error.state, error.severity) == ("/lente/", "reject_all", Severity.HIGH)
    assert "Timeout" in error.details["error"]
    assert "1000" in error.message()


def test_the_command_run_as_a_marketer_runs_it_scans_the_site_and_prints_its_summary(scanned_site, live_server):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "scan_cookies",
            "--base-url",
            scanned_site,
            "--pages",
            "/",
            "--states",
            "none",
            "gpc",
        ],
        cwd=ROOT,
        env=scanner_env(live_server),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    scan = Scan.objects.get()
    assert (scan.status, scan.pages, scan.states, scan.started_by) == (Status.DONE, ["/"], ["none", "gpc"], None)
    assert scan.visits_done == 2
    assert f"Scanning {scanned_site}: 1 pages x 2 states" in result.stdout
    assert "2 visits in" in result.stdout
    assert f"Scan {scan.pk} stored" in result.stdout
    assert "sessionid" in result.stdout  # declared, never seen: listed with the other findings


def test_the_command_refuses_a_second_scan_and_an_unreachable_site_in_a_sentence(scanned_site, live_server):
    def scan(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", "scan_cookies", *args]
        env = scanner_env(live_server)
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    running = start_scan(base_url=scanned_site, pages=["/"])
    refused = scan("--base-url", scanned_site)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "CommandError: Un scan est déjà en cours : attendez qu'il se termine."
    services.fail_scan(running, "fini pour le test")
    unreachable = scan("--base-url", "http://127.0.0.1:9/")
    assert unreachable.returncode == 1
    assert "ne répond pas" in unreachable.stderr and "Traceback" not in unreachable.stderr
    assert Scan.objects.count() == 1


@pytest.fixture
def small_site(scanned_site, settings):
    settings.ROOT_URLCONF = "tests.e2e.small_site_urls"
    settings.SCAN_BASE_URL = scanned_site
    return scanned_site


def test_the_admins_button_in_chromium_runs_the_scan_until_it_is_done(small_site, live_server, page, monkeypatch):
    marketer = login_in(Client(), "Marketing")
    session = Client()
    session.force_login(marketer)
    page.context.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": small_site}])
    page.goto(reverse("admin:scanner_scan_changelist"))
    with monkeypatch.context() as patch:
        # The scan's process inherits what the web server has: a deployment's environment.
        for name, value in scanner_env(live_server).items():
            patch.setenv(name, value)
        patch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")
        page.get_by_role("button", name="Scanner le site").click()
        page.wait_for_url(re.compile(r"/scanner/scan/\d+/change/$"))
    status = page.locator(".field-status .readonly")
    for _ in range(60):  # the page refreshes itself every 2 s while the scan runs
        if status.inner_text() != "En cours":
            break
        page.wait_for_timeout(1000)
    assert status.inner_text() == "Terminé", page.locator(".field-error .readonly").inner_text()
    scan = Scan.objects.get()
    assert (scan.started_by, scan.pages, scan.visits_done) == (marketer, ["/", "/lente/"], 2 * len(all_states()))
    assert scan.findings.exists()
    assert "sessionid" in page.locator("#findings-group").inner_text()


def test_a_killed_scan_fails_with_its_reason_and_the_button_works_again(small_site, live_server, monkeypatch):
    monkeypatch.setattr(services, "LEASE", timedelta(seconds=3))  # production: 60 s
    for name, value in scanner_env(live_server).items():
        monkeypatch.setenv(name, value)
    scan = start_scan(base_url=small_site, pages=["/lente/", "/"])
    process = services.start_in_background(scan)
    wait_for(lambda: Scan.objects.get(pk=scan.pk).visits_total > 0, 60, what="the scan under way")
    os.killpg(process.pid, signal.SIGKILL)  # with its Chromium
    process.wait()

    admin = Client()
    login_in(admin, "Marketing")
    changelist = reverse("admin:scanner_scan_changelist")
    wait_for(lambda: "Scanner le site" in admin.get(changelist).content.decode(), 30, what="the button back")
    scan.refresh_from_db()
    assert scan.status == Status.FAILED
    assert "s'est arrêté sans finir" in scan.error
    shown = admin.get(reverse("admin:scanner_scan_change", args=[scan.pk])).content.decode()
    assert scan.error in [field.text for field in elements(shown, "div", class_="readonly")]
    started: list[Scan] = []
    monkeypatch.setattr(scan_views, "start_in_background", started.append)  # the button test runs one
    assert admin.post(reverse("admin:scanner_scan_start")).status_code == 302
    assert [s.status for s in started] == [Status.RUNNING]
