"""The site's URLs plus a page with the tags a marketing site carries: GA4 and LinkedIn Insight gated on
their purposes, the Meta Pixel and a tracking image deliberately left ungated, and a page that never
loads in time. Their third parties are answered by tests/scanner/stubs.py."""

import time

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from nocrm_site.urls import urlpatterns as site_urls

PAGE = """{% extends "base.html" %}{% load consent %}
{% block content %}<h1>Démo des balises</h1>
{% consent "statistics" %}
<script src="https://www.googletagmanager.com/gtag/js?id=G-TEST123" async></script>{% endconsent %}
{% consent "advertising" %}
<script src="https://snap.licdn.com/li.lms-analytics/insight.min.js" async></script>{% endconsent %}
<script src="https://connect.facebook.net/en_US/fbevents.js" nonce="{{ request.csp_nonce }}" async></script>
<img src="https://cdn.pixel-inconnu.example/p.gif" alt="">
{% endblock %}"""


def tags_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(PAGE).render(request=request))


def slow_page(request: HttpRequest) -> HttpResponse:
    time.sleep(3)
    return HttpResponse("<p>enfin</p>")


urlpatterns = [path("balises/", tags_page), path("lente/", slow_page), *site_urls]
