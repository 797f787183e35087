"""manage.py scan_cookies: clear errors before anything is stored, and what to install without Playwright."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from scanner import requirements
from scanner.models import Scan
from tests.servers import free_port


def test_a_host_outside_the_allowed_ones_is_refused(db):
    with pytest.raises(CommandError, match="SCAN_ALLOWED_HOSTS"):
        call_command("scan_cookies", "--base-url", "https://example.org")
    assert not Scan.objects.exists()


def test_an_unreachable_base_url_is_a_clear_error_and_stores_nothing(db):
    with pytest.raises(CommandError, match="ne répond pas"):
        call_command("scan_cookies", "--base-url", f"http://127.0.0.1:{free_port()}", "--timeout", "2")
    assert not Scan.objects.exists()


def test_pages_on_another_host_are_refused(db, live_server):
    with pytest.raises(CommandError, match="n'est pas sur"):
        call_command("scan_cookies", "--base-url", live_server.url, "--pages", "https://example.org/")
    assert not Scan.objects.exists()


def test_without_playwright_the_command_says_what_to_install(db, monkeypatch):
    real = requirements.importlib.util.find_spec
    monkeypatch.setattr(
        requirements.importlib.util, "find_spec", lambda name, *a: None if name == "playwright" else real(name, *a)
    )
    with pytest.raises(CommandError, match=r"pip install -r requirements-scan\.txt"):
        call_command("scan_cookies", "--base-url", "http://localhost:8000")
    assert not Scan.objects.exists()


def test_without_chromium_the_command_says_what_to_install(db, settings):
    settings.SCAN_CHROMIUM_PATH = "/nonexistent/chromium"
    with pytest.raises(CommandError, match="apt-get install chromium"):
        call_command("scan_cookies")
