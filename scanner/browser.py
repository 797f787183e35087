"""The scan's browser side: headless Chromium (through Playwright) visits each page in each consent state.

The only module of the project that imports Playwright (an optional extra, requirements-scan.in): the
site runs without it. Each visit starts with no cookie but the state's consent cookie and with the
site's storage empty, so that what a page sets is what a first visit in that state sets.

Playwright's sync API keeps an asyncio event loop running in the thread that starts it, and Django
refuses ORM calls from a thread where a loop runs. So the browser lives in a thread of its own
(``visits_in_thread``), which touches no model, and hands each visit to the caller's thread, which
does all the database work.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Cookie, Request, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from consent.visitor.cookie import cookie_name
from scanner.states import VisitState

# navigator.globalPrivacyControl, as a browser with GPC on exposes it (Sec-GPC goes in the headers).
GPC_SCRIPT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
STORAGE_KEYS = "() => [Object.keys(localStorage), Object.keys(sessionStorage)]"
CLEAR_STORAGE = "() => { localStorage.clear(); sessionStorage.clear(); }"
# A page is settled once no request has been in flight for this long (seconds): consent.js starts
# granted scripts one after another, each after the previous one loaded.
QUIET = 0.2
SETTLE_AT_MOST = 3.0
_DONE = object()  # the end of a thread's visits


def visits_in_thread(
    *,
    base_url: str,
    paths: list[str],
    states: list[VisitState],
    revision: int,
    timeout: float,
    prepare: Callable[[BrowserContext], object] | None = None,
    pulse: float = 10.0,
) -> Iterator[dict | None]:
    """Every visit of ``paths`` in each of ``states``, made by a Chromium of its own in a thread of its
    own; yields None when no visit came for ``pulse`` seconds, so that the caller can show it is alive.

    An error of the browser (Chromium missing, crashed) is raised here, in the caller's thread. Leaving
    the loop early stops the browser after the visit in progress."""
    results: queue.Queue = queue.Queue()
    stopping = threading.Event()

    def browse() -> None:
        try:
            with launch() as browser:
                for state in states:
                    for visit in visit_state(
                        browser,
                        base_url=base_url,
                        paths=paths,
                        state=state,
                        revision=revision,
                        timeout=timeout,
                        prepare=prepare,
                    ):
                        results.put(visit)
                        if stopping.is_set():
                            return
        except BaseException as error:  # handed to the caller, who decides
            results.put(error)
        finally:
            results.put(_DONE)

    worker = threading.Thread(target=browse, name="scan-browser", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = results.get(timeout=pulse)
            except queue.Empty:
                yield None
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopping.set()
        worker.join(timeout=timeout + SETTLE_AT_MOST + 5)


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


def visit_state(
    browser: Browser,
    *,
    base_url: str,
    paths: list[str],
    state: VisitState,
    revision: int,
    timeout: float,
    prepare: Callable[[BrowserContext], object] | None = None,
) -> Iterator[dict]:
    """A first visit of each path in ``state``: what the browser held and called, as plain data.

    One browser context and tab serve the state's visits (a new tab costs a renderer process); between
    two visits its cookies and the site's storage are emptied, and the HTTP cache is off, so each visit
    starts as a first one and every request it makes is seen.
    """
    site = urlsplit(base_url).hostname or ""
    headers = {"Sec-GPC": "1"} if state.gpc else {}
    context = browser.new_context(base_url=base_url, extra_http_headers=headers, locale="fr-FR")
    try:
        if state.gpc:
            context.add_init_script(GPC_SCRIPT)
        if prepare is not None:
            prepare(context)
        tab = Tab(context)
        for path in paths:
            context.clear_cookies()
            if state.decided:
                context.add_cookies([{"name": cookie_name(), "value": state.cookie_value(revision), "url": base_url}])
            result = tab.visit(path, timeout)
            result["state"] = state.slug
            result["cookies"] = [_cookie(c, site, time.time()) for c in context.cookies()]
            result["hosts"] = {
                host: _without_query(url) for host, url in sorted(tab.hosts.items()) if not related(host, site)
            }
            yield result
            if result["error"]:
                tab.close()  # its navigation may still be going on
                tab = Tab(context)
    finally:
        context.close()


class Tab:
    """A browser tab that counts its requests in flight and notes the hosts it called."""

    def __init__(self, context: BrowserContext) -> None:
        self.page = context.new_page()
        context.new_cdp_session(self.page).send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.hosts: dict[str, str] = {}
        self.inflight: set[object] = set()
        self.page.on("request", self._started)
        self.page.on("requestfinished", lambda request: self.inflight.discard(request))
        self.page.on("requestfailed", lambda request: self.inflight.discard(request))

    def _started(self, request: Request) -> None:
        self.inflight.add(request)
        host = urlsplit(request.url).hostname
        if host:
            self.hosts.setdefault(host, request.url)

    def visit(self, path: str, timeout: float) -> dict:
        self.hosts.clear()
        result: dict = {"page": path, "status": None, "error": "", "local_storage": [], "session_storage": []}
        try:
            response = self.page.goto(path, wait_until="load", timeout=timeout * 1000)
            result["status"] = response.status if response else None
            self._settle()
            local, session = self.page.evaluate(STORAGE_KEYS)
            result |= {"local_storage": sorted(local), "session_storage": sorted(session)}
            self.page.evaluate(CLEAR_STORAGE)
        except PlaywrightError as error:
            result["error"] = str(error).splitlines()[0]
        return result

    def _settle(self) -> None:
        deadline = time.monotonic() + SETTLE_AT_MOST
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if self.inflight:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET:
                return
            self.page.wait_for_timeout(25)

    def close(self) -> None:
        self.page.close()


def _cookie(cookie: Cookie, site: str, seen_at: float) -> dict:
    expires = cookie.get("expires") or -1
    return {
        "name": cookie.get("name", ""),
        "domain": cookie.get("domain", ""),
        "path": cookie.get("path", "/"),
        "expires": expires if expires > 0 else None,
        "days": round((expires - seen_at) / 86400, 3) if expires > 0 else None,
        "party": "first" if related(cookie.get("domain", ""), site) else "third",
        "http_only": cookie.get("httpOnly", False),
        "secure": cookie.get("secure", False),
        "same_site": cookie.get("sameSite", ""),
    }


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
