"""Public pages served from memory (nocrm_site/page_cache.py): the same bytes for everyone, a strong
ETag and 304s, compressed variants, Cache-Control for a CDN, and nothing per visitor ever stored."""

from __future__ import annotations

import gzip

import brotli
import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test.signals import template_rendered
from django.urls import path

from consent.visitor import snapshot as declarations
from consent.visitor.cookie import cookie_name
from nocrm_site import page_cache
from nocrm_site.page_cache import accepted_encodings, static_page
from nocrm_site.urls import urlpatterns as site_urlpatterns

PAGE = "/tarifs/"


@pytest.fixture
def pages(client, demo, monkeypatch):
    """A client, with the pages stored so far forgotten."""
    monkeypatch.setattr(page_cache, "_pages", {})
    return client


def rendered_templates(client, url: str, **headers: str) -> tuple[HttpResponse, list[str]]:
    names: list[str] = []

    def note(sender, template, **kwargs) -> None:
        names.append(template.name)

    template_rendered.connect(note)
    try:
        response = client.get(url, headers=headers)
    finally:
        template_rendered.disconnect(note)
    return response, names


def test_the_warm_path_runs_no_query_and_no_template(pages, django_assert_num_queries):
    first, names = rendered_templates(pages, PAGE)
    assert first.status_code == 200 and "pages/pricing.html" in names
    with django_assert_num_queries(0):
        warm, names = rendered_templates(pages, PAGE)
    assert warm.status_code == 200 and names == []
    assert warm.content == first.content


def test_every_visitor_gets_the_same_bytes_and_etag(pages):
    new = pages.get(PAGE)
    returning = pages.get(PAGE, headers={"cookie": f"{cookie_name()}=1.110.1.1700000000.sig"})
    assert returning.content == new.content and returning["ETag"] == new["ETag"]
    # Rendered again from scratch (another server, or after a restart): still the same bytes.
    page_cache._pages.clear()
    cache.delete(declarations.VERSION_KEY)
    again = pages.get(PAGE)
    assert again.content == new.content and again["ETag"] == new["ETag"]


def test_cache_control_lets_a_cdn_keep_the_page_and_serve_it_through_an_outage(pages, settings):
    settings.PAGE_MAX_AGE, settings.PAGE_SHARED_MAX_AGE = 30, 600
    settings.PAGE_STALE_WHILE_REVALIDATE, settings.PAGE_STALE_IF_ERROR = 45, 7200
    for response in (pages.get(PAGE), pages.get(PAGE)):  # rendered, then from memory
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {
            "public",
            "max-age=30",
            "s-maxage=600",
            "stale-while-revalidate=45",
            "stale-if-error=7200",
        }
        assert response["Vary"] == "Accept-Encoding"


def test_a_revalidation_gets_a_304_without_a_body(pages):
    etag = pages.get(PAGE)["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # a strong validator
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = pages.get(PAGE, headers={"if-none-match": sent})
        assert response.status_code == 304, sent
        assert response.content == b"" and response["ETag"] == etag
        assert response["Cache-Control"].startswith("public")
    assert pages.get(PAGE, headers={"if-none-match": '"stale"'}).status_code == 200


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("br;q=0, gzip;q=0.8", "gzip", gzip.decompress),
        ("", None, bytes),
        ("identity", None, bytes),
    ],
)
def test_compressed_variants_each_with_its_etag(pages, accept, encoding, decode):
    plain = pages.get(PAGE)
    response = pages.get(PAGE, headers={"accept-encoding": accept})
    assert response.get("Content-Encoding") == encoding
    assert decode(response.content) == plain.content
    assert int(response["Content-Length"]) == len(response.content)
    assert (response["ETag"] == plain["ETag"]) == (encoding is None)
    # A revalidation of the compressed variant names its own ETag.
    again = pages.get(PAGE, headers={"accept-encoding": accept, "if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_accepted_encodings_ignore_what_they_cannot_read():
    assert accepted_encodings("gzip;q=abc, br") == {"br"}
    assert accepted_encodings(" GZIP ; q=1.0 ,, ") == {"gzip", ""}


def test_head_answers_the_headers_of_the_page(pages):
    body = pages.get(PAGE).content
    response = pages.head(PAGE)
    assert response.status_code == 200 and response.content == b""
    assert int(response["Content-Length"]) == len(body)


def test_the_stored_page_keeps_the_security_headers_of_the_rendered_one(pages):
    first, warm = pages.get(PAGE), pages.get(PAGE)
    for header in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Cross-Origin-Opener-Policy",
        "Content-Type",
        "Content-Language",
    ):
        assert warm[header] == first[header], header


def test_a_host_outside_allowed_hosts_is_refused_even_for_a_stored_page(pages):
    pages.get(PAGE)
    assert pages.get(PAGE, HTTP_HOST="evil.example").status_code == 400


def test_plain_http_is_redirected_even_for_a_stored_page(pages, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert pages.get(PAGE, secure=True).status_code == 200
    response = pages.get(PAGE)
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.parametrize(
    ("url", "status"),
    [("/contact/", 200), ("/consent/parametres/", 200), ("/contact/merci/", 200), ("/no-such-page/", 404)],
)
def test_pages_that_are_not_the_same_for_everyone_are_private_and_never_stored(pages, url, status):
    response = pages.get(url)
    assert response.status_code == status
    assert {d.strip() for d in response["Cache-Control"].split(",")} >= {"private", "no-store"}
    assert "ETag" not in response and page_cache._pages == {}


def test_a_form_with_errors_is_private(pages):
    response = pages.post("/contact/", {"email": "not an address"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# A page marked static that reads the consent cookie on the server: it must never be stored.
RENDERINGS: list[str] = []


@static_page
def reads_the_cookie(request: HttpRequest) -> TemplateResponse:
    RENDERINGS.append(request.path)
    granted = "1" in request.COOKIES.get(cookie_name(), "")
    return TemplateResponse(request, engines["django"].from_string("{{ granted }}"), {"granted": granted})


@static_page
def sets_a_cookie(request: HttpRequest) -> HttpResponse:
    RENDERINGS.append(request.path)
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


urlpatterns = [
    path("reads/", reads_the_cookie),
    path("sets/", sets_a_cookie),
    *site_urlpatterns,
]


@pytest.mark.parametrize("url", ["/reads/", "/sets/"])
def test_a_page_that_reads_or_sets_a_cookie_cannot_enter_the_cache(pages, settings, url):
    settings.ROOT_URLCONF = __name__
    RENDERINGS.clear()
    for _ in range(2):
        response = pages.get(url, headers={"cookie": f"{cookie_name()}=1.111.1.1700000000.sig"})
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "ETag" not in response
    assert [url, url] == RENDERINGS  # rendered for each request
    assert page_cache._pages == {}


def test_admin_changes_reach_the_stored_pages(pages):
    from consent.models import Cookie

    assert "_fbp" in pages.get("/cookies/").text
    etag = pages.get("/cookies/")["ETag"]
    Cookie.objects.filter(name="_fbp").delete()
    cache.delete(declarations.VERSION_KEY)  # what the admin's save does once its transaction commits
    response = pages.get("/cookies/", headers={"if-none-match": etag})
    assert response.status_code == 200 and "_fbp" not in response.text and response["ETag"] != etag


def test_one_entry_per_page_and_language(pages):
    for _ in range(3):
        pages.get(PAGE)
        pages.get("/en/pricing/")
        cache.delete(declarations.VERSION_KEY)  # a new version, as after an admin change or expiry
    assert sorted(page_cache._pages) == [("/en/pricing/", False), (PAGE, False)]
