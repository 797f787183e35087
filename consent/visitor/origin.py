"""The guard of the consent endpoints: POST only, from our own pages, with a small body.

The pages carry no per-visitor token (they stay cacheable), so Django's CSRF check is replaced by a
same-origin check: see docs/decisions/0002-cacheable-pages-and-csp.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guards.csp import non_document
from guards.origin import is_same_origin

MAX_BODY = 4096


def same_origin_post(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """POST only, from our own pages (``is_same_origin``), with a body of at most ``MAX_BODY`` bytes.

    The answers are JSON or a redirect, never a page: they carry the fixed policy of such answers."""

    @csrf_exempt
    @non_document
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        if not is_same_origin(request):
            return JsonResponse({"error": "cross-site request refused"}, status=403)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
            return JsonResponse({"error": f"body over {MAX_BODY} bytes"}, status=413)
        return view(request)

    return wrapper
