"""What every tracker response must look like, for the view tests."""

from __future__ import annotations

BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
PIXEL_CACHE = "no-store, no-cache, must-revalidate, private, max-age=0"


def assert_private_redirect(response, location: str) -> None:
    """A tracked click's answer: a 302 there, never cached, indexed or passing the token on, no cookie."""
    assert response.status_code == 302
    assert response["Location"] == location
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert_no_cookie(response)


def assert_no_cookie(response) -> None:
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


def main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def assert_invalid_page(response) -> None:
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Ce lien n'est pas valide" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert_no_cookie(response)
