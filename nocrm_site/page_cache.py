"""Public pages served from memory, first thing in the request: the same bytes for every visitor.

A view marked ``@static_page`` renders through the whole stack the first time its path is asked for
(in each process, and again when the declarations' version changes). If the response depends on
nothing but its path (a 200, no cookie set, no ``Vary: Cookie``, no cookie read on the server), its
bytes and headers are kept, with gzip and Brotli variants and a strong ETag each, and every later
request for that path is answered by ``PageCacheMiddleware``, the first middleware, before URL
resolution and the rest of the stack: no query, no template, a ``304`` for a revalidation, and
``Cache-Control: public`` so that a CDN can keep it. Everything else leaves with
``Cache-Control: private, no-store`` unless it says otherwise. See
docs/decisions/0010-pages-served-from-memory.md.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps

import brotli
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from consent.visitor.snapshot import get_snapshot

STATIC_PAGE_ATTRIBUTE = "static_page"
# Headers the stored page sets itself for each answer, so not kept from the first response.
OWN_HEADERS = frozenset({"cache-control", "content-encoding", "content-length", "etag", "vary"})
# The language comes from the path (i18n_patterns), never from Accept-Language, though LocaleMiddleware
# names it in Vary for the paths without a prefix; "Cookie" in Vary means the page is not the same for all.
IGNORED_VARY = frozenset({"accept-language"})
# Smaller bodies are not worth a compressed variant.
MIN_COMPRESSED_SIZE = 256
# (path, over HTTPS) -> the stored page: one entry per marked path, so memory stays bounded.
_pages: dict[tuple[str, bool], StoredPage] = {}


def static_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For views whose page depends only on its path (and so its language) and the declarations."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        # Read before rendering: a change made meanwhile gives a newer version, so a fresh rendering.
        version = get_snapshot().version
        cookies = _WatchedCookies(request.COOKIES)
        request.COOKIES = cookies
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()  # here, so that a cookie read by the template is seen
        if not cookies.read:
            setattr(response, STATIC_PAGE_ATTRIBUTE, version)
        return response

    return wrapper


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str
    encoding: str  # "identity", "gzip" or "br"


@dataclass(frozen=True)
class StoredPage:
    version: str
    headers: tuple[tuple[str, str], ...]
    variants: tuple[Variant, ...]  # the smallest first

    @classmethod
    def from_response(cls, response: HttpResponse, version: str) -> StoredPage:
        body = response.content
        digest = hashlib.sha256(body).hexdigest()[:32]
        variants = [Variant(body, f'"{digest}"', "identity")]
        if len(body) >= MIN_COMPRESSED_SIZE:
            # mtime=0: the same bytes, and so the same ETag, on every server and at every rendering.
            variants.append(Variant(gzip.compress(body, compresslevel=9, mtime=0), f'"{digest}-gz"', "gzip"))
            variants.append(Variant(brotli.compress(body), f'"{digest}-br"', "br"))
        kept = tuple((name, value) for name, value in response.items() if name.lower() not in OWN_HEADERS)
        cache_control = (
            f"public, max-age={settings.PAGE_MAX_AGE}, s-maxage={settings.PAGE_SHARED_MAX_AGE}, "
            f"stale-while-revalidate={settings.PAGE_STALE_WHILE_REVALIDATE}, "
            f"stale-if-error={settings.PAGE_STALE_IF_ERROR}"
        )
        headers = (*kept, ("Cache-Control", cache_control), ("Vary", "Accept-Encoding"))
        return cls(version, headers, tuple(sorted(variants, key=lambda v: len(v.body))))

    def respond(self, request: HttpRequest) -> HttpResponse:
        accepted = accepted_encodings(request.headers.get("Accept-Encoding", ""))
        variant = next(v for v in self.variants if v.encoding in accepted or v.encoding == "identity")
        if _matches(request.headers.get("If-None-Match"), variant.etag):
            response = HttpResponse(status=304)
            del response["Content-Type"]
        else:
            response = HttpResponse(b"" if request.method == "HEAD" else variant.body)
            response["Content-Length"] = str(len(variant.body))
            if variant.encoding != "identity":
                response["Content-Encoding"] = variant.encoding
        for name, value in self.headers:
            if response.status_code == 200 or name.lower() != "content-type":
                response[name] = value
        response["ETag"] = variant.etag
        return response


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header accepts (those with a q above 0)."""
    accepted = set()
    for item in header.split(","):
        name, _, parameters = item.partition(";")
        key, _, weight = parameters.partition("=")
        weight = weight.strip() if key.strip() == "q" else "1"
        try:
            if float(weight) > 0:
                accepted.add(name.strip().lower())
        except ValueError:
            continue  # a malformed weight accepts nothing
    return accepted


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = parse_etags(if_none_match)
    return tags == ["*"] or etag in (tag.removeprefix("W/") for tag in tags)  # weak comparison (RFC 9110)


class _WatchedCookies(dict[str, str]):
    """``request.COOKIES`` while a marked view and its template run, noting whether they read a cookie.
    The middleware's own reads (session, CSRF, language) come before: their use shows as ``Vary: Cookie``,
    or changes nothing under i18n_patterns, where the path decides the language."""

    def __init__(self, cookies: dict[str, str]) -> None:
        super().__init__(cookies)
        self.read = False

    def _note(self, name: object) -> None:
        self.read = True

    def __getitem__(self, name: str) -> str:
        self._note(name)
        return super().__getitem__(name)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self._note(name)
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        self._note(name)
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self.read = True
        return super().__iter__()

    def keys(self):
        self.read = True
        return super().keys()

    def items(self):
        self.read = True
        return super().items()

    def values(self):
        self.read = True
        return super().values()


class PageCacheMiddleware:
    """First in MIDDLEWARE: stored pages are answered here; the rest goes down the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return self._private(self.get_response(request))
        key = (request.path, request.is_secure())
        page = _pages.get(key)
        if page is not None and page.version == get_snapshot().version and _host_allowed(request):
            return page.respond(request)
        return self._render(request, key)

    def _render(self, request: HttpRequest, key: tuple[str, bool]) -> HttpResponseBase:
        response = self.get_response(request)
        # Set by @static_page when the view and its template read no cookie.
        version = getattr(response, STATIC_PAGE_ATTRIBUTE, None)
        if version is not None and _same_for_everyone(response):
            assert isinstance(response, HttpResponse)  # not streaming: checked by _same_for_everyone
            page = StoredPage.from_response(response, version)
            _pages[key] = page
            return page.respond(request)
        return self._private(response)

    @staticmethod
    def _private(response: HttpResponseBase) -> HttpResponseBase:
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _same_for_everyone(response: HttpResponseBase) -> bool:
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.cookies
        and vary <= IGNORED_VARY
        and not response.has_header("Cache-Control")
    )


def _host_allowed(request: HttpRequest) -> bool:
    """ALLOWED_HOSTS, as CommonMiddleware checks it; a refused host goes down the stack to its 400."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True
