"""The SQL that writes opens, clicks and their batches into ``tracking_event``.

Both writers leave out, rather than fail on, the events of a message or recipient deleted since
sending (a GDPR erasure), and neither waits for the WAL flush at commit: a PostgreSQL crash may lose
the last fraction of a second of opens and clicks, never corrupt anything. ``tracking.batch`` calls
``record_events`` for each batch (decision 0004); ``record_event`` writes one event when batching is off.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tracking.models import Event, EventKind, MachineReason, Message, Recipient


class EventRow(NamedTuple):
    message_id: int
    recipient_id: int | None
    kind: str
    url: str
    occurred_at: object  # an aware datetime
    machine_reason: str


# One statement, so one round trip: the CTE relaxes synchronous_commit for this transaction only
# (SET LOCAL), so the INSERT's commit does not wait for the WAL flush. Subscription changes (the
# UPDATE in services.unsubscribe) keep the synchronous commit.
INSERT_EVENT = f"""
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
INSERT INTO {Event._meta.db_table} (message_id, recipient_id, kind, url, occurred_at, machine, machine_reason)
SELECT %s::bigint, %s::bigint, %s::varchar, %s::text, %s::timestamptz, %s::boolean, %s::varchar FROM relaxed
"""


def record_event(
    *,
    kind: EventKind,
    message_id: int,
    recipient_id: int | None,
    machine_reason: str = MachineReason.PERSON,
    url: str = "",
    occurred_at: datetime | None = None,
) -> bool:
    """Store one event with a single INSERT; False when its message or recipient was deleted since sending.

    Meant to run outside a transaction, as in a request: Django's foreign keys are checked at commit,
    which is then the INSERT itself, so an erased recipient's old e-mail records nothing.
    """
    reason = str(machine_reason)  # the value, not an Enum member (psycopg would send its name)
    values = [message_id, recipient_id, str(kind), url, occurred_at or timezone.now(), bool(reason), reason]
    try:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_EVENT, values)
    except IntegrityError:
        return False
    return True


# A batch of events is copied in; the foreign keys are checked at the end of the COPY (not at
# commit), and the commit does not wait for the WAL flush, as for a single event.
COPY_EVENTS = f"""
COPY {Event._meta.db_table} (message_id, recipient_id, kind, url, occurred_at, machine, machine_reason) FROM STDIN
"""
BATCH_SETTINGS = "SELECT set_config('synchronous_commit', 'off', true); SET CONSTRAINTS ALL IMMEDIATE"
# When the foreign keys refuse a batch (a message or recipient deleted since sending), one statement
# writes the rest: the EXISTS tests leave out the events of what was deleted; rows keep their order.
INSERT_EVENTS = f"""
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
INSERT INTO {Event._meta.db_table} (message_id, recipient_id, kind, url, occurred_at, machine, machine_reason)
SELECT e.message_id, e.recipient_id, e.kind, e.url, e.occurred_at, e.machine_reason <> '', e.machine_reason
FROM relaxed, unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::text[], %s::timestamptz[], %s::varchar[])
    WITH ORDINALITY AS e (message_id, recipient_id, kind, url, occurred_at, machine_reason, seen)
WHERE EXISTS (SELECT FROM {Message._meta.db_table} m WHERE m.id = e.message_id)
    AND (e.recipient_id IS NULL OR EXISTS (SELECT FROM {Recipient._meta.db_table} r WHERE r.id = e.recipient_id))
ORDER BY e.seen
"""


def record_events(rows: list[EventRow]) -> int:
    """Store a batch of events; the number stored (events of deleted messages or recipients are left out)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.execute(BATCH_SETTINGS)
            with cursor.cursor.copy(COPY_EVENTS) as copy:
                for row in rows:
                    copy.write_row(
                        (
                            row.message_id,
                            row.recipient_id,
                            row.kind,
                            row.url,
                            row.occurred_at,
                            bool(row.machine_reason),
                            row.machine_reason,
                        )
                    )
        return len(rows)
    except IntegrityError:
        pass
    columns = [list(column) for column in zip(*rows, strict=True)]
    try:
        return _insert_events(columns)
    except IntegrityError:
        # A deletion that raced this INSERT too: the EXISTS tests now leave its rows out.
        return _insert_events(columns)


def _insert_events(columns: list[list[object]]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(INSERT_EVENTS, columns)
        return cursor.rowcount
