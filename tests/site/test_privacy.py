"""The privacy policy: its retention periods are the settings that enforce them, and every form and
policy page leads to it."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.html import attribute_values, elements


@pytest.fixture
def fresh_pages(monkeypatch):
    """Pages rendered again (a setting changed since they were kept in memory)."""
    from nocrm_site import page_cache

    monkeypatch.setattr(page_cache, "_pages", {})


def row_text(html: str, row_id: str) -> str:
    [row] = elements(html, "tr", id=row_id)
    return " ".join(element.text for element in row.iter())


def test_the_retention_periods_shown_are_the_settings(client, demo, settings, fresh_pages):
    settings.CONSENT_LOG_RETENTION_DAYS = 400
    settings.CONSENT_MAX_AGE = 90 * 24 * 3600
    settings.LEADS_RETENTION_DAYS = 730
    settings.TRACKING_EVENT_RETENTION_DAYS = 395
    html = client.get("/confidentialite/").text
    assert "400 jours" in row_text(html, "consent-proof")
    assert "3 mois" in row_text(html, "consent-proof")
    assert "24 mois" in row_text(html, "leads")
    assert "13 mois" in row_text(html, "email-tracking")


def test_the_default_periods_in_english(client, demo, fresh_pages):
    html = client.get("/en/privacy/").text
    assert "1826 days" in row_text(html, "consent-proof")
    assert "6 months" in row_text(html, "consent-proof")
    assert "36 months" in row_text(html, "leads")
    assert "25 months" in row_text(html, "email-tracking")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_policy_names_the_controller_the_processors_and_the_cnil(client, demo, language):
    with translation.override(language):
        html = client.get(reverse("privacy")).text
    [address] = elements(html, "address")
    assert "Positive Group Sales Solutions" in address.children[0].text
    assert "504 497 215" in "".join(e.text for e in address.iter())
    assert "FriendlyCaptcha" in html and "CNIL" in html
    assert "mailto:hello@nocrm.io" in attribute_values(html, "a", "href")
    for row in ("leads", "captcha", "consent-proof", "email-tracking", "admin-accounts"):
        assert elements(html, "tr", id=row)


@pytest.mark.parametrize("path", ["/", "/en/", "/mentions-legales/", "/cookies/", "/contact/"])
def test_the_footer_and_the_policies_link_to_it(client, demo, path):
    html = client.get(path).text
    language = "en" if path.startswith("/en/") else "fr"
    with translation.override(language):
        assert reverse("privacy") in attribute_values(html, "a", "href")


@pytest.mark.parametrize("path", ["/contact/", "/"])
def test_each_form_carries_the_short_notice(client, demo, path):
    html = client.get(path).text
    notes = [e for e in elements(html, "p", class_="form-note") if any(a.tag == "a" for a in e.children)]
    assert notes, "no notice linking to the privacy policy"
    [link] = [a.attrs["href"] for a in notes[0].children if a.tag == "a"]
    assert link == "/confidentialite/"
    assert "36 mois" in notes[0].text
