"""The site's URLs plus a sitemap index and the sitemap it lists, naming the public origin."""

from django.http import HttpResponse
from django.urls import path

from nocrm_site.urls import urlpatterns as site_urls

INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.nocrm.io/sitemap-pages.xml</loc></sitemap>
</sitemapindex>"""
PAGES = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.nocrm.io/</loc></url>
<url><loc>https://www.nocrm.io/tarifs/</loc></url>
<url><loc>https://www.nocrm.io/en/pricing/</loc></url>
<url><loc>https://www.nocrm.io/tarifs/</loc></url>
</urlset>"""


def xml(body: str):
    return lambda request: HttpResponse(body, content_type="application/xml")


urlpatterns = [path("sitemap.xml", xml(INDEX)), path("sitemap-pages.xml", xml(PAGES)), *site_urls]
