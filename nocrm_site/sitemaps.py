"""``/sitemap.xml``: every public page in each language, with its alternates and x-default."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from nocrm_site.seo import PAGES


class PageSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[str]:
        return list(PAGES)

    def location(self, item: str) -> str:
        return reverse(item)

    # The public origin from SITE_URL, never the request's Host (docs/decisions/0008).
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


SITEMAPS = {"pages": PageSitemap}
