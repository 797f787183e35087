import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.servers import ROOT


def test_healthz_answers_200_with_the_database(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] is False


def test_pages_keep_answering_while_the_database_is_down(client, transactional_db, postgres):
    from consent.demo import load_demo

    load_demo()
    for path in ("/", "/cookies/", "/en/pricing/"):
        client.get(path)  # warm
    postgres.stop()
    for path in ("/", "/cookies/", "/en/pricing/"):
        assert client.get(path).status_code == 200
    assert client.get(reverse("healthz")).status_code == 503
    postgres.start()
    assert client.get(reverse("healthz")).status_code == 200


def test_unknown_url_gets_the_sites_own_404(client, demo):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in response.text
    assert "Paramètres des cookies" in response.text


def _check(tmp_path, **urls: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "nocrm_site.settings",
        "SECRET_KEY": "pr0duction-like-secret-" + "k3y" * 15,
        "ALLOWED_HOSTS": "www.nocrm.io",
        "HOME": str(tmp_path),
        "ENV_FILE": os.devnull,
        "CONSENT_RECEIPT_KEY": "Zm9yLXRoZS1kZXBsb3ktY2hlY2stb25seS0zMi1ieXQ",  # 32 bytes, base64url
        **urls,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


APP_URL = "postgres://nocrm_app:secret@db.internal:5432/nocrm"
OWNER_URL = "postgres://nocrm_owner:secret@db.internal:5432/nocrm"


@pytest.mark.parametrize(
    "urls",
    [{"DATABASE_URL": APP_URL}, {"DATABASE_URL": APP_URL, "DATABASE_OWNER_URL": OWNER_URL}],
    ids=["web server", "release job"],
)
def test_check_deploy_passes_with_production_values(tmp_path, urls):
    result = _check(tmp_path, **urls)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_role_for_the_web_servers_and_the_migrations_is_a_warning(tmp_path):
    result = _check(tmp_path, DATABASE_URL=OWNER_URL, DATABASE_OWNER_URL=OWNER_URL)
    assert result.returncode == 1 and "consent.W001" in result.stderr, result.stdout + result.stderr


def test_no_receipt_key_in_production_is_a_warning(tmp_path):
    result = _check(tmp_path, DATABASE_URL=APP_URL, CONSENT_RECEIPT_KEY="")
    assert result.returncode == 1 and "consent.W002" in result.stderr, result.stdout + result.stderr


def test_a_malformed_receipt_key_is_an_error(tmp_path):
    result = _check(tmp_path, DATABASE_URL=APP_URL, CONSENT_RECEIPT_KEY="too-short")
    assert result.returncode == 1 and "consent.E005" in result.stderr, result.stdout + result.stderr


def test_an_owner_url_on_another_database_is_an_error(tmp_path):
    result = _check(tmp_path, DATABASE_URL=APP_URL, DATABASE_OWNER_URL=OWNER_URL.replace("/nocrm", "/other"))
    assert result.returncode == 1 and "consent.E001" in result.stderr, result.stdout + result.stderr


def test_migrate_without_the_owner_url_says_what_to_set(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ENV_FILE": os.devnull,
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--database", "owner"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "DATABASE_OWNER_URL is not set" in result.stderr, result.stderr


@pytest.mark.parametrize("path", ["/", "/cookies/", "/en/", "/healthz"])
def test_security_headers_outside_debug(client, demo, settings, path):
    settings.SECURE_HSTS_SECONDS = 63072000
    response = client.get(path, secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp


def test_healthz_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/").status_code == 301


def test_csp_report_only_mode_is_a_setting(tmp_path):
    """CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only, enforcing nothing."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print('enforced' if r.has_header('Content-Security-Policy') else 'not-enforced',"
        " 'report-only' if \"default-src 'self'\" in r.get('Content-Security-Policy-Report-Only', '') else 'none')\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "nocrm_site.settings",
        "ENV_FILE": os.devnull,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "CSP_REPORT_ONLY": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split()[-2:] == ["not-enforced", "report-only"], result.stdout + result.stderr


@pytest.mark.parametrize("limit", ["0", "268435456"])
def test_a_rate_limit_the_database_cannot_count_is_an_error(tmp_path, limit):
    result = _check(tmp_path, DATABASE_URL=APP_URL, CONSENT_RATE_LIMIT=limit)
    assert result.returncode == 1 and "consent.E006" in result.stderr, result.stdout + result.stderr
