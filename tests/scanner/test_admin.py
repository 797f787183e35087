"""The scans in the admin: the button, its refusals, the findings with their one-click declaration, the files."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from consent.models import Provider
from scanner import requirements
from scanner import views as scan_views
from scanner.models import Scan, Status
from tests.consent.helpers import login
from tests.html import attribute_values, elements
from tests.scanner.helpers import add_finding, login_in, make_scan

CHANGELIST = reverse("admin:scanner_scan_changelist")
START = reverse("admin:scanner_scan_start")


@pytest.fixture
def spawned(monkeypatch) -> list[Scan]:
    """The scans handed to a background process (recorded here, not started: see test_scanner.py)."""
    started: list[Scan] = []
    monkeypatch.setattr(scan_views, "start_in_background", started.append)
    return started


@pytest.fixture
def marketer(client, db):
    return login_in(client, "Marketing")


def start_button(html: str) -> list:
    return [b for b in elements(html, "button") if "Scanner le site" in b.text]


def test_a_marketer_starts_a_scan_which_runs_in_the_background(client, marketer, settings, spawned):
    settings.SCAN_BASE_URL = "http://localhost:8000"
    assert start_button(client.get(CHANGELIST).content.decode())
    response = client.post(START)
    [scan] = Scan.objects.all()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:scanner_scan_change", args=[scan.pk])
    assert spawned == [scan]
    assert (scan.status, scan.started_by, scan.base_url) == (Status.RUNNING, marketer, "http://localhost:8000")
    # While it runs: its progress, a page that refreshes itself, and no second button.
    page = client.get(response["Location"]).content.decode()
    assert "0 / ? visites" in page
    assert attribute_values(page, "meta", "content", http_equiv="refresh") == ["2"]
    assert not start_button(client.get(CHANGELIST).content.decode())


def test_a_second_scan_is_refused_while_one_runs(client, marketer, settings, spawned):
    settings.SCAN_BASE_URL = "http://localhost:8000"
    client.post(START)
    response = client.post(START, follow=True)
    assert "déjà en cours" in response.content.decode()
    assert Scan.objects.count() == 1
    assert len(spawned) == 1


def test_a_base_url_outside_the_allowed_hosts_starts_nothing(client, marketer, settings, spawned):
    settings.SCAN_BASE_URL = "https://intranet.example"
    response = client.post(START, follow=True)
    assert "SCAN_ALLOWED_HOSTS" in response.content.decode()
    assert (Scan.objects.count(), spawned) == (0, [])


def test_without_playwright_the_list_says_what_to_install_and_offers_no_button(client, marketer, monkeypatch, spawned):
    monkeypatch.setattr(requirements.importlib.util, "find_spec", lambda name, *a: None)
    page = client.get(CHANGELIST).content.decode()
    assert "pip install -r requirements-scan.txt" in page
    assert not start_button(page)
    client.post(START)
    assert (Scan.objects.count(), spawned) == (0, [])


def test_starting_needs_the_permission_a_post_and_its_csrf_token(db, settings, spawned):
    settings.SCAN_BASE_URL = "http://localhost:8000"
    dpo = Client()
    login_in(dpo, "DPO")
    assert dpo.get(CHANGELIST).status_code == 200
    assert not start_button(dpo.get(CHANGELIST).content.decode())
    assert dpo.post(START).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    login_in(strict, "Marketing")
    assert strict.get(START).status_code == 405
    assert strict.post(START).status_code == 403  # no CSRF token
    assert (Scan.objects.count(), spawned) == (0, [])


def test_findings_are_listed_by_severity_with_a_prefilled_declaration(client, marketer, demo):
    scan = make_scan()
    add_finding(scan, severity=10, kind="never_seen", name="sessionid", details={"provider": "noCRM.io"})
    details = {
        "domain": ".linkedin.com",
        "party": "third",
        "provider_id": Provider.objects.get(name="LinkedIn").pk,
        "provider": "LinkedIn",
        "observed_fr": "1 jour",
        "observed_en": "1 day",
    }
    add_finding(scan, severity=30, kind="undeclared", name="lidc", details=details)
    add_finding(
        scan, severity=40, kind="without_consent", name="_fbp", state="none", details={"purpose": "advertising"}
    )
    listed = client.get(CHANGELIST).content.decode()
    assert ["".join(e.text for e in c.iter()).strip() for c in elements(listed, "td", class_="field-counts")] == ["3"]
    page = client.get(reverse("admin:scanner_scan_change", args=[scan.pk])).content.decode()
    names = ["".join(e.text for e in cell.iter()).strip() for cell in elements(page, "td", class_="field-name")]
    assert names == ["_fbp", "lidc", "sessionid"]  # the most severe first
    messages = ["".join(e.text for e in c.iter()).strip() for c in elements(page, "td", class_="field-message_shown")]
    assert messages[0] == "Présent alors que sa finalité « Publicité » n'est pas accordée."
    [declare] = [a.attrs["href"] for a in elements(page, "a") if a.text == "Déclarer"]
    url = urlsplit(declare)
    assert url.path == reverse("admin:consent_cookie_add")
    assert parse_qs(url.query) == {
        "name": ["lidc"],
        "party": ["third"],
        "path": ["/"],
        "provider": [str(details["provider_id"])],
        "duration_fr": ["1 jour"],
        "duration_en": ["1 day"],
    }
    form = client.get(declare).content.decode()
    assert [e.attrs.get("value") for e in elements(form, "input", id="id_name")] == ["lidc"]
    assert [e.attrs.get("value") for e in elements(form, "input", id="id_duration_fr")] == ["1 jour"]
    [chosen] = [o for o in elements(form, "option") if "selected" in o.attrs and o.text == "LinkedIn"]
    assert chosen.attrs["value"] == str(details["provider_id"])


def test_the_dpo_downloads_a_scan_as_csv_and_json(db, demo):
    dpo = Client()
    login_in(dpo, "DPO")
    scan = make_scan(observations=[{"state": "none", "page": "/", "cookies": [{"name": "=cmd"}]}])
    add_finding(
        scan, name='=HYPERLINK("https://evil.example")', details={"domain": "localhost", "observed_fr": "1 jour"}
    )
    url = reverse("admin:scanner_scan_export", args=[scan.pk])
    answer = dpo.get(url, {"format": "csv"})
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    [header, row] = list(csv.reader(io.StringIO(answer.content.decode())))
    assert header == ["severity", "kind", "type", "name", "state", "pages", "message"]
    assert row[3] == '\'=HYPERLINK("https://evil.example")'  # never a live formula in a spreadsheet
    assert row[1] == "Non déclaré"
    data = json.loads(dpo.get(url, {"format": "json"}).content)
    assert data["scan"]["base_url"] == "http://localhost:8000"
    assert data["findings"][0]["name"] == '=HYPERLINK("https://evil.example")'  # JSON keeps exact values
    assert data["observations"] == scan.observations


def test_exports_refuse_bad_input_and_unfinished_scans(db, client):
    login_in(client, "DPO")
    done = make_scan()
    url = reverse("admin:scanner_scan_export", args=[done.pk])
    assert client.get(url, {"format": "xlsx"}).status_code == 400
    assert client.get(url).status_code == 400
    running = make_scan(status=Status.RUNNING)
    assert client.get(reverse("admin:scanner_scan_export", args=[running.pk]), {"format": "csv"}).status_code == 404
    assert client.get(reverse("admin:scanner_scan_export", args=[999999]), {"format": "csv"}).status_code == 404
    marketer = Client()
    login_in(marketer, "Marketing")
    assert marketer.get(url, {"format": "csv"}).status_code == 200  # marketers read scans too
    staff = Client()
    login(staff, None)  # staff, in no group
    assert staff.get(url, {"format": "csv"}).status_code == 403
