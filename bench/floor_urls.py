"""The site's URLs plus bare views that answer the same bytes as the trackers, for benchmarks only.

Selected with ROOT_URLCONF=bench.floor_urls by bench/tracking.py's server; production never loads it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from nocrm_site.urls import urlpatterns as site_urlpatterns
from tracking.views import PIXEL, PIXEL_CACHE_CONTROL, PRIVATE_HEADERS

FLOOR_DESTINATION = "https://www.nocrm.io/tarifs/"


def bare_pixel(request: HttpRequest, token: str) -> HttpResponse:
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = PIXEL_CACHE_CONTROL
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    response["X-Robots-Tag"] = "noindex"
    return response


def bare_redirect(request: HttpRequest, token: str) -> HttpResponse:
    response = HttpResponse(status=302)
    response["Location"] = FLOOR_DESTINATION
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


urlpatterns = [
    path("floor/o/<str:token>", bare_pixel),
    path("floor/l/<str:token>", bare_redirect),
    *site_urlpatterns,
]
