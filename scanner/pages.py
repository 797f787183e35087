"""Which site a scan may visit, whether it answers, and which of its pages are public.

The pages come from the site's sitemap.xml when it has one, else from the URL names of the public
pages (nocrm_site/urls.py) in every language. The base URL must be one of ``SCAN_ALLOWED_HOSTS``
(by default the site's own hosts), so that the admin's button cannot point a browser anywhere.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.http.request import validate_host
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from consent.visitor.cookie import cookie_name

# The public pages when the site has no sitemap: the URL names of nocrm_site/urls.py.
PUBLIC_PAGES = ("home", "features", "pricing", "contact", "legal", "privacy", "cookie-policy")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MAX_PAGES = 500


class ScanRefused(Exception):
    """The scan cannot start: the message says why, for the marketer or the command line."""


def check_base_url(base_url: str) -> str:
    """``base_url`` without its trailing slash; ScanRefused when it is not an allowed http(s) URL."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScanRefused(gettext("%(url)s n'est pas une adresse http:// ou https://.") % {"url": base_url})
    if not validate_host(parts.hostname, settings.SCAN_ALLOWED_HOSTS):
        raise ScanRefused(
            gettext(
                "%(host)s n'est pas dans SCAN_ALLOWED_HOSTS (%(allowed)s) : le scanner ne visite que les hôtes du site."
            )
            % {"host": parts.hostname, "allowed": ", ".join(settings.SCAN_ALLOWED_HOSTS) or "—"}
        )
    if parts.scheme == "http" and cookie_name().startswith("__Host-"):
        raise ScanRefused(
            gettext(
                "Le cookie de consentement %(name)s ne se pose qu'en https : scannez l'adresse https:// du site"
                " (en développement sans https, CONSENT_COOKIE_SECURE=0)."
            )
            % {"name": cookie_name()}
        )
    return f"{parts.scheme}://{parts.netloc}"


def fetch(url: str, timeout: float) -> tuple[int, bytes]:
    """GET ``url``: its status and body (an HTTP error's too); OSError when nothing answers."""
    request = urllib.request.Request(url, headers={"User-Agent": "noCRM cookie scanner"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read(5_000_000)
    except urllib.error.HTTPError as error:
        return error.code, b""


def check_reachable(base_url: str, timeout: float) -> None:
    """ScanRefused, with the reason, unless the site's home page answers."""
    try:
        status, _body = fetch(base_url + "/", timeout)
    except (OSError, ValueError) as error:
        raise ScanRefused(
            gettext("%(url)s ne répond pas : %(reason)s") % {"url": base_url, "reason": getattr(error, "reason", error)}
        ) from error
    if status >= 500:
        raise ScanRefused(
            gettext("%(url)s répond %(status)s sur sa page d'accueil.") % {"url": base_url, "status": status}
        )


def public_pages(base_url: str, timeout: float) -> list[str]:
    """The paths to visit: the sitemap's, or else every public page in every language."""
    return sitemap_paths(base_url, timeout) or named_pages()


def named_pages() -> list[str]:
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in PUBLIC_PAGES:
                try:
                    paths.append(reverse(name))
                except NoReverseMatch:
                    continue
    return list(dict.fromkeys(paths))


def sitemap_paths(base_url: str, timeout: float) -> list[str]:
    """The paths in ``/sitemap.xml`` (and the sitemaps it indexes, one level), or [] without one.

    Locations are read as paths on ``base_url``: a sitemap names the public origin, the scan may be of
    another allowed host (a staging server, the test server).
    """
    paths: list[str] = []
    pending, seen = [base_url + "/sitemap.xml"], set[str]()
    while pending and len(seen) < 20:
        url = pending.pop(0)
        seen.add(url)
        try:
            status, body = fetch(url, timeout)
            root = ElementTree.fromstring(body) if status == 200 else None
        except (OSError, ValueError, ElementTree.ParseError):
            root = None
        if root is None:
            continue
        for loc in root.iter(f"{SITEMAP_NS}loc"):
            parts = urlsplit((loc.text or "").strip())
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if root.tag == f"{SITEMAP_NS}sitemapindex":
                if urljoin(base_url, path) not in seen:
                    pending.append(urljoin(base_url, path))
            elif path.startswith("/"):
                paths.append(path)
    return list(dict.fromkeys(paths))[:MAX_PAGES]


def normalise_pages(pages: list[str], base_url: str) -> list[str]:
    """Paths given on the command line: "/tarifs/", or full URLs on the base URL's host."""
    host = urlsplit(base_url).netloc
    paths = []
    for page in pages:
        parts = urlsplit(page)
        if parts.netloc and parts.netloc != host:
            raise ScanRefused(gettext("%(page)s n'est pas sur %(host)s.") % {"page": page, "host": host})
        path = parts.path or "/"
        if not path.startswith("/"):
            path = "/" + path
        paths.append(path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(paths))
