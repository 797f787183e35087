"""The cookie scanner over the whole site: every public page in every consent state, against gunicorn.

    .venv/bin/python bench/scan.py

Runs the scan as the admin's button does (scanner.services.run_scan in headless Chromium, the pages
from the sitemap or the public URL names), against the production server of bench/harness.py. GTM is
configured there; its host is answered by a local stub and every other third party is refused in the
browser, so nothing leaves the machine. The target: under 60 s on 2 CPUs.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import demo_site, gunicorn, holds, print_figures  # noqa: E402

TARGET_SECONDS = 60
GTM_HOST = "https://www.googletagmanager.com/"


@dataclass
class ScanFigure:
    seconds: float
    pages: int
    states: int
    visits: int
    findings: int
    status: str


# The server speaks plain HTTP, where browsers refuse the __Host- consent cookie: both sides drop it.
PLAIN_HTTP = {"CONSENT_COOKIE_SECURE": "0"}


def measure(base: str) -> ScanFigure:
    """One full scan of ``base``, a server started with PLAIN_HTTP (a fresh browser, as the background
    process starts one)."""
    from django.test import override_settings

    from scanner.services import run_scan, start_scan

    def stub_third_parties(context) -> None:
        context.route(re.compile("^" + re.escape(GTM_HOST)), lambda r: r.fulfill(body="/* gtm */"))
        context.route(re.compile(f"^(?!{re.escape(base)}/)(?!{re.escape(GTM_HOST)})"), lambda r: r.abort())

    print("a full cookie scan", flush=True)
    started = time.monotonic()
    with override_settings(CONSENT_COOKIE_SECURE=False):
        scan = start_scan(base_url=base)
        scan = run_scan(scan, prepare=stub_third_parties)  # launches its Chromium in a thread of its own
    return ScanFigure(
        seconds=time.monotonic() - started,
        pages=len(scan.pages),
        states=len(scan.states),
        visits=scan.visits_done,
        findings=scan.findings.count(),
        status=scan.status,
    )


def rows(f: ScanFigure) -> list[str]:
    return [
        f"| cookie scan of the whole site (`scan_cookies`: {f.pages} public pages × {f.states} consent states,"
        f" Chromium launched included) | {f.seconds:.1f} s, {f.visits} visits, {f.findings} findings ({f.status})"
        f" | — | — | < {TARGET_SECONDS} s | {holds(f.status == 'done' and f.seconds < TARGET_SECONDS)} |"
    ]


def main() -> None:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with demo_site() as env, gunicorn({**env, **PLAIN_HTTP}) as base:
        figure = measure(base)
    print_figures(rows(figure), started=started, load_before=load_before)


if __name__ == "__main__":
    main()
