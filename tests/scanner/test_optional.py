"""Playwright is the scanner's optional extra: without it, the site and the admin load as before."""

from __future__ import annotations

import subprocess
import sys

from tests.servers import ROOT

PROBE = """
import sys
sys.modules["playwright"] = None  # as on a server installed from requirements.txt alone
import django
django.setup()
from django.contrib import admin
import nocrm_site.urls, nocrm_site.wsgi
import scanner.admin, scanner.views, scanner.services, scanner.findings, scanner.exports
import scanner.management.commands.scan_cookies
from scanner.requirements import missing_requirements
assert "scanner" in {m._meta.app_label for m in admin.site._registry}
assert not any(name.startswith("playwright.") for name in sys.modules), "playwright imported"
print(missing_requirements())
"""


def test_the_site_loads_without_playwright_and_the_scanner_says_what_to_install():
    env = {
        "DJANGO_SETTINGS_MODULE": "nocrm_site.settings",
        "SECRET_KEY": "probe-only",
        "DATABASE_URL": "postgres://probe@localhost/unused",  # nothing connects
        "ENV_FILE": "/dev/null",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "pip install -r requirements-scan.txt" in result.stdout
