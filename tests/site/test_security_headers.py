"""Every kind of response carries the security headers, and every cookie the site sets has the
flags its use allows (the consent cookie is read by the page's script, the others never are)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consent.visitor.cookie import cookie_name
from tests.consent.helpers import banner_hash
from tests.html import Element, elements
from tests.tracking.factories import click_path, make_message, make_recipient, pixel_path, unsubscribe_path

NONCE = re.compile(r"'nonce-([^']+)'")
DATA_BLOCKS = {"application/json", "application/ld+json", "text/plain"}  # never run, so outside script-src
CLICKED = "https://www.nocrm.io/tarifs/"


# name: (how to get the URL, expected status, whether it is an HTML page of ours)
PAGES = {
    "home": (lambda: reverse("home"), 200, True),
    "features": (lambda: reverse("features"), 200, True),
    "pricing": (lambda: reverse("pricing"), 200, True),
    "contact": (lambda: reverse("contact"), 200, True),
    "legal notice": (lambda: reverse("legal"), 200, True),
    "cookie policy": (lambda: reverse("cookie-policy"), 200, True),
    "consent settings": (lambda: reverse("consent:settings"), 200, True),
    "english home": (lambda: "/en/", 200, True),
    "404": (lambda: "/no-such-page/", 404, True),
    "unsubscribe": (lambda: unsubscribe_path(make_message(), make_recipient("max@example.com")), 200, True),
    "invalid tracker link": (lambda: reverse("tracking:click", args=["forged"]), 400, True),
    "admin login": (lambda: reverse("admin:login"), 200, False),
    "healthz": (lambda: reverse("healthz"), 200, False),
    "tracking pixel": (lambda: pixel_path(make_message(), None), 200, False),
    "tracking redirect": (lambda: click_path(make_message(), make_recipient(), CLICKED), 302, False),
}


def executable_inline_scripts(html: str) -> list[Element]:
    """Every <script> with a body that the browser would run (not a data block)."""
    return [s for s in elements(html, "script") if s.text.strip() and s.attrs.get("type") not in DATA_BLOCKS]


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (d.split() for d in policy.split(";") if d.strip())}


@pytest.fixture
def secure_client(client, demo, settings):
    settings.SECURE_HSTS_SECONDS = 63072000
    return client


@pytest.mark.parametrize("name", PAGES)
def test_every_kind_of_response_carries_the_security_headers(secure_client, name):
    url, status, _ = PAGES[name]
    response = secure_client.get(url(), secure=True)
    assert response.status_code == status
    script_src = csp_directives(response)["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'none'" in csp_directives(response).get("frame-ancestors", []) or response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    if not NONCE.search(" ".join(script_src)) and response["Content-Type"].startswith("text/html"):
        # django-csp names a nonce only when a template asked for one (the admin never does): such a
        # page must then have no inline script for the policy to block.
        assert executable_inline_scripts(response.text) == []


@pytest.mark.parametrize("name", [name for name, (_, _, ours) in PAGES.items() if ours])
def test_html_pages_name_a_fresh_nonce_and_use_it_on_every_script(secure_client, name):
    url, _, _ = PAGES[name]
    path = url()
    nonces = []
    for _ in range(2):
        response = secure_client.get(path, secure=True)
        (nonce,) = NONCE.findall(" ".join(csp_directives(response)["script-src"]))
        scripts = elements(response.text, "script")
        assert scripts, "a page of ours loads consent.js at least"
        for script in scripts:
            if script.attrs.get("type") not in DATA_BLOCKS:
                assert script.attrs.get("nonce") == nonce, script.attrs
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_every_inline_script_of_the_home_page_carries_the_header_nonce(secure_client, settings):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"  # the Consent Mode and GTM snippets are inline scripts
    response = secure_client.get(reverse("home"), secure=True)
    (nonce,) = NONCE.findall(" ".join(csp_directives(response)["script-src"]))
    executable = executable_inline_scripts(response.text)
    assert len(executable) >= 2  # Consent Mode defaults and the GTM loader
    assert all(script.attrs.get("nonce") == nonce for script in executable)


def _flags(morsel) -> tuple[bool, bool, str]:
    return bool(morsel["secure"]), bool(morsel["httponly"]), morsel["samesite"]


def test_consent_cookie_set_by_the_no_js_form_is_secure_lax_and_readable_by_script(client, demo):
    form = {"action": "reject_all", "banner": banner_hash()}
    response = client.post(reverse("consent:update"), form, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 303
    assert _flags(response.cookies[cookie_name()]) == (True, False, "Lax")


def test_session_cookie_of_an_admin_login_is_secure_httponly_and_lax(client, db, django_user_model):
    django_user_model.objects.create_user("dpo", password="a-long-test-passphrase", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "dpo", "password": "a-long-test-passphrase"}, secure=True
    )
    assert response.status_code == 302
    assert _flags(response.cookies["sessionid"]) == (True, True, "Lax")


def test_csrf_cookie_of_the_contact_form_is_secure_httponly_and_lax(client, db):
    response = client.get(reverse("contact"), secure=True)
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert _flags(response.cookies["csrftoken"]) == (True, True, "Lax")
