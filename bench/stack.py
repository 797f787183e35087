"""The production shape (`make stack`'s engines): Varnish → HAProxy → two gunicorn servers, Redis.

    .venv/bin/python bench/stack.py        # writes its section of bench/RESULTS.md

- pages through Varnish against the bare Django floor (bench/floor_wsgi.py on a gunicorn of its own,
  the same bytes as the home page), new and returning visitors, and the cache's hit ratio after
  warm-up (varnishstat);
- ``POST /consent/`` through HAProxy against direct to one server;
- the time from an admin save to the new bytes at the front, with Redis and purge, then without Redis
  (the per-process expiry, CONSENT_DECLARATIONS_CACHE_SECONDS);
- failover under a load of pages: 5xx and the longest stall while one server is killed (through
  HAProxy), then both (through Varnish, pages past their max-age: from grace), decisions meanwhile,
  and the time until pages come from the servers again once they are restarted.
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    Compared,
    alternate,
    demo_site,
    fetch,
    gunicorn,
    holds,
    rate_row,
    wrk,
)
from bench.pages import HOME_FLOOR, ConsentLoad, consent_cookie  # noqa: E402
from bench.report import RESULTS, replace_section  # noqa: E402

PAGES_TARGET = 13.0
HIT_TARGET = 0.99
CONSENT_TARGET = 0.85
PURGE_TARGET = 1.0  # seconds from the save to the new bytes at the front, with Redis
# What browsers send: the cache keeps the gzip variant and would gunzip it for a client that sends none
# (wrk's default), which costs more than the cache itself (20,000 against 50,000 req/s measured here).
BROWSER_ENCODING = "Accept-Encoding: gzip, deflate, br"
JSON = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
HEADING = "## Stack (Varnish → HAProxy → 2 gunicorn servers, Redis)"


@dataclass
class StackFigures:
    pages: Compared
    returning: Compared
    hit_ratio: float
    hits: int
    misses: int
    consent: Compared
    save_to_front: list[float]  # with Redis and purge, seconds, each try
    save_to_front_no_redis: float
    one_down: Failover
    both_down: Failover
    both_down_posts: dict[int, int]
    back_after: float  # seconds from the restart command to a page from the servers


@dataclass
class Failover:
    requests: int
    errors_5xx: int
    failures: int  # no answer, or one cut short
    longest_ms: float


def hammer(url: str, seconds: float, threads: int = 8) -> Failover:
    """``threads`` clients fetching ``url`` in a loop for ``seconds``: what they saw."""
    statuses: list[int] = []
    latencies: list[float] = []
    failures = [0]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status = fetch(url, timeout=10)[0]
            # No answer, or one cut short (a server killed while it was sending).
            except (OSError, http.client.HTTPException):
                with lock:
                    failures[0] += 1
                continue
            with lock:
                statuses.append(status)
                latencies.append(time.monotonic() - started)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return Failover(len(statuses), sum(s >= 500 for s in statuses), failures[0], max(latencies, default=0) * 1000)


def change_and_wait(front: str, path: str) -> float:
    """Saves a declaration (as the admin does) and returns the seconds until the front shows it."""
    from consent.models import Cookie

    name = f"_bench_{uuid.uuid4().hex[:8]}"
    cookie = Cookie.objects.filter(purpose__slug="statistics").first()
    assert cookie is not None
    cookie.name = name
    started = time.monotonic()
    cookie.save()  # autocommit: the purge is asked for at once, sent by the worker thread
    while name not in fetch(front + path)[2].decode():
        if time.monotonic() - started > 180:
            raise RuntimeError("the change never reached the front")
        time.sleep(0.02)
    return time.monotonic() - started


def measure(env: dict[str, str], workdir: Path) -> StackFigures:
    from django.test import override_settings

    from nocrm_site.stack.engines import fetch as status_of
    from nocrm_site.stack.running import running

    with gunicorn(env, app="bench.floor_wsgi:application") as floor, running({**env, "LOG_LEVEL": "ERROR"}) as stack:
        front = stack.front
        cookie = f"Cookie: {consent_cookie(front)}"
        for warm in ("/", "/?utm_source=x"):
            wrk(front + warm, seconds=1)
        wrk(floor + HOME_FLOOR, seconds=1)
        before = stack.counters("MAIN.cache_hit", "MAIN.cache_miss")
        print("stack: home page through Varnish, new visitor", flush=True)
        new = (BROWSER_ENCODING,)
        pages = alternate(lambda: wrk(front + "/", headers=new), lambda: wrk(floor + HOME_FLOOR, headers=new))
        print("stack: home page through Varnish, returning visitor", flush=True)
        back = (BROWSER_ENCODING, cookie)
        returning = alternate(lambda: wrk(front + "/", headers=back), lambda: wrk(floor + HOME_FLOOR, headers=back))
        after = stack.counters("MAIN.cache_hit", "MAIN.cache_miss")
        hits = after["MAIN.cache_hit"] - before["MAIN.cache_hit"]
        misses = after["MAIN.cache_miss"] - before["MAIN.cache_miss"]
        print("stack: POST /consent/ through HAProxy and direct", flush=True)
        consent = ConsentLoad(workdir)
        direct = stack.servers[0].url
        consent.run(stack.haproxy.url + "/consent/", seconds=1, keep=False)
        decisions = alternate(
            lambda: consent.run(stack.haproxy.url + "/consent/"), lambda: consent.run(direct + "/consent/")
        )
        print("stack: admin save to the front, with Redis", flush=True)
        cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                             "LOCATION": f"redis://127.0.0.1:{stack.redis.port}/0"}}  # fmt: skip
        with override_settings(CACHES=cache, CDN_PURGE_URLS=[front]):
            for server in stack.servers:
                for _ in range(8):
                    fetch(server.url + "/cookies/")
            fetch(front + "/cookies/")
            save_times = [change_and_wait(front, "/cookies/") for _ in range(5)]
        print("stack: failover", flush=True)
        for index in range(2):
            stack.restart_server(index, PAGE_SHARED_MAX_AGE="1", PAGE_STALE_WHILE_REVALIDATE="1")
        status_of(front + "/", method="PURGE")
        fetch(front + "/")
        results: list[Failover] = []
        load = threading.Thread(target=lambda: results.append(hammer(stack.haproxy.url + "/", 4)))
        load.start()
        time.sleep(1)
        stack.servers[0].kill()
        load.join()
        one_down = results[0]
        stack.servers[1].kill()
        time.sleep(2.5)  # every stored page is now past max-age and stale-while-revalidate: grace
        both_down = hammer(front + "/", 3)
        posts: dict[int, int] = {}
        body = b'{"action": "accept_all", "banner": "' + b"0" * 64 + b'"}'
        for _ in range(20):
            status = fetch(front + "/consent/", data=body, headers=JSON)[0]
            posts[status] = posts.get(status, 0) + 1
        restarted = time.monotonic()
        for index in range(2):
            stack.restart_server(index)
        while status_of(front + "/", method="PURGE") != 200 or fetch(front + "/")[0] != 200:
            time.sleep(0.05)
        back_after = time.monotonic() - restarted
    print("stack: admin save to the front, without Redis", flush=True)
    with running({**env, "LOG_LEVEL": "ERROR"}, redis=False) as plain, override_settings(CDN_PURGE_URLS=[plain.front]):
        # Every worker of both servers holds the declarations before the change (the worst case: the
        # cache's next miss may reach any of them).
        for server in plain.servers:
            for _ in range(8):
                fetch(server.url + "/cookies/")
        fetch(plain.front + "/cookies/")
        no_redis = change_and_wait(plain.front, "/cookies/")
    return StackFigures(
        pages=pages,
        returning=returning,
        hit_ratio=hits / max(1, hits + misses),
        hits=hits,
        misses=misses,
        consent=decisions,
        save_to_front=save_times,
        save_to_front_no_redis=no_redis,
        one_down=one_down,
        both_down=both_down,
        both_down_posts=posts,
        back_after=back_after,
    )


def rows(f: StackFigures) -> list[str]:
    floor = "bare view, same bytes (bench/floor_wsgi.py), own gunicorn"
    save = statistics.median(f.save_to_front)
    one, both = f.one_down, f.both_down
    return [
        rate_row("home page `/` through Varnish, new visitor", f.pages, PAGES_TARGET, floor),
        rate_row("home page `/` through Varnish, returning visitor (cookie)", f.returning, PAGES_TARGET, floor),
        f"| Varnish hit ratio after warm-up (both loads) | {f.hit_ratio:.4%} ({f.hits:,} hits, {f.misses:,} misses)"
        f" | — | — | ≥ {HIT_TARGET:.0%} | {holds(f.hit_ratio >= HIT_TARGET)} |",
        rate_row(
            "`POST /consent/` through HAProxy (2 servers × 2 workers)",
            f.consent,
            CONSENT_TARGET,
            "direct to one server (2 workers)",
        ),  # fmt: skip
        f"| admin save → new bytes at the front, Redis + purge | median {save:.2f} s"
        f" ({', '.join(f'{s:.2f}' for s in f.save_to_front)}) | — | — | ≤ {PURGE_TARGET:g} s"
        f" | {holds(save <= PURGE_TARGET)} |",
        f"| admin save → new bytes at the front, no Redis (per-process expiry 60 s, second purge) |"
        f" {f.save_to_front_no_redis:.1f} s | — | — | ≤ 61 s + purge | {holds(f.save_to_front_no_redis <= 62)} |",
        f"| one server killed under load (8 clients, through HAProxy) | {one.requests:,} requests,"
        f" {one.errors_5xx} 5xx,"
        f" {one.failures} without answer or cut short, longest {one.longest_ms:.0f} ms | — | — | no 5xx |"
        f" {holds(one.errors_5xx == 0 and one.failures == 0)} |",
        f"| both servers killed (8 clients, through Varnish, pages past max-age) | {both.requests:,} requests,"
        f" {both.errors_5xx} 5xx, {both.failures} without answer or cut short, longest {both.longest_ms:.0f} ms;"
        " `POST /consent/`:"
        f" {', '.join(f'{n}× {s}' for s, n in sorted(f.both_down_posts.items()))} | — | — | pages 200 from grace,"
        f" decisions 503 | {holds(both.errors_5xx == 0 and set(f.both_down_posts) == {503})} |",
        f"| servers restarted → pages from the origin again | {f.back_after:.1f} s (gunicorn's start included) |"
        " — | — | — | — |",
    ]


def section(f: StackFigures, elapsed: float) -> str:
    from bench.harness import TABLE_HEAD

    return "\n".join(
        [
            HEADING,
            "",
            f"Written by `python bench/stack.py` (also part of `make bench`) in {elapsed:.0f} s: `make stack`'s engines"
            " (nocrm_site/stack, deploy/varnish.vcl, deploy/haproxy.cfg) with `WEB_CONCURRENCY=2` per server, on the"
            " same 2 CPUs as wrk and the floor's gunicorn (5 workers). Loads as above (wrk, 16 connections, medians),"
            f" pages with `{BROWSER_ENCODING}` on both sides.",
            "",
            *TABLE_HEAD,
            *rows(f),
            "",
        ]
    )


def main() -> None:
    started = time.monotonic()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nocrm-bench-stack-") as workdir, demo_site() as env:
        figures = measure(env, Path(workdir))
    text = section(figures, time.monotonic() - started)
    print(text)
    RESULTS.write_text(replace_section(RESULTS.read_text(), HEADING, text))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
