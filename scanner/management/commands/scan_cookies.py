"""manage.py scan_cookies: the site audits itself in headless Chromium, in every consent state.

Run by hand, or by the admin's "Scanner le site" button (``--scan <id>``, in a process of its own,
which writes whatever stops it on the scan's page). Needs the optional extra: pip install -r
requirements-scan.txt and Debian's chromium.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scanner.models import Scan, Status
from scanner.pages import ScanRefused, check_base_url, check_reachable, normalise_pages, public_pages
from scanner.requirements import missing_requirements
from scanner.services import fail_scan, run_scan, start_scan
from scanner.states import all_states


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
        scan_id: int | None = options["scan"]
        timeout = float(options["timeout"])
        if scan_id:
            scan = Scan.objects.filter(pk=scan_id, status=Status.RUNNING).first()
            if scan is None:
                raise CommandError(f"No running scan {scan_id}.")
        else:
            scan = self.start(options, timeout)
        try:
            self.scan(scan, timeout)
        except BaseException as error:  # for the button's process, the scan's page is where a marketer looks
            fail_scan(scan, str(error) if isinstance(error, CommandError) else f"{type(error).__name__}: {error}")
            raise

    def start(self, options: dict[str, Any], timeout: float) -> Scan:
        missing = missing_requirements()
        if missing:
            raise CommandError(missing)
        try:
            base_url = check_base_url(str(options["base_url"]))
            check_reachable(base_url, timeout)
            pages = normalise_pages(options["pages"], base_url) or public_pages(base_url, timeout)
            return start_scan(base_url=base_url, pages=pages, states=options["states"])
        except ScanRefused as error:
            raise CommandError(str(error)) from error

    def scan(self, scan: Scan, timeout: float) -> None:
        missing = missing_requirements()
        if missing:
            raise CommandError(missing)
        self.stdout.write(f"Scanning {scan.base_url}: {len(scan.pages) or '?'} pages x {len(scan.states)} states")
        scan = run_scan(scan, timeout=timeout)
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
