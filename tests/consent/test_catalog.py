"""The vendor catalog: every entry complete and sourced, every snippet held by {% consent %} once filled."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from consent.catalog import CATALOG, vendor_for_host, vendor_for_tracker
from consent.models import PurposeSlug
from consent.visitor.gating import make_inert

REQUIRED = {
    "google-analytics-4",
    "google-ads",
    "google-tag-manager",
    "meta-pixel",
    "linkedin-insight",
    "microsoft-uet",
    "microsoft-clarity",
    "hotjar",
    "hubspot",
    "intercom",
    "crisp",
    "zendesk",
    "calendly",
    "youtube",
    "vimeo",
    "google-maps",
    "tiktok-pixel",
    "x-pixel",
    "matomo",
    "plausible",
    "segment",
    "mixpanel",
    "stripe",
    "cloudflare-turnstile",
    "friendlycaptcha",
}
VENDORS = sorted(CATALOG.values(), key=lambda v: v.slug)


def test_the_catalog_holds_at_least_25_vendors_among_them_every_one_the_issue_names():
    assert len(CATALOG) >= 25
    assert set(CATALOG) >= REQUIRED


def https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.slug)
def test_every_entry_is_complete_and_says_where_its_facts_come_from(vendor):
    for fact in ("name", "legal_name", "data_location", "transfer_basis", "audience_exemption", "deletion"):
        assert getattr(vendor, fact).strip(), fact
    assert len(vendor.country) == 2 and vendor.country.isupper()
    assert https(vendor.privacy_url)
    assert vendor.sources and all(https(url) for url in vendor.sources)
    assert vendor.hosts and all("." in host and host == host.lower() for host in vendor.hosts)
    for tracker in vendor.trackers:
        assert tracker.name and tracker.purpose in PurposeSlug.values
        assert all((tracker.duration_fr, tracker.duration_en, tracker.description_fr, tracker.description_en))
        assert tracker.storage in {"cookie", "localStorage", "sessionStorage"}
    assert vendor.placeholders, "a snippet with nothing to fill would be the same for every site"
    for placeholder in vendor.placeholders:
        assert placeholder.marker in vendor.snippet
        assert placeholder.is_valid(placeholder.example), placeholder.marker
        assert placeholder.label_fr and placeholder.label_en


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.slug)
def test_every_snippet_filled_with_its_examples_is_held_by_the_consent_tag(vendor):
    html = vendor.filled({p.marker: p.example for p in vendor.placeholders})
    assert "__" not in "".join(p.marker for p in vendor.placeholders if p.marker in html)
    inert = make_inert(html, purpose=vendor.purpose, purpose_name=vendor.purpose, provider=vendor.name)
    assert inert.html.strip()
    if vendor.purpose != PurposeSlug.NECESSARY:
        assert "<script>" not in inert.html and "<iframe" not in inert.html.split("<template")[0]


@pytest.mark.parametrize("value", ['G-1234"', "G-12345</script>", "G-ABC 123", "", "g-abc1234"])
def test_a_placeholder_with_quotes_markup_or_another_shape_is_refused(value):
    [placeholder] = CATALOG["google-analytics-4"].placeholders
    assert not placeholder.is_valid(value)


def test_cookies_and_hosts_seen_by_the_scanner_are_found_in_the_catalog():
    assert vendor_for_tracker("_clck").slug == "microsoft-clarity"
    assert vendor_for_tracker("_ga_ABC123").slug == "google-analytics-4"
    assert vendor_for_tracker("_hjSessionUser_123456").slug == "hotjar"
    assert vendor_for_host("www.clarity.ms").slug == "microsoft-clarity"
    assert vendor_for_host("snap.licdn.com").slug == "linkedin-insight"
    assert vendor_for_tracker("csrftoken") is None
    assert vendor_for_host("evil.example") is None
    assert vendor_for_host("notclarity.ms") is None
