"""The e-mail trackers under load: the open pixel and the /l/ redirect against bare Django views, and
every answered hit found as an event.

    .venv/bin/python bench/tracking.py     # BENCH_SECONDS=1 for a quick smoke run (figures are then noisy)

The floor views (bench/floor_urls.py) answer the same bytes through the same middleware, without
verifying a token or queueing an event; the target is 0.8 of their throughput. Events are written by
batch (docs/decisions/0004), the last ones when gunicorn stops gracefully, so they are counted once
the server has stopped.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    CONNECTIONS,
    PAIRS,
    Compared,
    alternate,
    demo_site,
    gunicorn,
    holds,
    print_figures,
    rate_row,
    wrk,
)

TARGET = 0.8


@dataclass
class Trackers:
    """Both trackers against their floors, and the events they stored."""

    pixel: Compared
    click: Compared
    answers: int  # tracker answers counted by wrk, warm-up included
    runs: int  # wrk runs of a tracker: each can leave a request per connection in flight, stored but not counted
    events: int = 0  # stored; counted once gunicorn has stopped


def tracker_paths() -> tuple[str, str, int]:
    """Make a message and a recipient (without consent to tracking, as a recipient starts) in the
    benchmark database; return a pixel and a /l/ path."""
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


def measure(base: str, pixel: str, click: str) -> Trackers:
    print("e-mail trackers", flush=True)
    token = pixel.rsplit("/", 1)[1]
    warm = wrk(base + pixel, seconds=1).requests
    pixels = alternate(lambda: wrk(base + pixel), lambda: wrk(f"{base}/floor/o/{token}"))
    clicks = alternate(lambda: wrk(base + click), lambda: wrk(f"{base}/floor/l/{token}"))
    answers = warm + pixels.figure_requests + clicks.figure_requests
    return Trackers(pixel=pixels, click=clicks, answers=answers, runs=1 + 2 * PAIRS)


def stored_events(message_id: int) -> int:
    """Events of the message: the bench recipient never agreed to tracking, so they are anonymous counts
    (decision 0007); per-recipient rows are added in case a run gave consent."""
    from django.db.models import Sum

    from tracking.models import AggregateCount, Event

    counted = AggregateCount.objects.filter(message_id=message_id).aggregate(n=Sum("count"))["n"] or 0
    return Event.objects.filter(message_id=message_id).count() + counted


def rows(t: Trackers) -> list[str]:
    return [
        rate_row("`/o/` open pixel", t.pixel, TARGET, "bare view, same bytes"),
        rate_row("`/l/` click redirect", t.click, TARGET, "bare view, same bytes"),
        events_row(t),
    ]


def events_row(t: Trackers) -> str:
    """Every tracker answer counted by wrk has its event; a request in flight when a run stopped (at most
    one per connection) was stored but not counted."""
    extra, in_flight = t.events - t.answers, CONNECTIONS * t.runs
    return (
        f"| `/o/` and `/l/`: events stored = answers (queued, written by batch; the last ones at the graceful stop)"
        f" | {t.answers:,} answers counted by wrk, {t.events:,} events (+{extra} in flight as a run"
        f" stopped, at most {in_flight}) | — | — | none missing | {holds(0 <= extra <= in_flight)} |"
    )


def main() -> None:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with demo_site() as env:
        pixel, click, message_id = tracker_paths()
        with gunicorn(env) as base:
            trackers = measure(base, pixel, click)
        # gunicorn has stopped gracefully: its workers wrote the events they still held.
        trackers.events = stored_events(message_id)
    print_figures(rows(trackers), started=started, load_before=load_before)


if __name__ == "__main__":
    main()
