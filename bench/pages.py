"""What every visitor meets: the home page and ``POST /consent/`` against their floors, and what a new
visitor's browser loads before a choice.

    .venv/bin/python bench/pages.py        # BENCH_SECONDS=1 for a quick smoke run (figures are then noisy)

The floors (bench/floor_urls.py) answer the home page's bytes without rendering and store a decision
with one raw INSERT, so a ratio shows what our own code costs on this machine. Decisions are also
checked against the consent log: every 2xx answer must be a complete row, once. The consent UI's
weight is taken from the collected static files, since a browser receives those (minified and
compressed by the static pipeline), not the sources; its budget is consent/visitor/assets.py's.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    CONNECTIONS,
    PAIRS,
    SECONDS,
    Compared,
    Load,
    alternate,
    demo_site,
    fetch,
    gunicorn,
    holds,
    page_banner,
    parse,
    print_figures,
    rate_row,
    wrk,
    wrk_command,
)
from consent.visitor.assets import UI_BUDGET_BYTES, served_sizes  # noqa: E402

# Issue 17: a page costs no more than the cheapest Django view, and a revalidation much less than a page.
HOME_TARGET = 1.0
REVALIDATION_TARGET = 1.5
HOME_FLOOR = "/floor/startproject/home"
APP = "bench.floor_wsgi:application"  # the site, and the home page's floor under startproject's middleware
CONSENT_TARGET = 0.85
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
GTM_HOST = "https://www.googletagmanager.com/"


# --- decisions and the consent log ---------------------------------------------------------------


@dataclass
class Records:
    """A consent load's decisions as answered by the server and as stored in the log."""

    acked: int  # distinct decision IDs answered 2xx
    stored: int  # rows with this run's decision IDs
    missing: int  # answered 2xx, not in the log: must be 0
    unanswered: int  # in the log, answer never read (in flight when wrk stopped or the worker died)
    duplicates: int  # rows beyond one per decision ID: must be 0
    incomplete: int  # rows not exactly as sent: must be 0


class ConsentLoad:
    """wrk runs of bench/post_consent.lua, each with its own decision ID prefix, checked against the log."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.records: list[Records] = []

    def start(self, url: str, *, seconds: int, resend: int = 0) -> tuple[subprocess.Popen, str]:
        run = secrets.token_hex(4)
        parts = urlsplit(url)
        banner = page_banner(f"{parts.scheme}://{parts.netloc}")
        cmd = wrk_command(url, seconds=seconds, lua=[run, str(self.workdir / run), str(resend), banner])
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), run

    def finish(self, process: subprocess.Popen, run: str) -> tuple[Load, Records]:
        output, errors = process.communicate(timeout=60)
        if process.returncode:
            raise RuntimeError(f"wrk failed: {errors}")
        time.sleep(0.5)  # requests in flight when wrk stopped reach the database
        return parse(output), self.check(run)

    def run(self, url: str, *, seconds: int = SECONDS, keep: bool = True) -> Load:
        load, records = self.finish(*self.start(url, seconds=seconds))
        if keep:
            self.records.append(records)
        return load

    def check(self, run: str) -> Records:
        from django.db import connections

        connections.close_all()  # the database may have restarted since the last query
        acked = set((self.workdir / run).read_text().split())
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT decision_id::text, action = 'accept_all' AND preferences AND statistics AND advertising"
                " AND length(banner_hash) = 64 AND page_path = '/' FROM consent_consentrecord"
                " WHERE decision_id::text LIKE %s",
                [run + "-%"],
            )
            rows = cursor.fetchall()
        stored = {decision for decision, _complete in rows}
        return Records(
            acked=len(acked),
            stored=len(rows),
            missing=len(acked - stored),
            unanswered=len(stored - acked),
            duplicates=len(rows) - len(stored),
            incomplete=sum(not complete for _decision, complete in rows),
        )


def total(records: list[Records]) -> Records:
    return Records(*(sum(getattr(r, name) for r in records) for name in Records.__dataclass_fields__))


def records_hold(r: Records, *, in_flight: int) -> bool:
    return r.missing == 0 and r.duplicates == 0 and r.incomplete == 0 and r.unanswered <= in_flight


# --- throughput against the floors ---------------------------------------------------------------


@dataclass
class Rates:
    """The home page and decisions against their floors, and this load's decisions in the log."""

    floor_bytes: str
    home: Compared
    returning: Compared
    revalidation: Compared
    consent: Compared
    records: Records


def measure_rates(base: str, workdir: Path) -> Rates:
    floor_bytes = same_bytes(base)
    cookie = f"Cookie: {consent_cookie(base)}"
    consent = ConsentLoad(workdir)
    for warm in ("/", HOME_FLOOR):
        wrk(base + warm, seconds=1)
    print("home page, new visitor", flush=True)
    home = alternate(lambda: wrk(base + "/"), lambda: wrk(base + HOME_FLOOR))
    print("home page, returning visitor", flush=True)
    returning = alternate(lambda: wrk(base + "/", headers=(cookie,)), lambda: wrk(base + HOME_FLOOR, headers=(cookie,)))
    print("home page, revalidation (304)", flush=True)
    etag = f"If-None-Match: {fetch(base + '/')[1]['ETag']}"
    revalidation = alternate(lambda: wrk(base + "/", headers=(etag,)), lambda: wrk(base + "/"))
    print("POST /consent/", flush=True)
    consent.run(base + "/consent/", seconds=1, keep=False)
    consent.run(base + "/floor/consent", seconds=1, keep=False)
    decisions = alternate(
        lambda: consent.run(base + "/consent/"), lambda: consent.run(base + "/floor/consent", keep=False)
    )
    return Rates(
        floor_bytes=floor_bytes,
        home=home,
        returning=returning,
        revalidation=revalidation,
        consent=decisions,
        records=total(consent.records),
    )


def same_bytes(base: str) -> str:
    """The home page floor answers the bytes of the home page."""
    page, floor = fetch(base + "/")[2], fetch(base + HOME_FLOOR)[2]
    assert page == floor, "the floor does not answer the home page's bytes"
    return f"{len(floor):,} bytes, identical to `/`"


def consent_cookie(base: str) -> str:
    """A returning visitor's cookie: the one the server sets for an "accept all"."""
    status, headers, _body = fetch(
        base + "/consent/",
        data=json.dumps({"action": "accept_all", "banner": page_banner(base)}).encode(),
        headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"},
    )
    assert status == 200, status
    (value,) = (
        c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") if c.split("=", 1)[0].endswith("nocrm_consent")
    )
    return value


def rate_rows(rates: Rates) -> list[str]:
    c = rates.records
    returning = "home page `/`, returning visitor (consent cookie)"
    revalidated = "home page `/`, revalidation (`If-None-Match`, 304)"
    return [
        rate_row(
            "home page `/`, new visitor", rates.home, HOME_TARGET, "bare view, same bytes, startproject's middleware"
        ),
        rate_row(returning, rates.returning, HOME_TARGET, "same floor, same cookie"),
        rate_row(revalidated, rates.revalidation, REVALIDATION_TARGET, "the 200 of `/`"),
        rate_row("`POST /consent/` (JSON, accept all)", rates.consent, CONSENT_TARGET, "bare view, one raw INSERT"),
        f"| `POST /consent/`: records stored = 2xx answers | {c.acked:,} decisions answered 2xx, {c.stored:,} rows;"
        f" missing {c.missing}, twice {c.duplicates}, stored but unanswered (in flight as wrk stopped) {c.unanswered}"
        f" | — | — | no record missing | {holds(records_hold(c, in_flight=PAIRS * CONNECTIONS))} |",
    ]


# --- a new visitor's browser ---------------------------------------------------------------------


@dataclass
class Browser:
    """What a new visitor's Chromium requested on the home page before a choice, and the consent UI's weight."""

    base: str
    requests: list[str]
    banner: bool  # shown
    weight: dict[str, int]  # bytes received, by file of UI_FILES


def measure_browser(base: str) -> Browser:
    print("a new visitor's requests in Chromium", flush=True)
    requested, banner = page_requests(base)
    return Browser(base=base, requests=requested, banner=banner, weight=served_sizes())


def page_requests(base: str) -> tuple[list[str], bool]:
    """The URLs a new visitor's browser requests on the home page before any choice; banner shown?"""
    from playwright.sync_api import Route, sync_playwright

    def gtm_stub(route: Route) -> None:
        route.fulfill(status=200, content_type="application/javascript", body="/* gtm.js stub */")

    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(locale="fr-FR")
            context.on("request", lambda r: requested.append(r.url))
            context.route(re.compile("^" + re.escape(GTM_HOST)), gtm_stub)
            # Nothing else may leave the machine; whatever would is still listed above.
            context.route(re.compile(f"^(?!{re.escape(base)}/)(?!{re.escape(GTM_HOST)})"), lambda r: r.abort())
            page = context.new_page()
            page.goto(base + "/", wait_until="load")
            page.wait_for_timeout(1500)  # deferred scripts, GTM, anything they fetch
            banner = page.locator("#cc-banner").is_visible()
        finally:
            browser.close()
    return requested, banner


def browser_rows(b: Browser) -> list[str]:
    weight = sum(b.weight.values())
    first = [u for u in b.requests if u.startswith(b.base + "/")]
    gtm = [u for u in b.requests if u.startswith(GTM_HOST)]
    others = [u for u in b.requests if u not in first and u not in gtm]
    return [
        f"| consent JavaScript + CSS, gzip -9 | {weight:,} B ({', '.join(f'{n} {s:,} B' for n, s in b.weight.items())})"
        f" | — | — | ≤ {UI_BUDGET_BYTES / 1024:g} KB ({UI_BUDGET_BYTES:,} B) | {holds(weight <= UI_BUDGET_BYTES)} |",
        # GTM in its default (basic) mode waits for the visitor to grant statistics.
        f"| requests of a new visitor's home page before a choice (Chromium, GTM configured) | {len(b.requests)}:"
        f" {len(first)} first-party, {len(gtm)} GTM, {len(others)} other; banner shown: {b.banner} | — | — |"
        f" first-party only | {holds(not others and not gtm and b.banner)} |",
    ]


def main() -> None:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="nocrm-bench-pages-") as workdir,
        demo_site() as env,
        gunicorn(env, app="bench.floor_wsgi:application") as base,
    ):
        rates = measure_rates(base, Path(workdir))
        browser = measure_browser(base)
    print_figures(rate_rows(rates) + browser_rows(browser), started=started, load_before=load_before)
    print(f"Home page floor: {rates.floor_bytes}.")
    print("Requests of the new visitor's page:", *(u.replace(browser.base, "") for u in browser.requests), sep="\n  ")


if __name__ == "__main__":
    main()
