"""The tracker endpoints: open pixel, click redirects, the one-click unsubscribe (RFC 8058), and the
pages where a recipient withdraws or gives their consent to tracking.

Each verifies a signed token (no database read on the trackers' path), records at most one event or
change, and answers. None sets a cookie or needs a session: they are fetched by mail clients, proxies
and mailbox providers. The pages load no third-party script (no Google Tag Manager: their URLs carry
signed tokens) and send no referrer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from guards.csp import set_non_document_policy
from tracking.batch import track_event
from tracking.consents import CONSENT_TEXT, TEXT_VERSION, WITHDRAWAL_TEXT, record_tracking_consent
from tracking.destinations import safe_destination
from tracking.machines import click_machine_reason, open_machine_reason
from tracking.models import ConsentSource, EventKind
from tracking.services import unsubscribe
from tracking.tokens import Claims, Purpose, digest_matches, read_token

logger = logging.getLogger(__name__)

# A transparent 1x1 GIF, 43 bytes: the same answer for every token, valid or not.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PIXEL_CACHE_CONTROL = "no-store, no-cache, must-revalidate, private, max-age=0"
# Headers of every tracker answer but the pixel: never cached, indexed, or leaking the token onwards.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def allow_methods(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Django's ``require_http_methods``, without its log line: that line names the path, whose token
    names a recipient. The 405 is logged here with the method and the view only."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in methods:
                return view(request, *args, **kwargs)
            logger.warning("tracker method not allowed", extra={"method": request.method, "view": view.__name__})
            response = private_answer(HttpResponseNotAllowed(methods))
            response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
            return response

        return checked

    return decorator


def private(response: HttpResponse) -> HttpResponse:
    """A tracker answer that is never cached, indexed, or followed by a referrer (PRIVATE_HEADERS)."""
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def private_answer(response: HttpResponse) -> HttpResponse:
    """A private answer that is not a page (a redirect, a 405): with the fixed non-document CSP too."""
    set_non_document_policy(private(response))
    return response


SAFE_METHODS = ("GET", "HEAD")
PAGE_METHODS = ("GET", "HEAD", "POST")


class TrackedRedirect(HttpResponseRedirect):
    """A 302 to an http(s) URL only: Django's own redirect classes also accept ftp."""

    allowed_schemes = ["http", "https"]


@allow_methods(*SAFE_METHODS)
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    claims = read_token(Purpose.OPEN, token, max_age=settings.TRACKING_LINK_MAX_AGE)
    if claims is not None:
        recipient_id = None if settings.TRACKING_OPENS_WITHOUT_RECIPIENT else claims.recipient_id
        _record(EventKind.OPEN, claims, recipient_id=recipient_id, machine_reason=open_machine_reason(request))
    return pixel_response()


def pixel_response() -> HttpResponse:
    """The answer to every pixel request, valid token or not (also the benchmark floor's)."""
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = PIXEL_CACHE_CONTROL
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    set_non_document_policy(response)
    return response


@allow_methods(*SAFE_METHODS)
def click(request: HttpRequest, token: str) -> HttpResponse:
    """A link of an e-mail to a contact: the token carries the destination."""
    claims = read_token(Purpose.LINK, token, max_age=settings.TRACKING_LINK_MAX_AGE)
    destination = safe_destination(claims.target) if claims else None
    if claims is None or destination is None:
        return invalid_link(request)
    return _record_click_and_redirect(request, claims, destination)


@allow_methods(*SAFE_METHODS)
def goto(request: HttpRequest, token: str) -> HttpResponse:
    """A link of an e-mail to an app user: ``clicked_url`` must be the very URL the token signs."""
    clicked = request.GET.getlist("clicked_url")
    claims = read_token(Purpose.GOTO, token, max_age=settings.TRACKING_LINK_MAX_AGE)
    if claims is None or len(clicked) != 1 or not digest_matches(claims, clicked[0]):
        return invalid_link(request)
    destination = safe_destination(clicked[0])
    if destination is None:
        return invalid_link(request)
    return _record_click_and_redirect(request, claims, destination)


# Mailbox providers POST here without cookies or a CSRF token (RFC 8058 one-click unsubscribe):
# the signature in the URL is what authorises the request, and repeating it changes nothing.
@csrf_exempt
@allow_methods(*PAGE_METHODS)
def unsubscribe_view(request: HttpRequest) -> HttpResponse:
    signatures = request.GET.getlist("signature")
    claims = read_token(Purpose.UNSUBSCRIBE, signatures[0]) if len(signatures) == 1 else None
    if claims is None or claims.recipient_id is None:
        return invalid_link(request)
    if request.method != "POST":
        # Only shows the button: link scanners and prefetchers follow GET links.
        return _page(request, "tracking/unsubscribe.html", {"done": False})
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return invalid_link(request)
    try:
        unsubscribe(recipient_id=claims.recipient_id, message_id=claims.message_id)
    except DatabaseError:
        # "message" is LogRecord's own attribute: as an extra key, logging raises KeyError (a 500).
        logger.warning("unsubscribe not stored: database unavailable", extra={"message_id": claims.message_id})
        return _page(request, "tracking/unsubscribe.html", {"done": False, "failed": True}, status=503)
    return _page(request, "tracking/unsubscribe.html", {"done": True})


# Like the one-click unsubscribe, these pages are authorised by the signature in their URL, not by a
# cookie or a session: a forged cross-site form could only do what the token's bearer can already do.
# Django's CSRF check would also fail here: under Referrer-Policy: no-referrer, browsers send
# "Origin: null" with the page's POST. A POST that the browser marks as sent from another site is
# refused all the same (Sec-Fetch-Site).
@csrf_exempt
@allow_methods(*PAGE_METHODS)
def tracking_off(request: HttpRequest, token: str) -> HttpResponse:
    """The withdrawal link of every tracked e-mail: GET shows one button, POST withdraws."""
    return _consent_page(request, token, given=False)


@csrf_exempt
@allow_methods(*PAGE_METHODS)
def tracking_on(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a consent e-mail: GET shows one button, POST records the consent."""
    return _consent_page(request, token, given=True)


def _consent_page(request: HttpRequest, token: str, *, given: bool) -> HttpResponse:
    claims = read_token(Purpose.TRACKING_ON if given else Purpose.TRACKING_OFF, token)
    if claims is None or claims.recipient_id is None:
        return invalid_link(request)
    template = "tracking/tracking_on.html" if given else "tracking/tracking_off.html"
    if request.method != "POST":
        # Only shows the button: link scanners and prefetchers follow GET links.
        return _page(request, template, {"done": False})
    if request.META.get("HTTP_SEC_FETCH_SITE") in ("cross-site", "same-site"):
        return _page(request, template, {"done": False, "refused": True}, status=403)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        text = str(CONSENT_TEXT if given else WITHDRAWAL_TEXT)
    try:
        # A deleted recipient's link answers as a success: nobody learns whether an address is known.
        record_tracking_consent(
            recipient_id=claims.recipient_id,
            given=given,
            source=ConsentSource.EMAIL_LINK if given else ConsentSource.WITHDRAWAL_LINK,
            text=text,
            text_version=TEXT_VERSION,
            language=language,
            message_id=claims.message_id,
        )
    except DatabaseError:
        logger.warning("tracking consent not stored: database unavailable", extra={"given": given})
        return _page(request, template, {"done": False, "failed": True}, status=503)
    return _page(request, template, {"done": True})


def invalid_link(request: HttpRequest) -> HttpResponse:
    return _page(request, "tracking/invalid_link.html", {}, status=400)


def _record_click_and_redirect(request: HttpRequest, claims: Claims, destination: str) -> HttpResponse:
    reason = click_machine_reason(request, sent_at=claims.sent_at)
    _record(EventKind.CLICK, claims, recipient_id=claims.recipient_id, machine_reason=reason, url=destination)
    return private_answer(TrackedRedirect(destination))


def _record(kind: EventKind, claims: Claims, *, recipient_id: int | None, machine_reason: str, url: str = "") -> None:
    # The reader gets the image or the destination even when the database is down.
    try:
        track_event(
            kind=kind, message_id=claims.message_id, recipient_id=recipient_id, machine_reason=machine_reason, url=url
        )
    except DatabaseError:
        logger.warning("tracking event not stored: database unavailable", extra={"kind": kind})


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200) -> HttpResponse:
    # These URLs have no language prefix; the reader's browser language chooses French or English.
    language = translation.get_language_from_request(request)
    with translation.override(language):
        context = {**context, "consent_text": CONSENT_TEXT, "withdrawal_text": WITHDRAWAL_TEXT}
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
    private(response)
    # Django's request log would write the path of a 4xx or 5xx with its token (a recipient ID); the
    # views log what matters themselves, without it.
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
    return response
