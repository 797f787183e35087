"""The site's URLs plus a sitemap that is not well-formed XML."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from nocrm_site.urls import urlpatterns as site_urls


def broken(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<urlset><url><loc>", content_type="application/xml")


urlpatterns = [path("sitemap.xml", broken), *site_urls]
