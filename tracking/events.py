"""The SQL that stores what the trackers saw, according to each recipient's consent at that moment.

One statement per batch (``tracking.batch``, decision 0004) or per event when batching is off. It
reads each event's recipient's ``TrackingConsent`` as it stood when the pixel or link was fetched
(the latest record not after ``occurred_at``: decision 0007), then writes, in one transaction:

- an ``Event`` naming the recipient, for a recipient who had agreed;
- otherwise an ``AggregateCount`` for the message (per day, link and kind of reader), naming nobody;
- for an open of a transactional message with ``TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY``, only the
  date of the last open in ``DeliveryCheck``.

The events of a message or recipient deleted since sending (a GDPR erasure) are left out, and the
commit does not wait for the WAL flush: a PostgreSQL crash may lose the last fraction of a second of
opens and clicks, never corrupt anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection
from django.utils import timezone

from tracking.models import (
    AggregateCount,
    DeliveryCheck,
    Event,
    EventKind,
    MachineReason,
    Message,
    MessageKind,
    Recipient,
    TrackingConsent,
)


class EventRow(NamedTuple):
    message_id: int
    recipient_id: int | None
    kind: str
    url: str
    occurred_at: object  # an aware datetime
    machine_reason: str


# The CTEs that write run whether or not the final SELECT reads them; the upserts' rows are grouped
# (ON CONFLICT may touch a row once per statement) and sorted, so that concurrent batches lock the
# counters in the same order. The consent look-up is one probe of tracking_consent_state_idx per event.
RECORD_EVENTS = f"""
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
incoming AS (
    SELECT e.*, e.machine_reason <> '' AS machine,
        e.kind = 'open' AND e.recipient_id IS NOT NULL AND %(last_open_only)s
            AND m.kind = '{MessageKind.TRANSACTIONAL}' AS delivery,
        e.recipient_id IS NOT NULL AND coalesce((
            SELECT c.given FROM {TrackingConsent._meta.db_table} c
            WHERE c.recipient_id = e.recipient_id AND c.recorded_at <= e.occurred_at
            ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
        ), false) AS consented
    FROM relaxed,
        unnest(%(message)s::bigint[], %(recipient)s::bigint[], %(kind)s::varchar[], %(url)s::text[],
               %(occurred_at)s::timestamptz[], %(machine_reason)s::varchar[])
        WITH ORDINALITY AS e (message_id, recipient_id, kind, url, occurred_at, machine_reason, seen)
    JOIN {Message._meta.db_table} m ON m.id = e.message_id
    WHERE e.recipient_id IS NULL OR EXISTS (SELECT FROM {Recipient._meta.db_table} r WHERE r.id = e.recipient_id)
),
personal AS (
    INSERT INTO {Event._meta.db_table} (message_id, recipient_id, kind, url, occurred_at, machine, machine_reason)
    SELECT message_id, recipient_id, kind, url, occurred_at, machine, machine_reason
    FROM incoming WHERE consented AND NOT delivery ORDER BY seen
),
counted AS (
    INSERT INTO {AggregateCount._meta.db_table} AS a (message_id, kind, url, day, machine, machine_reason, count)
    SELECT message_id, kind, url, (occurred_at AT TIME ZONE 'UTC')::date, machine, machine_reason, count(*)
    FROM incoming WHERE NOT consented AND NOT delivery
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 4, 6, md5(url)
    ON CONFLICT (message_id, kind, day, machine_reason, md5(url)) DO UPDATE SET count = a.count + excluded.count
),
delivered AS (
    INSERT INTO {DeliveryCheck._meta.db_table} AS d (message_id, recipient_id, last_opened_at)
    SELECT message_id, recipient_id, max(occurred_at) FROM incoming WHERE delivery
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (message_id, recipient_id) DO UPDATE
        SET last_opened_at = greatest(d.last_opened_at, excluded.last_opened_at)
)
SELECT count(*) FROM incoming
"""


def record_events(rows: list[EventRow]) -> int:
    """Store a batch of events; the number kept (events of deleted messages or recipients are left out).

    One statement, so one round trip and, in autocommit (the batches' thread, a request), one transaction.
    """
    params: dict[str, Any] = {
        "last_open_only": settings.TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY,
        "message": [row.message_id for row in rows],
        "recipient": [row.recipient_id for row in rows],
        "kind": [row.kind for row in rows],
        "url": [row.url for row in rows],
        "occurred_at": [row.occurred_at for row in rows],
        "machine_reason": [row.machine_reason for row in rows],
    }
    try:
        return _record(params)
    except IntegrityError:
        # A deletion raced the statement (its EXISTS tests passed, the foreign keys then refused):
        # tried once more, the EXISTS tests now leave its rows out.
        return _record(params)


def _record(params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(RECORD_EVENTS, params)
        return cursor.fetchone()[0]


def record_event(
    *,
    kind: EventKind,
    message_id: int,
    recipient_id: int | None,
    machine_reason: str = MachineReason.PERSON,
    url: str = "",
    occurred_at: datetime | None = None,
) -> bool:
    """Store one event (the same statement as a batch); False when its message or recipient was deleted."""
    row = EventRow(message_id, recipient_id, str(kind), url, occurred_at or timezone.now(), str(machine_reason))
    return record_events([row]) == 1
