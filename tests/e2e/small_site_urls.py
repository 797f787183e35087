"""The site's URLs with a sitemap naming two pages, one of which takes three seconds: a whole-site scan
(the admin's button) stays short, and lasts long enough to be killed on its way."""

from django.http import HttpResponse
from django.urls import path

from tests.e2e.scanner_urls import urlpatterns as scanner_urls

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.nocrm.io/</loc></url>
<url><loc>https://www.nocrm.io/lente/</loc></url>
</urlset>"""


def sitemap(request):
    return HttpResponse(SITEMAP, content_type="application/xml")


urlpatterns = [path("sitemap.xml", sitemap), *scanner_urls]
