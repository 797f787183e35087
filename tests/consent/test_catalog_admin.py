"""'Ajouter depuis le catalogue' through the admin: one form per vendor, a preview, then the provider,
its cookies and its held tag, which every page carries with the vendor's hosts in its CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consent.models import Cookie, Provider, VendorTag
from tests.consent.helpers import login
from tests.html import elements

CATALOG = reverse("admin:consent_provider_catalog")


@pytest.fixture
def marketer(client, demo):
    return login(client, "Marketing")


def add(client, vendor: str, **values: str):
    body = {"vendor": vendor, "placement": "body", **values}
    preview = client.post(CATALOG, body)
    assert preview.status_code == 200, preview.content.decode()[-2000:]
    return preview, client.post(CATALOG, {**body, "step": "confirm"})


def test_the_providers_list_offers_the_catalog_and_the_catalog_lists_its_vendors(client, marketer):
    page = client.get(reverse("admin:consent_provider_changelist")).content.decode()
    assert CATALOG in [a.attrs.get("href") for a in elements(page, "a")]
    options = [o.attrs["value"] for o in elements(client.get(CATALOG).content.decode(), "option")]
    assert {"microsoft-clarity", "linkedin-insight", "google-analytics-4"} <= set(options)


def test_adding_clarity_previews_then_declares_its_provider_cookies_and_held_tag(client, marketer):
    form = client.get(CATALOG, {"vendor": "microsoft-clarity"}).content.decode()
    assert "_clck" in form and "Microsoft Ireland Operations Limited" in form
    body = {"vendor": "microsoft-clarity", "placement": "body", "__PROJECT_ID__": "k2x7abcd9q"}
    [shown] = elements(client.post(CATALOG, body).content.decode(), "pre", id="catalog-preview")
    assert '"clarity", "script", "k2x7abcd9q"' in shown.text
    assert not VendorTag.objects.exists()  # the preview creates nothing
    _preview, confirmed = add(client, "microsoft-clarity", __PROJECT_ID__="k2x7abcd9q")

    provider = Provider.objects.get(name="Microsoft Clarity")
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:consent_provider_change", args=[provider.pk])
    assert (provider.legal_name, provider.country) == ("Microsoft Ireland Operations Limited", "IE")
    assert "clarity.ms" in provider.domains()
    cookies = {c.name: c for c in Cookie.objects.filter(provider=provider)}
    assert set(cookies) == {"_clck", "_clsk", "CLID"}
    assert {c.purpose.slug for c in cookies.values()} == {"statistics"}
    assert (cookies["_clck"].duration_fr, cookies["_clck"].duration_en, cookies["CLID"].party) == (
        "1 an",
        "1 year",
        "third",
    )
    [tag] = VendorTag.objects.all()
    assert (tag.vendor, tag.purpose.slug, tag.values) == (
        "microsoft-clarity",
        "statistics",
        {"__PROJECT_ID__": "k2x7abcd9q"},
    )

    home = client.get("/")
    held = [s for s in elements(home.content.decode(), "script") if s.attrs.get("data-consent") == "statistics"]
    assert any("k2x7abcd9q" in s.text and s.attrs.get("type") == "text/plain" for s in held)
    script_src = next(d for d in home["Content-Security-Policy"].split(";") if d.strip().startswith("script-src"))
    assert "https://*.clarity.ms" in script_src.split()


def test_adding_a_vendor_twice_keeps_its_cookies_declared_once(client, marketer):
    add(client, "linkedin-insight", __PARTNER_ID__="1234567")
    add(client, "linkedin-insight", __PARTNER_ID__="7654321")
    provider = Provider.objects.get(name="LinkedIn Insight Tag")
    assert Cookie.objects.filter(provider=provider, name="li_fat_id").count() == 1
    assert VendorTag.objects.filter(provider=provider).count() == 2


@pytest.mark.parametrize("value", ['k2x7"abcd', "k2x7</script>", "", "x" * 40])
def test_a_placeholder_empty_or_of_another_shape_is_refused_with_a_sentence_and_nothing_is_made(
    client, marketer, value
):
    response = client.post(
        CATALOG, {"vendor": "microsoft-clarity", "placement": "body", "__PROJECT_ID__": value, "step": "confirm"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "ressembler à" in text or "obligatoire" in text
    assert not VendorTag.objects.exists()
    assert not Provider.objects.filter(name="Microsoft Clarity").exists()


def test_an_unknown_vendor_is_a_400_and_makes_nothing(client, marketer):
    assert client.post(CATALOG, {"vendor": "evil", "step": "confirm"}).status_code == 400
    assert client.get(CATALOG, {"vendor": "evil"}).status_code == 400
    assert not VendorTag.objects.exists()


def test_the_catalog_needs_the_permissions_and_a_csrf_token(db, client):
    login(client, "DPO")
    assert client.get(CATALOG).status_code == 403
    from django.test import Client

    forger = Client(enforce_csrf_checks=True)
    login(forger, "Marketing")
    body = {"vendor": "microsoft-clarity", "placement": "body", "__PROJECT_ID__": "k2x7abcd9q", "step": "confirm"}
    assert forger.post(CATALOG, body).status_code == 403
    assert not VendorTag.objects.exists()
