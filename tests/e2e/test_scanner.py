"""The cookie scanner against the live site: stub GA4, LinkedIn Insight and Meta Pixel tags, one of
them deliberately ungated, in every consent state; each kind of finding shows."""

from __future__ import annotations

import io
import re
from contextlib import nullcontext

import pytest
from django.core.management import call_command

from scanner.models import Finding, Kind, Scan, Severity, Status
from scanner.services import run_scan, start_scan
from scanner.states import all_states
from tests.scanner.stubs import answer


@pytest.fixture
def scanned_site(site, settings, live_server):
    settings.ROOT_URLCONF = "tests.e2e.scanner_urls"
    return live_server.url


def stub_third_parties(live_server):
    own = re.escape(live_server.url)
    return lambda context: context.route(re.compile(f"^(?!{own}/)"), answer)


def findings(scan: Scan, kind: str) -> dict[tuple[str, str], Finding]:
    return {(f.name, f.state): f for f in scan.findings.filter(kind=kind)}


def test_a_scan_shows_each_kind_of_finding(scanned_site, browser, live_server):
    scan = start_scan(base_url=scanned_site, pages=["/balises/", "/"])
    scan = run_scan(scan, browser, prepare=stub_third_parties(live_server), timeout=10)
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


def test_a_page_that_never_loads_is_a_finding_with_its_timeout(scanned_site, browser, live_server):
    scan = start_scan(base_url=scanned_site, pages=["/lente/", "/"], states=["reject_all"])
    scan = run_scan(scan, browser, prepare=stub_third_parties(live_server), timeout=1)
    assert scan.status == Status.DONE
    [error] = scan.findings.filter(kind=Kind.PAGE_ERROR)
    assert (error.name, error.state, error.severity) == ("/lente/", "reject_all", Severity.HIGH)
    assert "Timeout" in error.details["error"]
    assert "1000" in error.message()


@pytest.fixture
def session_browser(browser, monkeypatch):
    """The command drives the test session's Chromium instead of launching its own."""
    from scanner.management.commands import scan_cookies

    monkeypatch.setattr(scan_cookies, "open_browser", lambda: nullcontext(browser))


def test_the_command_scans_the_pages_given_and_stores_the_scan(scanned_site, session_browser):
    out = io.StringIO()
    call_command("scan_cookies", "--base-url", scanned_site, "--pages", "/", "--states", "none", "gpc", stdout=out)
    scan = Scan.objects.get()
    assert (scan.status, scan.pages, scan.states, scan.started_by) == (Status.DONE, ["/"], ["none", "gpc"], None)
    assert scan.visits_done == 2
    assert f"Scan {scan.pk} stored" in out.getvalue()
    assert "sessionid" in out.getvalue()  # declared, never seen: listed with the other findings


def test_the_background_process_runs_the_scan_the_button_started(scanned_site, session_browser, monkeypatch):
    from scanner import services

    launched = []
    monkeypatch.setattr(services.subprocess, "Popen", lambda args, **kwargs: launched.append((args, kwargs)))
    scan = start_scan(base_url=scanned_site, pages=["/"], states=["reject_all"])
    services.start_in_background(scan)
    [(args, kwargs)] = launched
    assert args[-3:] == ["scan_cookies", "--scan", str(scan.pk)]
    assert kwargs["start_new_session"] is True  # outlives the request and the worker that started it
    call_command(*args[2:], stdout=io.StringIO())  # what that process runs
    scan.refresh_from_db()
    assert (scan.status, scan.visits_done) == (Status.DONE, 1)
