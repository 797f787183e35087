"""The pages the cache in front keeps, purged when the declarations change: every page of the
sitemap in each language (they all carry the consent banner and dialog, and the cookie policy lists
the declarations). See cdn/ and docs/deployment.md."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cdn import worker
from cdn.services import endpoints, request_purge
from nocrm_site.seo import PAGES, absolute


def page_urls() -> list[str]:
    """The absolute URL (on SITE_URL) of every page of the sitemap, in each language."""
    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls += [absolute(reverse(name)) for name in PAGES]
    return urls


def purge_pages(*, everywhere: bool = True, **_kwargs: object) -> None:
    """Asks every configured cache to drop the pages; sent in the background, never blocking the save.

    Unless every server serves the change at once (``everywhere``: a shared cache took the deletion of
    the version token), a cache would store again a server's old copy: the pages are purged a second
    time once every server's copy has expired (CONSENT_DECLARATIONS_CACHE_SECONDS, and one more).
    """
    if not endpoints():
        return
    urls = page_urls()
    request_purge(urls=urls)
    if not everywhere:
        request_purge(urls=urls, delay=settings.CONSENT_DECLARATIONS_CACHE_SECONDS + 1)
    worker.kick()
