"""Every kind of response carries the security headers, and every cookie the site sets has the
flags its use allows (the consent cookie is read by the page's script, the others never are)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consent.visitor.cookie import cookie_name
from guards.csp import NON_DOCUMENT_POLICY, inline_hash
from nocrm_site.templatetags.site import minified_stylesheet
from tests.consent.helpers import banner_hash, consent_post
from tests.html import Element, attribute_values, elements
from tests.tracking.factories import (
    click_path,
    make_message,
    make_recipient,
    pixel_path,
    tracking_path,
    unsubscribe_path,
)

DATA_BLOCKS = {"application/json", "application/ld+json"}  # script types that never run
CLICKED = "https://www.nocrm.io/tarifs/"


# name: (how to get the URL, expected status, whether it is an HTML page of ours)
PAGES = {
    "home": (lambda: reverse("home"), 200, True),
    "features": (lambda: reverse("features"), 200, True),
    "pricing": (lambda: reverse("pricing"), 200, True),
    "contact": (lambda: reverse("contact"), 200, True),
    "legal notice": (lambda: reverse("legal"), 200, True),
    "cookie policy": (lambda: reverse("cookie-policy"), 200, True),
    "consent settings": (lambda: reverse("cookie-settings"), 200, True),
    "english home": (lambda: "/en/", 200, True),
    "404": (lambda: "/no-such-page/", 404, True),
    # Pages reached from an e-mail run no script at all (no consent.js, no GTM: decision 0007).
    "unsubscribe": (lambda: unsubscribe_path(make_message(), make_recipient("max@example.com")), 200, False),
    "invalid tracker link": (lambda: reverse("tracking:click", args=["forged"]), 400, False),
    "tracking withdrawal": (
        lambda: tracking_path(make_message(), make_recipient("max@example.com"), given=False),
        200,
        False,
    ),
    "admin login": (lambda: reverse("admin:login"), 200, False),
    "healthz": (lambda: reverse("healthz"), 200, False),
    "tracking pixel": (lambda: pixel_path(make_message(), None), 200, False),
    "tracking redirect": (lambda: click_path(make_message(), make_recipient(), CLICKED), 302, False),
}

# Answers that are not pages: they load nothing and carry the fixed policy of such answers.
NON_DOCUMENTS = {"tracking pixel", "tracking redirect"}


def inline_scripts(html: str) -> list[Element]:
    """Every <script> with a body that runs now or that consent.js runs later (not a data block)."""
    return [
        s
        for s in elements(html, "script")
        if not s.attrs.get("src") and s.text.strip() and s.attrs.get("type") not in DATA_BLOCKS
    ]


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
    if name in NON_DOCUMENTS:
        assert response["Content-Security-Policy"] == NON_DOCUMENT_POLICY
    directives = csp_directives(response)
    script_src = directives.get("script-src") or directives["default-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'none'" in csp_directives(response).get("frame-ancestors", []) or response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert not [source for source in script_src if source.startswith("'nonce-")]
    if response["Content-Type"].startswith("text/html"):
        # Every inline script the page runs, or that consent.js may run later, is allowed by its hash.
        assert {inline_hash(s.text) for s in inline_scripts(response.text)} <= set(script_src)


def test_the_consent_endpoints_answer_with_the_policy_of_answers_that_are_no_page(secure_client):
    secure_client.get(reverse("home"), secure=True)
    answers = {
        "decision (JSON)": consent_post(secure_client, {"action": "accept_all", "banner": banner_hash()}, secure=True),
        "decision (no-JS form)": secure_client.post(
            reverse("consent:update"),
            {"action": "reject_all", "banner": banner_hash()},
            secure=True,
            HTTP_SEC_FETCH_SITE="same-origin",
        ),
        "refused (cross-site)": consent_post(
            secure_client, {"action": "accept_all"}, secure=True, HTTP_SEC_FETCH_SITE="cross-site"
        ),
        "GET": secure_client.get(reverse("consent:update"), secure=True),
        "report": secure_client.post(
            reverse("consent:report"),
            "{}",
            content_type="application/json",
            secure=True,
            HTTP_SEC_FETCH_SITE="same-origin",
        ),
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "decision (JSON)": 200,
        "decision (no-JS form)": 303,
        "refused (cross-site)": 403,
        "GET": 405,
        "report": 200,
    }
    assert {r["Content-Security-Policy"] for r in answers.values()} == {NON_DOCUMENT_POLICY}
    assert csp_directives(answers["GET"]) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}


# Features the site never uses, which Permissions-Policy must turn off (issue 14).
UNUSED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")


def permissions_policy(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


@pytest.mark.parametrize("name", PAGES)
def test_every_kind_of_response_turns_off_the_features_the_site_never_uses(secure_client, name):
    url, status, _ = PAGES[name]
    response = secure_client.get(url(), secure=True)
    assert response.status_code == status
    policy = permissions_policy(response)
    assert all(policy[feature] == "()" for feature in UNUSED_FEATURES), policy


def test_static_files_carry_the_permissions_policy_too(collected_static, client):
    from django.templatetags.static import static

    response = client.get(static("js/consent.js"), secure=True)
    assert response.status_code == 200
    assert permissions_policy(response)["camera"] == "()"


def test_the_policy_leaves_video_players_their_features(secure_client):
    # A gated YouTube frame needs fullscreen and autoplay: turning them off would break it once granted.
    policy = permissions_policy(secure_client.get(reverse("home"), secure=True))
    assert not {"fullscreen", "autoplay", "encrypted-media", "picture-in-picture"} & set(policy)


@pytest.mark.parametrize("name", [name for name, (_, _, ours) in PAGES.items() if ours])
def test_html_pages_allow_exactly_their_inline_scripts_by_hash(secure_client, settings, name):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"  # the Consent Mode and GTM snippets are inline scripts
    url, _, _ = PAGES[name]
    response = secure_client.get(url(), secure=True)
    script_src = csp_directives(response)["script-src"]
    hashes = {source for source in script_src if source.startswith("'sha256-")}
    assert hashes == {inline_hash(s.text) for s in inline_scripts(response.text)}
    assert not [s for s in elements(response.text, "script") if "nonce" in s.attrs]


@pytest.mark.parametrize("name", [name for name, (_, _, ours) in PAGES.items() if ours])
def test_html_pages_carry_the_sites_styles_allowed_by_hash_and_link_no_stylesheet(secure_client, name):
    url, _, _ = PAGES[name]
    response = secure_client.get(url(), secure=True)
    styles = [style.text for style in elements(response.text, "style")]
    site_css = minified_stylesheet("css/site.css") + minified_stylesheet("css/consent.css")
    assert site_css in styles  # the first paint waits for no request
    assert {inline_hash(text) for text in styles} <= set(csp_directives(response)["style-src"])
    assert "'unsafe-inline'" not in csp_directives(response)["style-src"]
    assert not [
        href for href in attribute_values(response.text, "link", "href", rel="stylesheet") if "/static/" in href
    ]


def test_the_home_page_allows_the_consent_mode_defaults_and_the_held_gtm_loader(secure_client, settings):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    response = secure_client.get(reverse("home"), secure=True)
    scripts = inline_scripts(response.text)
    assert len(scripts) == 2 and scripts[1].attrs["type"] == "text/plain"  # the loader waits for statistics
    assert {inline_hash(s.text) for s in scripts} <= set(csp_directives(response)["script-src"])


def test_a_page_is_the_same_bytes_with_the_same_policy_for_every_visitor(secure_client, settings):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    first = secure_client.get(reverse("home"), secure=True)
    returning = secure_client.get(reverse("home"), secure=True, HTTP_COOKIE=f"{cookie_name()}=x")
    assert first.content == returning.content
    assert csp_directives(first) == csp_directives(returning)


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
