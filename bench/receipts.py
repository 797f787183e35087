"""Consent receipts under load: the settings page with a visitor's history, and the receipt download.

    .venv/bin/python bench/receipts.py     # BENCH_SECONDS=1 BENCH_RECORDS=20000 for a quick smoke run

A receipt costs one read of the log through the (consent_id, decided_at) index, the rate limit's
upsert and one Ed25519 signature (docs/decisions/0013-consent-receipts.md). The log is filled with
BENCH_RECORDS other visitors' decisions first, so that the read is an index look-up in a real-sized
table. Figures, each the median of paired wrk runs against the settings page without a cookie (the
same page and middleware, no read of the log):

- the settings page of a visitor with a cookie (its history: one indexed read);
- ``GET …/recu/<decision>.json`` (rate limit, one indexed read, one signature);
- in this process: receipts built and signed per second, without HTTP, and the history query's plan.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backoffice import GENERATE  # noqa: E402
from bench.harness import Compared, alternate, demo_site, fetch, gunicorn, page_banner, print_figures, wrk  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
RECEIPT_ENV = {
    "CONSENT_RECEIPT_KEY": secrets.token_urlsafe(32),
    # wrk is one client: its limit is raised so that every request does the whole work, the count included.
    # (at most 268,435,455: its /48 counts 8 times it in a PostgreSQL integer, check consent.E006).
    "CONSENT_RATE_LIMIT": "200000000",
}


def fill(env: dict[str, str], records: int) -> None:
    """Other visitors' decisions, written by the owner role (the web servers' role only appends one at a time)."""
    import psycopg

    owner = env["DATABASE_URL"].replace("nocrm_app@", "nocrm_owner@", 1)
    with psycopg.connect(owner, autocommit=True) as connection:
        connection.execute(GENERATE, {"n": records})
        connection.execute("ANALYZE consent_consentrecord")


def visitor(base: str) -> tuple[str, str]:
    """One visitor accepts all, as consent.js posts it: its Cookie header and its decision ID."""
    body = json.dumps({"action": "accept_all", "banner": page_banner(base), "decision_id": str(uuid.uuid4())})
    status, headers, answer = fetch(
        base + "/consent/",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"},
    )
    assert status == 200, answer
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    return f"Cookie: {cookie}", json.loads(answer)["decision_id"]


def signing_rate(decision_id: str, seconds: float = 3.0) -> tuple[float, float]:
    """Receipts built and signed per second in this process, and signatures alone per second."""
    from django.conf import settings

    from consent.models import ConsentRecord
    from consent.visitor.receipt import build_receipt, shown_version
    from consent.visitor.receipt_keys import keyring
    from consent.visitor.receipt_signature import sign

    settings.CONSENT_RECEIPT_KEY = RECEIPT_ENV["CONSENT_RECEIPT_KEY"]
    record = ConsentRecord.objects.get(decision_id=decision_id)
    version = shown_version(record.banner_hash)
    keys = keyring()
    receipt = build_receipt(record, None, version)

    def rate(action: Callable[[], object]) -> float:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            action()
            count += 1
        return count / (time.perf_counter() - started)

    built = rate(lambda: sign(build_receipt(record, None, version), keys, keys_url="x"))
    signed = rate(lambda: sign(receipt, keys, keys_url="x"))
    return built, signed


def history_plan(decision_id: str) -> str:
    from django.db import connection

    from consent.models import ConsentRecord

    consent_id = ConsentRecord.objects.get(decision_id=decision_id).consent_id
    with connection.cursor() as cursor:
        sql, params = ConsentRecord.objects.for_consent_id(consent_id).query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@dataclass
class Receipts:
    """The settings page with a history and the receipt download, each against the page without a cookie."""

    with_history: Compared
    download: Compared
    built: float  # receipts built and signed per second, in one process
    signed: float  # signatures alone per second
    plan: str  # of the history query


def measure(env: dict[str, str], records: int = RECORDS) -> Receipts:
    """Fill the log, serve with a receipt key, and measure (Django set up in this process on ``env``)."""
    fill(env, records)
    with gunicorn({**env, **RECEIPT_ENV}) as base:
        cookie, decision_id = visitor(base)
        settings_page = f"{base}/consent/parametres/"
        receipt = f"{base}/consent/parametres/recu/{decision_id}.json"
        status, _headers, body = fetch(receipt, headers=dict([cookie.split(": ", 1)]))
        assert status == 200 and json.loads(body)["dct:identifier"] == decision_id, (status, body[:300])
        print("settings page and receipts", flush=True)
        with_history = alternate(lambda: wrk(settings_page, headers=(cookie,)), lambda: wrk(settings_page))
        download = alternate(lambda: wrk(receipt, headers=(cookie,)), lambda: wrk(settings_page))
    built, signed = signing_rate(decision_id)
    return Receipts(with_history, download, built, signed, history_plan(decision_id))


def rows(r: Receipts) -> list[str]:
    return [
        _row("settings page with a visitor's history (one indexed read)", r.with_history),
        _row("receipt download (rate limit, one indexed read, one signature)", r.download),
        f"| receipts built and signed in one process, no HTTP | {r.built:,.0f}/s | — | — | — | — |",
        f"| Ed25519 signatures over the canonical receipt alone | {r.signed:,.0f}/s | — | — | — | — |",
    ]


def main() -> None:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with demo_site() as env:
        figures = measure(env)
    print(f"log: {RECORDS:,} other decisions; the history query's plan:\n{figures.plan}\n")
    print_figures(rows(figures), started=started, load_before=load_before)


def _row(name: str, compared: Compared) -> str:
    f, floor = compared.figure, compared.floor
    return (
        f"| {name} | {f.rps:,.0f} req/s, p99 {f.p99_ms:.1f} ms | {floor.rps:,.0f} req/s, p99 {floor.p99_ms:.1f} ms"
        f" (settings page, no cookie) | {compared.ratio:.2f} | non-2xx: {f.bad_answers} | — |"
    )


if __name__ == "__main__":
    main()
