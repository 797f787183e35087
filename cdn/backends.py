"""Sending one purge: HTTP PURGE of each URL to a cache (Varnish, Fastly), or Cloudflare's
purge-by-URL API (at most 30 URLs a call). Each raises PurgeFailed with a one-line reason."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from django.conf import settings

CLOUDFLARE_BATCH = 30  # Cloudflare's limit of URLs per purge call
TIMEOUT = httpx.Timeout(3.0, connect=1.0)


class PurgeFailed(Exception):
    pass


def purge_http(endpoint: str, urls: list[str]) -> None:
    """``PURGE <path>`` to ``endpoint`` for each URL, with the URL's host (the cache keys on the path)."""
    with httpx.Client(base_url=endpoint, timeout=TIMEOUT) as client:
        for url in urls:
            parts = urlsplit(url)
            try:
                answer = client.request("PURGE", parts.path or "/", headers={"Host": parts.netloc})
            except httpx.HTTPError as error:
                raise PurgeFailed(f"{endpoint}: {type(error).__name__} {error}") from error
            # 404: a cache (Fastly) that held no copy; nothing left to purge.
            if answer.status_code not in (200, 204, 404):
                raise PurgeFailed(f"{endpoint}: PURGE {parts.path} answered {answer.status_code}")


def purge_cloudflare(zone: str, urls: list[str]) -> None:
    """Cloudflare's ``POST /zones/{zone}/purge_cache`` with ``{"files": [...]}``, 30 URLs at a time."""
    api = settings.CDN_CLOUDFLARE_API_URL.rstrip("/")
    headers = {"Authorization": f"Bearer {settings.CDN_CLOUDFLARE_API_TOKEN}"}
    with httpx.Client(timeout=TIMEOUT, headers=headers) as client:
        for start in range(0, len(urls), CLOUDFLARE_BATCH):
            files = urls[start : start + CLOUDFLARE_BATCH]
            try:
                answer = client.post(f"{api}/zones/{zone}/purge_cache", json={"files": files})
                body = answer.json()
            except (httpx.HTTPError, ValueError) as error:
                raise PurgeFailed(f"Cloudflare: {type(error).__name__} {error}") from error
            if answer.status_code != 200 or not body.get("success"):
                errors = "; ".join(str(e.get("message", e)) for e in body.get("errors") or []) or "no reason given"
                raise PurgeFailed(f"Cloudflare answered {answer.status_code}: {errors}")
