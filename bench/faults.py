"""Faults injected under load: PostgreSQL stopped during a consent and a page load, then a gunicorn
worker SIGKILLed during a consent load.

    .venv/bin/python bench/faults.py

A fault is judged by what a visitor would notice (pages still 200, decisions 503 and never 500,
/healthz 503 while the database is down) and by what the consent log kept afterwards: every decision
answered 2xx stored once and complete. Both faults run against the same server, one after the other.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    CONNECTIONS,
    Load,
    demo_site,
    fetch,
    gunicorn,
    gunicorn_pids,
    holds,
    parse,
    port_of,
    print_figures,
    wrk,
    wrk_command,
)
from bench.pages import ConsentLoad, Records, records_hold  # noqa: E402


@dataclass
class Outage:
    """PostgreSQL stopped for 3 s of a 10 s load of pages and decisions, /healthz polled throughout."""

    down: str  # when, within the load
    pages: Load
    posts: Load
    records: Records
    health_before: list[int]  # statuses seen before the stop
    health_during: list[int]
    health_polls_during: int
    health_recovered_after: float | None  # seconds from the restart to the first 200
    health_500: int


@dataclass
class Kill:
    """One worker SIGKILLed during a consent load."""

    posts: Load
    records: Records
    workers: int
    respawned: bool


@dataclass
class Faults:
    outage: Outage
    kill: Kill


def measure(base: str, workdir: Path) -> Faults:
    print("faults", flush=True)
    consent = ConsentLoad(workdir)
    return Faults(outage=outage(base, consent), kill=kill_worker(base, consent))


def outage(base: str, consent: ConsentLoad) -> Outage:
    """PostgreSQL stopped for 3 s in the middle of a consent load and a page load, then started again."""
    from django.db import connections

    from nocrm_site import embedded_pg

    pgdata = database_directory()
    seconds = 10
    home = subprocess.Popen(wrk_command(base + "/", seconds=seconds), cwd=ROOT, stdout=subprocess.PIPE, text=True)
    with poll(base + "/healthz") as health:
        posts = consent.start(base + "/consent/", seconds=seconds, resend=10)
        began = time.monotonic()
        time.sleep(3)
        stopping = time.monotonic()
        connections.close_all()
        embedded_pg.stop(pgdata)
        down = time.monotonic()
        time.sleep(3)
        restart = time.monotonic()
        embedded_pg.start(pgdata)
        up = time.monotonic()
        pages = parse(home.communicate(timeout=60)[0])
        posts_load, records = consent.finish(*posts)
    during = [s for b, e, s in health if b >= down and e <= restart]
    after = [(b, s) for b, _e, s in health if b >= up]
    recovered = next((b - up for b, s in after if s == 200), None)
    return Outage(
        down=f"{down - began:.1f} s to {up - began:.1f} s of {seconds} s",
        pages=pages,
        posts=posts_load,
        records=records,
        health_before=sorted({s for _b, e, s in health if e < stopping}),
        health_during=sorted(set(during)),
        health_polls_during=len(during),
        health_recovered_after=recovered,
        health_500=sum(s >= 500 and s != 503 for _b, _e, s in health),
    )


def database_directory() -> Path:
    """The cluster's data directory, from the environment demo_site() set up (the app role the
    benchmark connects as may not SHOW data_directory)."""
    return Path(os.environ["EMBEDDED_PGDATA"])


@contextlib.contextmanager
def poll(url: str, interval: float = 0.2) -> Iterator[list[tuple[float, float, int]]]:
    """(started, finished, status) of a GET every ``interval`` seconds while the block runs (clock: monotonic)."""
    seen: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            began = time.monotonic()
            try:
                status = fetch(url, timeout=3)[0]
            except OSError:
                status = 0
            seen.append((began, time.monotonic(), status))
            stop.wait(interval)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)


def kill_worker(base: str, consent: ConsentLoad) -> Kill:
    """SIGKILL one gunicorn worker in the middle of a consent load."""
    port = port_of(base)
    _master, workers = gunicorn_pids(port)
    posts = consent.start(base + "/consent/", seconds=6)
    time.sleep(2.5)
    os.kill(workers[0], signal.SIGKILL)
    load, records = consent.finish(*posts)
    respawned = len(gunicorn_pids(port)[1]) == len(workers)
    return Kill(posts=load, records=records, workers=len(workers), respawned=respawned)


def rows(f: Faults) -> list[str]:
    o, k = f.outage, f.kill
    health_ok = o.health_during == [503] and o.health_recovered_after is not None
    kill_ok = 500 not in k.posts.statuses and records_hold(k.records, in_flight=CONNECTIONS + 1) and k.respawned
    return [
        f"| outage, pages: `/` under load while PostgreSQL is down ({o.down}) | {o.pages.rps:,.0f} req/s,"
        f" {o.pages.bad_answers} non-2xx, {o.pages.socket_errors} socket errors | — | — | 200 throughout |"
        f" {holds(not o.pages.bad_answers and not o.pages.socket_errors)} |",
        f"| outage, `/healthz` polled every 0.2 s | before {o.health_before}, while down {o.health_during}"
        f" ({o.health_polls_during} polls), 200 again {_secs(o.health_recovered_after)} after the restart"
        f" | — | — | 503 while down | {holds(health_ok)} |",
        f"| outage, `POST /consent/` answers | {_statuses(o.posts)} | — | — | 503, never 500 |"
        f" {holds(set(o.posts.statuses) <= {200, 503} and not o.posts.socket_errors)} |",
        f"| outage, consent log after recovery (every 10th decision re-sent) | {_records(o.records)} | — | — |"
        f" every 2xx stored, none twice | {holds(records_hold(o.records, in_flight=CONNECTIONS))} |",
        f"| a worker SIGKILLed during a consent load ({k.workers} workers; respawned: {k.respawned}) |"
        f" {_statuses(k.posts)}; {_records(k.records)} | — | — | no 500, no partial record |"
        f" {holds(kill_ok)} |",
    ]


def _secs(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _statuses(load: Load) -> str:
    counts = ", ".join(f"{n:,} × {s}" for s, n in sorted(load.statuses.items()))
    return f"{counts}; {load.socket_errors} socket errors"


def _records(r: Records) -> str:
    return (
        f"{r.acked:,} decisions answered 2xx, {r.stored:,} rows: missing {r.missing}, twice {r.duplicates},"
        f" incomplete {r.incomplete}, unanswered {r.unanswered}"
    )


def main() -> None:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="nocrm-bench-faults-") as workdir,
        demo_site() as env,
        gunicorn(env) as base,
    ):
        # Under make bench the faults come after the other figures, on workers that have served pages.
        wrk(base + "/", seconds=1)
        faults = measure(base, Path(workdir))
    print_figures(rows(faults), started=started, load_before=load_before)


if __name__ == "__main__":
    main()
