"""Whether a request comes from one of our own pages, for endpoints whose pages carry no CSRF token
(they stay the same for every visitor: docs/decisions/0002-cacheable-pages-and-csp.md)."""

from __future__ import annotations

from django.http import HttpRequest


def is_same_origin(request: HttpRequest) -> bool:
    """A browser's request from one of our own pages (Fetch Metadata, else the Origin header)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and origin == f"{request.scheme}://{request.get_host()}"
