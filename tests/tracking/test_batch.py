"""Opens and clicks written in batches (tracking/batch.py, decision 0004).

The autouse ``tracking_batch`` fixture (tests/conftest.py) writes the batch when each request ends;
these tests also stop it from doing so, run the real timer thread, stop PostgreSQL, and stop a real
gunicorn server to see what a graceful exit writes.
"""

from __future__ import annotations

import signal
import tempfile
import time
import urllib.request
from datetime import UTC, datetime

import pytest
from django.core.signals import request_finished
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.servers import server_env, start_gunicorn, wait_for, wait_ready
from tests.tracking.factories import click_path, counts, goto_path, make_message, make_recipient, pixel_path
from tests.tracking.responses import BROWSER
from tracking import events
from tracking.batch import EventBatch
from tracking.events import EventRow
from tracking.models import Event, EventKind, MachineReason
from tracking.views import PIXEL

APP_URL = "https://app.nocrm.io/leads/7"


def row(message, recipient, *, kind: str = EventKind.OPEN, url: str = "") -> EventRow:
    return EventRow(message.pk, recipient.pk if recipient else None, kind, url, datetime.now(UTC), "")


@pytest.fixture
def held(tracking_batch):
    """Events stay queued after each request: nothing writes them until the test flushes."""
    request_finished.disconnect(dispatch_uid="tests.flush_tracking_batch")
    return tracking_batch


def test_trackers_answer_without_a_query_and_a_flush_writes_the_whole_batch(
    held, django_assert_num_queries, message, recipient
) -> None:
    client = Client(headers={"User-Agent": BROWSER})
    with django_assert_num_queries(0):
        assert client.get(pixel_path(message, recipient)).content == PIXEL
        assert client.get(click_path(message, recipient, "https://example.com/a")).status_code == 302
        assert client.get(goto_path(message, recipient, APP_URL)).status_code == 302
        client.head(pixel_path(message, recipient))
        client.get("/o/forged")
    assert held.pending() == 4 and not Event.objects.exists()
    assert held.flush() == 4
    events = Event.objects.order_by("pk")
    assert [(e.kind, e.url, e.machine_reason) for e in events] == [
        (EventKind.OPEN, "", MachineReason.PERSON),
        (EventKind.CLICK, "https://example.com/a", MachineReason.PERSON),
        (EventKind.CLICK, APP_URL, MachineReason.PERSON),
        (EventKind.OPEN, "", MachineReason.HEAD),
    ]
    assert {(e.message_id, e.recipient_id) for e in events} == {(message.pk, recipient.pk)}
    assert [e.machine for e in events] == [False, False, False, True]
    assert held.pending() == 0 and held.flush() == 0


def test_writing_a_batch_takes_the_same_statements_whatever_its_size(message, recipient) -> None:
    batch = EventBatch(interval=1, backlog=1000, background=False)
    statements = []
    for size in (1, 300):
        for _ in range(size):
            batch.add(row(message, recipient))
        with CaptureQueriesContext(connection) as captured:
            assert batch.flush() == size
        statements.append([query["sql"].partition("FROM relaxed,")[0] for query in captured])
    # One statement (its arrays as parameters: the log shows them filled in, so only its head is compared).
    assert len(statements[0]) == 1 and statements[0] == statements[1]
    assert Event.objects.count() == 301


def test_an_event_keeps_the_time_it_was_seen_not_the_time_it_was_written(held, message, recipient) -> None:
    Client(headers={"User-Agent": BROWSER}).get(pixel_path(message, recipient))
    seen = datetime.now(UTC)
    time.sleep(0.3)
    held.flush()
    assert Event.objects.get().occurred_at <= seen


def test_events_of_deleted_messages_and_recipients_are_left_out_and_the_rest_written(db) -> None:
    kept_message, gone_message = make_message(), make_message()
    kept, gone = make_recipient("kept@example.com"), make_recipient("gone@example.com")
    batch = EventBatch(interval=1, backlog=100, background=False)
    for event in (row(kept_message, kept), row(gone_message, kept), row(kept_message, gone), row(kept_message, None)):
        batch.add(event)
    gone_message.delete()
    gone.delete()
    assert batch.flush() == 2
    assert [(e.message_id, e.recipient_id) for e in Event.objects.order_by("pk")] == [(kept_message.pk, kept.pk)]
    assert counts(kept_message) == [(EventKind.OPEN, "", "", 1)]  # the open that named nobody


def test_the_insert_that_skips_deleted_messages_is_tried_again_after_a_racing_deletion(
    db, monkeypatch, message, recipient
) -> None:
    """A batch with an event of a deleted message: the statement's EXISTS tests leave it out. A deletion
    between those tests and the commit makes the foreign keys refuse the statement (simulated: the first
    try raises); the second try then leaves that message's events out."""
    gone = make_message()
    tries = []
    real = events._record

    def racing(params):
        tries.append(params)
        if len(tries) == 1:
            raise IntegrityError("insert or update on table violates foreign key constraint")
        return real(params)

    monkeypatch.setattr(events, "_record", racing)
    batch = EventBatch(interval=1, backlog=100, background=False)
    batch.add(row(message, recipient))
    batch.add(row(gone, recipient))
    gone.delete()
    assert batch.flush() == 1
    assert len(tries) == 2
    assert list(Event.objects.values_list("message_id", flat=True)) == [message.pk]


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_is_dropped_and_the_next_one_written(message, recipient) -> None:
    batch = EventBatch(interval=1, backlog=100, background=False)
    batch.add(row(message, recipient, kind="x" * 40))  # longer than the column: PostgreSQL refuses it
    assert batch.flush() == 0
    assert batch.pending() == 0  # not retried forever
    batch.add(row(message, recipient))
    assert batch.flush() == 1 and Event.objects.count() == 1


def test_a_full_backlog_refuses_new_events_and_counts_them(db, message, recipient) -> None:
    batch = EventBatch(interval=1, backlog=2, background=False)
    assert [batch.add(row(message, recipient)) for _ in range(3)] == [True, True, False]
    assert batch.pending() == 2 and batch.dropped == 1


def test_events_wait_while_postgresql_is_down_and_are_written_once_it_is_back(postgres, tracking_batch) -> None:
    message, recipient = make_message(), make_recipient()
    client = Client(headers={"User-Agent": BROWSER})
    postgres.stop()
    # The fixture tries to write after each request: it fails, and the events go back in the queue.
    assert client.get(pixel_path(message, recipient)).content == PIXEL
    response = client.get(click_path(message, recipient, "https://example.com/"))
    assert response.status_code == 302 and response["Location"] == "https://example.com/"
    assert tracking_batch.pending() == 2
    postgres.start()
    assert tracking_batch.flush() == 2
    assert sorted(Event.objects.values_list("kind", flat=True)) == [EventKind.CLICK, EventKind.OPEN]


def test_events_put_back_after_a_failure_keep_within_the_backlog(postgres) -> None:
    message, recipient = make_message(), make_recipient()
    batch = EventBatch(interval=1, backlog=2, background=False)
    batch.add(row(message, recipient))
    batch.add(row(message, recipient, kind=EventKind.CLICK))
    postgres.stop()
    assert batch.flush() == 0
    assert not batch.add(row(message, recipient))
    assert batch.pending() == 2 and batch.dropped == 1
    postgres.start()
    assert batch.flush() == 2
    assert sorted(Event.objects.values_list("kind", flat=True)) == [EventKind.CLICK, EventKind.OPEN]


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_writes_a_batch_soon_after_its_first_event() -> None:
    message, recipient = make_message(), make_recipient()
    batch = EventBatch(interval=0.05, backlog=100)
    try:
        for _ in range(3):
            batch.add(row(message, recipient))
        wait_for(lambda: Event.objects.count() == 3, timeout=5)
        batch.add(row(message, recipient, kind=EventKind.CLICK))  # the same thread, a second batch
        wait_for(lambda: Event.objects.filter(kind=EventKind.CLICK).exists(), timeout=5)
        assert batch.pending() == 0
    finally:
        batch.stop()
    assert batch._thread is not None and not batch._thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_server_stopped_gracefully_writes_the_events_its_workers_hold() -> None:
    """gunicorn's worker_exit hook (gunicorn.conf.py): a deploy or a max_requests restart loses nothing."""
    message, recipient = make_message(), make_recipient()
    env = server_env(TRACKING_EVENT_FLUSH_SECONDS="3600")  # only the exit can write them within this test
    with tempfile.TemporaryFile("w+") as log:
        base, server = start_gunicorn(env, log)
        try:
            wait_ready(base, server, log)
            for _ in range(10):
                with urllib.request.urlopen(base + pixel_path(message, recipient), timeout=10) as answer:
                    assert answer.read() == PIXEL
            assert not Event.objects.exists()  # held by the workers
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=20) == 0
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        log.seek(0)
        assert Event.objects.filter(message=message, recipient=recipient).count() == 10, log.read()[-2000:]


@pytest.mark.parametrize(
    ("seconds", "backlog", "errors"),
    [(0.25, 20_000, []), (0, 1, []), (-1, 20_000, ["tracking.E002"]), (600, 0, ["tracking.E002", "tracking.E003"])],
)
def test_batching_settings_out_of_range_fail_the_system_check(settings, seconds, backlog, errors) -> None:
    from django.core.checks import run_checks

    settings.TRACKING_EVENT_FLUSH_SECONDS, settings.TRACKING_EVENT_BACKLOG = seconds, backlog
    assert [m.id for m in run_checks() if m.id in {"tracking.E002", "tracking.E003"}] == errors
