"""The site's URLs plus two pages that gate third parties answered by local stubs.

``/gating/`` gates stub scripts and a frame on each purpose; ``/nested/`` nests a statistics block in
an advertising one. ``/snippets/`` holds the stock snippets
that marketers paste (Meta Pixel and LinkedIn Insight with their ``<noscript>`` pixels, a YouTube
frame, HubSpot's loader, a third-party stylesheet, a preload), each in ``{% consent %}``. HubSpot's
loader says ``https://`` where its snippet starts with ``//``: the live server speaks plain HTTP.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from nocrm_site.urls import urlpatterns as site_urls
from tests.snippets import LINKEDIN_INSIGHT, META_PIXEL

PAGE = """{% extends "base.html" %}{% load consent site %}
{% block head %}<script>{% inline_script %}window.__order = [];{% endinline_script %}</script>{% endblock %}
{% block content %}<h1>Démo des balises</h1>
{% consent "preferences" %}<script src="https://stub.example/prefs.js"></script>{% endconsent %}
{% consent "statistics" %}<script src="https://stub.example/stats1.js"></script>
<script>window.__order.push("inline");</script>
<script src="https://stub.example/stats2.js"></script>{% endconsent %}
{% consent "advertising" %}<script src="https://stub.example/ads.js" async></script>{% endconsent %}
{% consent "advertising" provider="YouTube" %}
<iframe src="https://stub.example/embed" title="Vidéo de démonstration"></iframe>{% endconsent %}
{% endblock %}"""

SNIPPETS = (
    """{% extends "base.html" %}{% load consent %}
{% block content %}<h1>Extraits</h1>
{% consent "advertising" provider="Meta" %}"""
    + META_PIXEL
    + """{% endconsent %}
{% consent "preferences" provider="HubSpot" %}
<script type="text/javascript" id="hs-script-loader" async defer src="https://js.hs-scripts.com/1234567.js"></script>
<link rel="stylesheet" href="https://fonts.stub.example/css2?family=Inter">
{% endconsent %}
{% consent "statistics" %}<link rel="preload" href="https://cdn.stub.example/lib.js" as="script">{% endconsent %}
{% consent "advertising" provider="LinkedIn" %}"""
    + LINKEDIN_INSIGHT
    + """{% endconsent %}
{% consent "advertising" provider="YouTube" %}
<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
 title="YouTube video player" allow="encrypted-media; picture-in-picture" allowfullscreen></iframe>
{% endconsent %}
{% endblock %}"""
)


# A statistics block nested in an advertising one: each comes back under its own purpose, once.
NESTED = """{% extends "base.html" %}{% load consent site %}
{% block head %}<script>{% inline_script %}window.__order = [];{% endinline_script %}</script>{% endblock %}
{% block content %}<h1>Blocs imbriqués</h1>
{% consent "advertising" %}<a id="ads-box" href="#vu" ping="https://stub.example/box.png">Vu
{% consent "statistics" %}<script src="https://stub.example/stats2.js"></script>{% endconsent %}
<script src="https://stub.example/ads.js"></script></a>{% endconsent %}
{% endblock %}"""


def nested_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(NESTED).render(request=request))


def gating_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(PAGE).render(request=request))


def snippets_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(SNIPPETS).render(request=request))


urlpatterns = [
    path("gating/", gating_page),
    path("snippets/", snippets_page),
    path("nested/", nested_page),
    *site_urls,
]
