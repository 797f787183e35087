"""`make bench`: the site under load on this machine, each figure beside a floor measured in the same run.

    .venv/bin/python bench/run.py          # BENCH_SECONDS=1 BENCH_RECORDS=20000 for a quick smoke run

Builds what production serves (compiled messages, collected static files), starts a throwaway
PostgreSQL 18 with the demo declarations and gunicorn as in production (sync workers, 2 per CPU + 1,
DEBUG off) on 127.0.0.1 only, and drives it with wrk: each figure six times, alternating with its
floor (bench/floor_urls.py), medians reported. All the figures come from one server so that they
describe the same machine at the same time; each concern also runs alone:

- bench/pages.py: the home page and ``POST /consent/`` against their floors, a new visitor in Chromium
- bench/tracking.py: the e-mail trackers and their events
- bench/faults.py: PostgreSQL stopped during a load, a worker killed
- bench/backoffice.py: the export of 1,000,000 records (BENCH_RECORDS), in its own process and cluster
- bench/scan.py: a full cookie scan (every public page in every consent state), in its own server
- bench/page_build.py: the time to build every public page (and the gated vendor blocks), in process
- bench/receipts.py: the settings page with a visitor's history and the consent receipt download
- bench/stack.py: `make stack`'s engines (Varnish, HAProxy, two servers, Redis): pages through the
  cache, decisions through the balancer, an admin save to the front, failover; its own section

bench/harness.py holds what they share (the servers, wrk, paired runs) and bench/report.py writes
bench/RESULTS.md from the figures.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import backoffice, faults, page_build, pages, receipts, scan, stack, tracking  # noqa: E402
from bench.harness import demo_site, gunicorn, gunicorn_pids, port_of  # noqa: E402
from bench.report import RESULTS, Figures, kept_sections, replace_section, report, versions  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))  # consent records for the export benchmark


def main() -> None:
    started = time.monotonic()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="nocrm-bench-run-", ignore_cleanup_errors=True) as scratch:
        workdir = Path(scratch)
        with demo_site() as env:
            built = page_build.measure()  # in this process, before any server competes for the CPUs
            pixel, click, message_id = tracking.tracker_paths()
            environment = versions()
            with gunicorn(env, app=pages.APP) as base:
                workers = len(gunicorn_pids(port_of(base))[1])
                rates = pages.measure_rates(base, workdir)
                trackers = tracking.measure(base, pixel, click)
                browser = pages.measure_browser(base)
                injected = faults.measure(base, workdir)
            # gunicorn stopped gracefully: its workers wrote the tracker events they still held.
            trackers.events = tracking.stored_events(message_id)
            with gunicorn({**env, **scan.PLAIN_HTTP}) as plain:
                scanned = scan.measure(plain)
            receipt_figures = receipts.measure(env)  # after the others: it fills the log with decisions
            # Last: make stack stops the database when it ends.
            stack_started = time.monotonic()
            stacked = stack.measure(env, workdir)
            stack_section = stack.section(stacked, time.monotonic() - stack_started)
        export = backoffice.measure(RECORDS)
    figures = Figures(
        elapsed=time.monotonic() - started,
        load=(load_before, os.getloadavg()),
        versions=environment,
        workers=workers,
        rates=rates,
        trackers=trackers,
        browser=browser,
        faults=injected,
        export=export,
        scan=scanned,
        page_build=built,
        receipts=receipt_figures,
    )
    # The stack's section (bench/stack.py) is rewritten; make lighthouse's stays.
    RESULTS.write_text(
        replace_section(report(figures) + kept_sections(RESULTS.read_text()), stack.HEADING, stack_section)
    )
    print(f"wrote {RESULTS.relative_to(ROOT)} in {figures.elapsed:.0f} s")


if __name__ == "__main__":
    main()
