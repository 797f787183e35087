"""Which URLs a tracked link may redirect to: absolute http(s) URLs, nothing a browser reads otherwise.

The signature already says *which* URL; this check says that the URL is one a browser and Python
read the same way, so that a link cannot be turned into an open redirect or a header injection.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_URL_BYTES = 8192
SCHEMES = ("http", "https")
# A host name in ASCII (IDN hosts in their xn-- form), or an IPv6 literal. No IDN dots such as
# U+3002, no percent-encoding, no backslash: what Python and browsers could read differently.
HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
)
IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+\]$")
# Control characters, spaces of every kind, backslash: never in a URL we send.
FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\\s\u200b-\u200f\u2028\u2029\u2060\ufeff]")


def safe_destination(url: object) -> str | None:
    """``url`` unchanged if a redirect may send the browser there, else None."""
    if not isinstance(url, str) or not url or len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        return None
    if FORBIDDEN.search(url):
        return None
    scheme, sep, rest = url.partition("://")
    # The scheme exactly as written ("https:evil.com", "https:/x", "HTTPS://" aside) and two slashes.
    if not sep or scheme.lower() not in SCHEMES or rest.startswith("/"):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in range)
    except ValueError:
        return None
    netloc = parts.netloc
    if not netloc or "@" in netloc or "%" in netloc:
        return None
    if netloc.startswith("["):
        host = netloc.partition("]")[0] + "]"
        if not IPV6.match(host):
            return None
    elif not HOST.match(netloc.rpartition(":")[0] if ":" in netloc else netloc):
        return None
    return url
