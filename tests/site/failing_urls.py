"""A URL whose view fails, to see what production answers then (tests/site/test_error_pages.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]
