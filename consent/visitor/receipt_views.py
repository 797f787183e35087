"""The visitor's receipts, the keys that check them, and the banner versions they point to.

A receipt is only ever given for the consent ID of the signed consent cookie: the URL names a
decision, and a decision of any other consent ID is answered 404 as if it did not exist. Requests
are rate-limited per client like decisions. See docs/decisions/0013-consent-receipts.md.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from consent.models import BannerVersion, DaySeal
from consent.visitor import cookie
from consent.visitor.receipt import build_receipt, history, readable, shown_version
from consent.visitor.receipt_keys import keyring, receipts_enabled
from consent.visitor.receipt_signature import sign
from ratelimit.clients import client_key
from ratelimit.services import register_hit

RATE_SCOPE = "consent-receipt"
RATE_WINDOW_SECONDS = 60


def keys_url() -> str:
    return settings.SITE_URL + reverse("consent:receipt-keys")


@require_safe
def receipt_keys(request: HttpRequest) -> HttpResponse:
    """The public keys of receipts (a JWKS), current and retired, for anyone to fetch."""
    response = JsonResponse(keyring().jwks())
    patch_cache_control(response, public=True, max_age=3600)
    response["Access-Control-Allow-Origin"] = "*"  # a verifier in any page may read public keys
    return response


@require_safe
def banner_version(request: HttpRequest, banner_hash: str) -> HttpResponse:
    """A stored banner version, inert, as the notice a receipt points to (the same bytes forever)."""
    version = get_object_or_404(BannerVersion, hash=banner_hash)
    response = render(request, "consent/banner_version.html", {"version": version})
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'self'; img-src 'self'"
    patch_cache_control(response, public=True, max_age=86400)
    return response


def _signed_receipt(request: HttpRequest, decision_id: uuid.UUID) -> dict[str, Any] | HttpResponse:
    """The signed receipt of one of this browser's decisions, or the answer that refuses it."""
    state = cookie.read(request)
    if state is None or not receipts_enabled():
        raise Http404
    if not register_hit(
        scope=RATE_SCOPE, client=client_key(request), limit=settings.CONSENT_RATE_LIMIT, window=RATE_WINDOW_SECONDS
    ):
        limited = HttpResponse(gettext("Trop de demandes de reçus : réessayez dans une minute."), status=429)
        limited["Retry-After"] = str(RATE_WINDOW_SECONDS)
        return limited
    records = history(state.consent_id)
    index = next((i for i, r in enumerate(records) if r.decision_id == decision_id), None)
    if index is None:
        raise Http404
    record = records[index]
    receipt = build_receipt(record, records[index - 1] if index else None, shown_version(record.banner_hash))
    return sign(receipt, keyring(), keys_url=keys_url())


@require_safe
def receipt_json(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    """The receipt file the visitor keeps: JSON-LD with its detached JWS."""
    receipt = _signed_receipt(request, decision_id)
    if isinstance(receipt, HttpResponse):
        return receipt
    body = json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    name = gettext("recu-consentement")  # the file's name, in the page's language
    response["Content-Disposition"] = f'attachment; filename="{name}-{decision_id}.json"'
    add_never_cache_headers(response)
    return response


@require_safe
def receipt_page(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    """The same receipt as a short page to read or print."""
    receipt = _signed_receipt(request, decision_id)
    if isinstance(receipt, HttpResponse):
        return receipt
    content = readable(receipt)
    # Paris days, as the seals (a test holds TIME_ZONE to the seals' zone); the proof is the back office's.
    day = timezone.localdate(content.decided_at)
    response = render(
        request,
        "consent/receipt.html",
        {
            "receipt": content,
            "sealed": DaySeal.objects.filter(day=day).exists(),
            "json_url": reverse("cookie-receipt-json", args=[decision_id]),
            "keys_url": keys_url(),
        },
    )
    add_never_cache_headers(response)
    return response
