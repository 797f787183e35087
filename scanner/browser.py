"""The scan's browser side: headless Chromium (through Playwright) visits each page in each consent state.

The only module of the project that imports Playwright (an optional extra, requirements-scan.in): the
site runs without it. Each visit gets a fresh browser context (no cookies, no storage) holding the
state's consent cookie, so that what a page sets is what a first visit in that state sets.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from consent.visitor.cookie import cookie_name
from scanner.states import VisitState

# navigator.globalPrivacyControl, as a browser with GPC on exposes it (Sec-GPC goes in the headers).
GPC_SCRIPT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
STORAGE_KEYS = "() => [Object.keys(localStorage), Object.keys(sessionStorage)]"
# A page is settled once no request has been in flight for this long (seconds): consent.js starts
# granted scripts one after another, each after the previous one loaded.
QUIET = 0.2
SETTLE_AT_MOST = 3.0


@contextmanager
def launch() -> Iterator[Browser]:
    """Headless Chromium, the system's (SCAN_CHROMIUM_PATH), for the length of a scan."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.SCAN_CHROMIUM_PATH,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()


def related(host: str, site: str) -> bool:
    """Whether ``host`` is the site's own (the same host, a parent domain of it, or a subdomain)."""
    host, site = host.lstrip(".").lower(), site.lower()
    return host == site or site.endswith("." + host) or host.endswith("." + site)


def visit(
    browser: Browser,
    *,
    base_url: str,
    path: str,
    state: VisitState,
    revision: int,
    timeout: float,
    prepare: Callable[[BrowserContext], object] | None = None,
) -> dict:
    """One first visit of ``path`` in ``state``: what the browser holds and called, as plain data."""
    site = urlsplit(base_url).hostname or ""
    headers = {"Sec-GPC": "1"} if state.gpc else {}
    context = browser.new_context(base_url=base_url, extra_http_headers=headers, locale="fr-FR")
    try:
        if state.gpc:
            context.add_init_script(GPC_SCRIPT)
        if state.decided:
            context.add_cookies([{"name": cookie_name(), "value": state.cookie_value(revision), "url": base_url}])
        if prepare is not None:
            prepare(context)
        page = context.new_page()
        hosts: dict[str, str] = {}
        inflight: set[object] = set()
        page.on("request", lambda r: (inflight.add(r), hosts.setdefault(urlsplit(r.url).hostname or "", r.url)))
        page.on("requestfinished", lambda r: inflight.discard(r))
        page.on("requestfailed", lambda r: inflight.discard(r))
        result: dict = {"state": state.slug, "page": path, "status": None, "error": ""}
        seen_at = time.time()
        try:
            response = page.goto(path, wait_until="load", timeout=timeout * 1000)
            result["status"] = response.status if response else None
            _settle(page, inflight)
            local, session = page.evaluate(STORAGE_KEYS)
            seen_at = time.time()
        except PlaywrightError as error:
            result["error"] = str(error).splitlines()[0]
            local, session = [], []
        result["cookies"] = [_cookie(c, site, seen_at) for c in context.cookies()]
        result["local_storage"] = sorted(local)
        result["session_storage"] = sorted(session)
        result["hosts"] = {
            host: _without_query(url) for host, url in sorted(hosts.items()) if host and not related(host, site)
        }
        return result
    finally:
        context.close()


def _settle(page: Page, inflight: set[object]) -> None:
    deadline = time.monotonic() + SETTLE_AT_MOST
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if inflight:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET:
            return
        page.wait_for_timeout(25)


def _cookie(cookie: dict, site: str, seen_at: float) -> dict:
    expires = cookie.get("expires", -1)
    return {
        "name": cookie["name"],
        "domain": cookie["domain"],
        "path": cookie["path"],
        "expires": expires if expires > 0 else None,
        "days": round((expires - seen_at) / 86400, 3) if expires > 0 else None,
        "party": "first" if related(cookie["domain"], site) else "third",
        "http_only": cookie["httpOnly"],
        "secure": cookie["secure"],
        "same_site": cookie["sameSite"],
    }


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
