"""Error pages in the site's design, as production renders them (DEBUG off)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

from tests.html import attribute_values, elements


def assert_site_design(html: str) -> None:
    # The site's stylesheet, linked (the error pages that need no template tags) or in the page (the 404).
    linked = any("/static/css/site" in href for href in attribute_values(html, "link", "href", rel="stylesheet"))
    assert linked or any(_site_css_rule() in style.text for style in elements(html, "style"))
    assert elements(html, "a", class_="logo")
    assert elements(html, "footer", class_="foot")
    assert [e.attrs["content"] for e in elements(html, "meta") if e.attrs.get("name") == "robots"] == ["noindex"]


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (defaults.server_error, 500, "Une erreur est survenue de notre côté"),
        (lambda request: defaults.bad_request(request, ValueError()), 400, "Cette requête n'a pas pu être comprise"),
        (lambda request: defaults.permission_denied(request, PermissionDenied()), 403, "Vous n'avez pas accès"),
    ],
)
def test_errors_render_in_the_sites_design_without_the_database(settings, view, status, heading):
    assert not settings.DEBUG
    response = view(RequestFactory().get("/anything/"))
    html = response.content.decode()
    assert response.status_code == status
    assert_site_design(html)
    [h1] = elements(html, "h1")
    assert h1.text.startswith(heading)


@pytest.mark.parametrize(
    ("path", "heading"), [("/nulle-part/", "Cette page n'existe pas"), ("/en/nowhere/", "This page does not exist")]
)
def test_unknown_pages_get_the_404_in_their_language(client, demo, settings, path, heading):
    assert not settings.DEBUG
    response = client.get(path)
    assert response.status_code == 404
    assert_site_design(response.text)
    assert [h1.text for h1 in elements(response.text, "h1")] == [heading]


@pytest.mark.urls("tests.site.failing_urls")
def test_a_view_that_raises_answers_with_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_site_design(response.content.decode())


def _site_css_rule() -> str:
    """The first rule of site.css, minified as the page carries it."""
    from nocrm_site.templatetags.site import minified_stylesheet

    return minified_stylesheet("css/site.css").split("}", 1)[0]
