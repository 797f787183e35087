"""manage.py scan_cookies: the site audits itself in headless Chromium, in every consent state.

Run by hand, or by the admin's "Scanner le site" button (``--scan <id>``, in a process of its own).
Needs the optional extra: pip install -r requirements-scan.txt and Debian's chromium.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scanner.models import Scan, Status
from scanner.pages import ScanRefused, check_base_url, check_reachable, normalise_pages, public_pages
from scanner.requirements import missing_requirements
from scanner.services import run_scan, start_scan
from scanner.states import all_states


def open_browser():
    """Chromium for this scan (tests replace it with their session's browser)."""
    from scanner import browser  # Playwright is imported here only, when a scan really runs

    return browser.launch()


class Command(BaseCommand):
    help = (
        "Visit every public page in each consent state with headless Chromium and report the cookies, storage"
        " keys and third-party calls that the declarations do not account for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=settings.SCAN_BASE_URL, help="Site to scan (SCAN_ALLOWED_HOSTS).")
        parser.add_argument("--pages", nargs="+", default=[], help="Paths to visit (default: sitemap or public pages).")
        parser.add_argument(
            "--states",
            nargs="+",
            choices=[s.slug for s in all_states()],
            default=[],
            help="Consent states to visit in (default: all of them).",
        )
        parser.add_argument("--timeout", type=float, default=settings.SCAN_PAGE_TIMEOUT, help="Seconds per page.")
        parser.add_argument("--scan", type=int, help="Run a scan already started from the admin (internal).")

    def handle(self, *args: object, **options: Any) -> None:
        missing = missing_requirements()
        scan_id: int | None = options["scan"]
        if missing:
            if scan_id:
                Scan.objects.filter(pk=scan_id, status=Status.RUNNING).update(status=Status.FAILED, error=missing)
            raise CommandError(missing)
        timeout = float(options["timeout"])
        if scan_id:
            scan = Scan.objects.filter(pk=scan_id, status=Status.RUNNING).first()
            if scan is None:
                raise CommandError(f"No running scan {scan_id}.")
        else:
            try:
                base_url = check_base_url(str(options["base_url"]))
                check_reachable(base_url, timeout)
                pages = normalise_pages(options["pages"], base_url)
                pages = pages or public_pages(base_url, timeout)
                scan = start_scan(base_url=base_url, pages=pages, states=options["states"])
            except ScanRefused as error:
                raise CommandError(str(error)) from error
        self.stdout.write(f"Scanning {scan.base_url}: {len(scan.pages) or '?'} pages x {len(scan.states)} states")
        with open_browser() as browser:
            scan = run_scan(scan, browser, timeout=timeout)
        if scan.status != Status.DONE:
            raise CommandError(f"Scan {scan.pk} failed: {scan.error}")
        self.report(scan)

    def report(self, scan: Scan) -> None:
        seconds = scan.duration.total_seconds() if scan.duration else 0
        self.stdout.write(f"{scan.visits_done} visits in {seconds:.1f} s; {scan.findings.count()} findings")
        for f in scan.findings.all():
            style = self.style.ERROR if f.severity >= 30 else self.style.WARNING if f.severity >= 20 else str
            where = f" [{f.state_label()}]" if f.state else ""
            self.stdout.write(style(f"{f.get_severity_display():9} {f.name}{where}: {f.message()}"))
        self.stdout.write(self.style.SUCCESS(f"Scan {scan.pk} stored; see it in the admin (Scanner de cookies)."))
