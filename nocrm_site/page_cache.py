"""Marketing pages rendered once per process and language, served with each request's CSP nonce.

Their HTML is the same for every visitor (docs/decisions/0002): only the nonce changes between
two responses. The first rendering is kept with its nonce replaced by a marker; later requests
get the stored bytes with their own nonce put back. Entries are keyed by the declarations'
version, so an admin change to purposes or cookies is picked up like everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from consent.visitor.snapshot import get_snapshot

MARKER = "__csp_nonce__"
# (path, language) -> (declarations version, body, content type): one entry per page and language,
# replaced when the version changes, so memory stays bounded.
_pages: dict[tuple[str, str], tuple[str, bytes, str]] = {}


def rendered_once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views whose page depends only on its path, language and the declarations."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key, version = (request.path, get_language()), get_snapshot().version
        stored = _pages.get(key)
        if stored is not None and stored[0] == version:
            _version, body, content_type = stored
            return HttpResponse(
                body.replace(MARKER.encode(), str(request.csp_nonce).encode()),  # type: ignore[attr-defined]
                content_type=content_type,
            )
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and not response.cookies and not response.has_header("Vary"):
            nonce = getattr(request, "_csp_nonce", None)  # set only if the page used it
            body = response.content.replace(nonce.encode(), MARKER.encode()) if nonce else response.content
            _pages[key] = (version, body, response["Content-Type"])
        return response

    return wrapper
