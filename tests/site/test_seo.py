"""What crawlers and link previews read: absolute canonical and hreflang links from SITE_URL, the
sitemap, robots.txt, the favicon, Open Graph tags and JSON-LD (nocrm_site/seo.py)."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from nocrm_site.seo import PAGES
from tests.html import attribute_values, elements

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def urls_of(name: str) -> dict[str, str]:
    """The absolute URL of a page in each language, as the default SITE_URL puts it."""
    urls = {}
    for code in ("fr", "en"):
        with translation.override(code):
            urls[code] = "https://www.nocrm.io" + reverse(name)
    return urls


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_has_an_absolute_canonical_and_hreflang_links(client, demo, name, language):
    urls = urls_of(name)
    html = client.get(urls[language].removeprefix("https://www.nocrm.io"), headers={"host": "localhost"}).text

    assert attribute_values(html, "link", "href", rel="canonical") == [urls[language]]
    alternates = {e.attrs["hreflang"]: e.attrs["href"] for e in elements(html, "link", rel="alternate")}
    assert alternates == {"fr": urls["fr"], "en": urls["en"], "x-default": urls["fr"]}
    assert attribute_values(html, "meta", "content", property="og:url") == [urls[language]]
    [image] = attribute_values(html, "meta", "content", property="og:image")
    assert image.startswith("https://www.nocrm.io/static/")


def test_absolute_urls_follow_the_site_url_setting_not_the_host(client, demo, settings, monkeypatch):
    from nocrm_site import page_cache

    monkeypatch.setattr(page_cache, "_pages", {})  # pages rendered under the former setting
    settings.SITE_URL = "https://staging.nocrm.io"
    html = client.get("/en/pricing/", headers={"host": "localhost"}).text
    assert attribute_values(html, "link", "href", rel="canonical") == ["https://staging.nocrm.io/en/pricing/"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_titles_and_descriptions_are_unique_per_page(client, demo, language):
    titles, descriptions = set(), set()
    for name in PAGES:
        with translation.override(language):
            html = client.get(reverse(name)).text
        title = elements(html, "title")[0]  # the document's, before any inline SVG's
        titles.add(title.text)
        descriptions.update(e.attrs["content"] for e in elements(html, "meta") if e.attrs.get("name") == "description")
    assert len(titles) == len(descriptions) == len(PAGES)


def test_the_sitemap_lists_every_public_page_in_both_languages_with_alternates(client, demo):
    response = client.get("/sitemap.xml", headers={"host": "localhost"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # well-formed XML, or this raises

    listed = {}
    for url in root.iter(f"{SITEMAP}url"):
        alternates = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
        listed[url.find(f"{SITEMAP}loc").text] = alternates
    expected = {}
    for name in PAGES:
        urls = urls_of(name)
        for url in urls.values():
            expected[url] = {**urls, "x-default": urls["fr"]}
    assert listed == expected


def test_robots_txt_keeps_crawlers_out_of_private_urls_and_names_the_sitemap(client, demo):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {
        "/admin/",
        "/o/",
        "/l/",
        "/goto/",
        "/api/v2/transactional_emails/unsubscribe",
        "/consent/",
        "/en/consent/settings/",
    }
    assert "Sitemap: https://www.nocrm.io/sitemap.xml" in lines


def test_favicon_answers_at_the_root_and_pages_link_the_icons(client, demo):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    html = client.get("/").text
    assert attribute_values(html, "link", "type", rel="icon") == ["image/svg+xml"]
    [touch] = attribute_values(html, "link", "href", rel="apple-touch-icon")
    assert client.get(touch).status_code == 200


@pytest.mark.parametrize("path", ["/", "/en/pricing/"])
def test_json_ld_parses_and_describes_the_organisation_and_the_plans(client, demo, path):
    html = client.get(path).text
    blocks = [json.loads(e.text) for e in elements(html, "script", type="application/ld+json")]
    kinds = {block["@type"]: block for block in blocks}
    assert kinds["Organization"]["legalName"] == "Positive Group Sales Solutions"
    assert kinds["Organization"]["address"]["postalCode"] == "59510"
    offers = {offer["name"]: offer["price"] for offer in kinds["SoftwareApplication"]["offers"]}
    assert offers == {"Starter": "15", "Sales Expert": "25", "Dream Team": "35"}


def test_error_and_private_pages_are_not_indexed(client, demo):
    html = client.get("/no-such-page/").text
    assert [e.attrs["content"] for e in elements(html, "meta") if e.attrs.get("name") == "robots"] == ["noindex"]
    assert not elements(html, "link", rel="canonical")
