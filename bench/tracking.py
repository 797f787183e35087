"""Benchmark of the e-mail trackers: the open pixel and the /l/ redirect against bare Django views.

    .venv/bin/python bench/tracking.py

Starts a throwaway PostgreSQL and gunicorn (sync workers, 2 per CPU + 1 as in production, DEBUG off)
on 127.0.0.1, runs wrk six times per URL, each run next to one of its floor, and prints medians and
the median ratio of those pairs. The floor
views (bench/floor_urls.py) answer the same bytes through the same middleware, without verifying a
token or writing; the target is 0.8 of their throughput.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import CONNECTIONS, Comparison, compare, gunicorn, postgres, table  # noqa: E402

TARGET = 0.8
# Seconds per wrk run (six pairs per URL); BENCH_SECONDS=1 makes a quick smoke run.
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))


def tracker_paths(env: dict[str, str]) -> tuple[str, str, int]:
    """Make a message and a recipient in the benchmark database; return a pixel and a /l/ path."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "nocrm_site.settings"
    import django

    django.setup()
    from django.db import connections

    from tracking.mailer import pixel_url, tracked_url
    from tracking.models import Message
    from tracking.services import ensure_recipient
    from tracking.tokens import Claims

    message = Message.objects.create(name="Benchmark", subject="Benchmark", template="demo")
    recipient = ensure_recipient(email="bench@example.com")
    claims = Claims(message_id=message.pk, recipient_id=recipient.pk, sent_at=int(time.time()) - 3600)
    pixel = pixel_url(claims).split("nocrm.io", 1)[1]
    click = tracked_url("https://www.nocrm.io/tarifs/", claims).split("nocrm.io", 1)[1]
    connections.close_all()
    return pixel, click, message.pk


def main() -> None:
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    with postgres() as env:
        pixel, click, message_id = tracker_paths(env)
        with gunicorn({**env, "ROOT_URLCONF": "bench.floor_urls"}) as base:
            token = pixel.rsplit("/", 1)[1]
            pixel_figures = compare(base + pixel, f"{base}/floor/o/{token}", seconds=SECONDS)
            click_figures = compare(base + click, f"{base}/floor/l/{token}", seconds=SECONDS)
        # gunicorn has stopped gracefully: its workers wrote the events they still held.
        from tracking.models import Event

        stored = Event.objects.filter(message_id=message_id).count()
    print(table([("/o/ pixel", pixel_figures, TARGET), ("/l/ redirect", click_figures, TARGET)]))
    print(events_line(stored, [pixel_figures, click_figures]))
    print(
        f"total time {time.monotonic() - started:.0f}s; load average before/after: "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def events_line(stored: int, comparisons: list[Comparison]) -> str:
    """Every answered tracker request stored: wrk counts answers; requests still in flight when a run
    stopped (at most one per connection) were stored but not counted."""
    answered = sum(c.figure_requests for c in comparisons)
    in_flight = CONNECTIONS * sum(c.figure_runs for c in comparisons)
    holds = 0 <= stored - answered <= in_flight
    return (
        f"events stored {stored:,} for {answered:,} tracker answers counted by wrk (+{stored - answered} in flight,"
        f" at most {in_flight}): {'every answer stored' if holds else 'MISSING OR EXTRA EVENTS'}"
    )


if __name__ == "__main__":
    main()
