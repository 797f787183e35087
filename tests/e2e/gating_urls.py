"""The site's URLs plus one page that gates stub third-party scripts and a frame on each purpose."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from nocrm_site.urls import urlpatterns as site_urls

PAGE = """{% extends "base.html" %}{% load consent %}
{% block head %}<script nonce="{{ request.csp_nonce }}">window.__order = [];</script>{% endblock %}
{% block content %}<h1>Démo des balises</h1>
{% consent "preferences" %}<script src="https://stub.example/prefs.js"></script>{% endconsent %}
{% consent "statistics" %}<script src="https://stub.example/stats1.js"></script>
<script>window.__order.push("inline");</script>
<script src="https://stub.example/stats2.js"></script>{% endconsent %}
{% consent "advertising" %}<script src="https://stub.example/ads.js" async></script>{% endconsent %}
{% consent "advertising" provider="YouTube" %}
<iframe src="https://stub.example/embed" title="Vidéo de démonstration"></iframe>{% endconsent %}
{% endblock %}"""


def gating_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(PAGE).render(request=request))


urlpatterns = [path("gating/", gating_page), *site_urls]
