"""The site's URLs plus bare views to compare the real ones with, for benchmarks only.

Selected with ROOT_URLCONF=bench.floor_urls by every benchmark server (SERVER_ENV in bench/harness.py);
production never loads it. Each floor answers what its figure answers through the same middleware,
without the figure's own work: the trackers' bytes without a token check or a write, the home page's
bytes without rendering, and one raw INSERT of a consent record without parsing rules or a cookie.
"""

from __future__ import annotations

import json
import uuid

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, resolve
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from nocrm_site.urls import urlpatterns as site_urlpatterns
from tracking.views import pixel_response, private_answer

FLOOR_DESTINATION = "https://www.nocrm.io/tarifs/"

# The columns that record_consent's INSERT sets, in the same statement shape (one row, no RETURNING).
CONSENT_INSERT = """
INSERT INTO consent_consentrecord (consent_id, decision_id, decided_at, action, preferences, statistics,
    advertising, policy_revision, banner_hash, language, source, gpc, user_agent, page_path)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT DO NOTHING
"""


def bare_pixel(request: HttpRequest, token: str) -> HttpResponse:
    return pixel_response()


def bare_redirect(request: HttpRequest, token: str) -> HttpResponse:
    response = HttpResponse(status=302)
    response["Location"] = FLOOR_DESTINATION
    return private_answer(response)  # the same headers as the real redirect


class _Home:
    body: bytes | None = None


def bare_home(request: HttpRequest) -> HttpResponse:
    """The bytes of the home page as the real view rendered them for this process's first request."""
    if _Home.body is None:
        # Rendered as if this request were for "/": the page names its own URL (language links).
        saved = request.path, request.path_info, request.resolver_match
        request.path = request.path_info = "/"
        request.resolver_match = match = resolve("/")
        try:
            rendered = match.func(request, *match.args, **match.kwargs)
            if hasattr(rendered, "render"):  # a TemplateResponse
                rendered.render()
        finally:
            request.path, request.path_info, request.resolver_match = saved
        _Home.body = rendered.content
    return HttpResponse(_Home.body, content_type="text/html; charset=utf-8")


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    """One INSERT of a consent record's row shape, with the decision ID the client sent."""
    decision_id = json.loads(request.body)["decision_id"]
    with connection.cursor() as cursor:
        cursor.execute(
            CONSENT_INSERT,
            [
                uuid.uuid4(),
                decision_id,
                timezone.now(),
                "accept_all",
                True,
                True,
                True,
                1,
                "0" * 64,
                "fr",
                "banner",
                False,
                request.headers.get("User-Agent", "")[:256],
                "/",
            ],
        )
    return JsonResponse({"stored": True, "decision_id": decision_id})


urlpatterns = [
    path("floor/o/<str:token>", bare_pixel),
    path("floor/l/<str:token>", bare_redirect),
    # Answered under startproject's middleware: bench/floor_wsgi.py.
    path("floor/startproject/home", bare_home),
    path("floor/consent", bare_insert),
    *site_urlpatterns,
]
