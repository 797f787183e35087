"""Inline scripts and styles allowed by their SHA-256 hash, so that a page's CSP needs no nonce.

A page is the same bytes for every visitor (docs/decisions/0010-pages-served-from-memory.md). While
it renders, each inline script it carries (the Consent Mode defaults, the GTM loader, the inline
scripts and styles of ``{% consent %}`` blocks) is registered with ``allow_inline``; the middleware
then adds the hashes to the page's ``script-src`` or ``style-src``. Hashes cover what consent.js
activates too: it moves a held script's text into a new element, whose text the browser checks.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Literal, ParamSpec, TypeVar

from csp.constants import HEADER
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_HASHES_ATTRIBUTE = "_csp_inline_hashes"
Directive = Literal["script-src", "style-src"]


def inline_hash(text: str) -> str:
    """The CSP source that allows an inline script or style of exactly this text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def allow_inline(request: HttpRequest | None, directive: Directive, text: str) -> None:
    """Allow this inline script (``script-src``) or style (``style-src``) on the page that ``request``
    is rendering."""
    if request is None:  # rendered outside a request (an e-mail, a test): no header to write
        return
    by_directive: dict[str, dict[str, None]] = request.__dict__.setdefault(_HASHES_ATTRIBUTE, {})
    # A dict keeps the page's order, so that the header is the same at each rendering.
    by_directive.setdefault(directive, {})[inline_hash(text)] = None


def allowed_inline(request: HttpRequest) -> dict[str, list[str]]:
    """The hashes and hosts registered so far on ``request``, by directive."""
    return {directive: list(hashes) for directive, hashes in request.__dict__.get(_HASHES_ATTRIBUTE, {}).items()}


# What a vendor's snippet loads from its hosts once granted: its scripts, their calls, its frames, images.
VENDOR_DIRECTIVES = ("script-src", "connect-src", "frame-src", "img-src")


def allow_sources(request: HttpRequest | None, hosts: tuple[str, ...] | list[str]) -> None:
    """Allow a vendor's hosts (and their subdomains), over HTTPS, on the page that ``request`` renders:
    a tag added from the vendor catalog then runs once granted without anyone editing the CSP settings."""
    if request is None:
        return
    by_directive: dict[str, dict[str, None]] = request.__dict__.setdefault(_HASHES_ATTRIBUTE, {})
    for directive in VENDOR_DIRECTIVES:
        for host in hosts:
            by_directive.setdefault(directive, {}).update({f"https://{host}": None, f"https://*.{host}": None})


# The policy of answers that are not documents (JSON, redirects): they load nothing and nothing may
# frame them. A constant, so that the middleware builds no policy for them.
NON_DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"


P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def set_non_document_policy(response: HttpResponseBase) -> None:
    """This answer is not a page (JSON, an image, a redirect): it carries ``NON_DOCUMENT_POLICY``."""
    response[HEADER] = NON_DOCUMENT_POLICY


def non_document(view: Callable[P, R]) -> Callable[P, R]:
    """For a view that never answers a page: each of its answers carries ``NON_DOCUMENT_POLICY``."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        response = view(*args, **kwargs)
        set_non_document_policy(response)
        return response

    return wrapper


class HashingCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the hashes of the page's inline scripts and styles added."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if HEADER in response:  # the view chose its policy (``non_document``): nothing to build
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        by_directive = allowed_inline(request)
        if by_directive and not report_only:
            update = dict(parts.update or {})
            for directive, hashes in by_directive.items():
                update[directive] = [*update.get(directive, ()), *hashes]
            parts.update = update
        return parts
