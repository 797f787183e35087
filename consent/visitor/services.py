"""Writes of the visitor's side: a decision as proof of consent, undeclared cookie names."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

from consent.models import OPTIONAL_PURPOSES, ConsentRecord, UndeclaredCookie
from consent.visitor.decision import Decision
from ratelimit.clients import NETWORK_FACTOR


@dataclass(frozen=True)
class StoredDecision:
    """The row on record for a decision ID: what the proof says, and so what the visitor's cookie says."""

    consent_id: uuid.UUID
    action: str
    choices: dict[str, bool]
    revision: int
    decided_at: datetime  # the database's bound of the browser's time (migration 0012)


@dataclass(frozen=True)
class Recorded:
    """What the database answered for one decision."""

    # The row on record for this decision: the one just inserted, or, when the same decision_id was
    # stored before (its answer was lost and it is sent again), the first one. None when over the
    # rate limit with nothing on record.
    stored: StoredDecision | None
    inserted: bool  # False: sent again (or over the limit); ``stored`` is then the earlier row
    # True when the client is over its rate limit: nothing was stored.
    limited: bool
    retry_after: int  # seconds until the client's limit starts afresh


def record_consent(
    *,
    consent_id: uuid.UUID,
    decision: Decision,
    action: str,
    choices: dict[str, bool],
    revision: int,
    banner_hash: str,
    language: str,
    user_agent: str,
    client: str,
    network: str | None = None,
    now: float | None = None,
) -> Recorded:
    """Count the decision against the client's rate limit and store it, in one call.

    One round trip in autocommit to ``consent_record_decision()`` (migrations 0010 and 0012): the rate
    limit's upsert, the INSERT (``ON CONFLICT DO NOTHING``: a decision re-sent after an outage carries
    its original ``decision_id`` and is stored once), and the row on record for that ``decision_id``,
    which the caller answers with. Over the limit, nothing is stored.
    Raises ``django.db.DatabaseError`` when the database cannot be reached.
    """
    window = RATE_WINDOW_SECONDS
    timestamp = time.time() if now is None else now
    window_start = int(timestamp // window * window)
    params = {
        "scope": RATE_SCOPE,
        "client": client,
        "window_start": datetime.fromtimestamp(window_start, UTC),
        "rate_limit": settings.CONSENT_RATE_LIMIT,
        # An IPv6 client's /48, counted too (ratelimit.clients.network_key); None for IPv4.
        "network": network,
        "network_limit": settings.CONSENT_RATE_LIMIT * NETWORK_FACTOR,
        "consent_id": consent_id,
        "decision_id": decision.decision_id,
        "decided_at": decision.decided_at,
        "action": action,
        "policy_revision": revision,
        "banner_hash": banner_hash,
        "language": language[:_LANGUAGE_LENGTH],
        "source": decision.source,
        "gpc": decision.gpc,
        "user_agent": user_agent.replace("\x00", "")[:_USER_AGENT_LENGTH],  # PostgreSQL text cannot hold NUL
        "page_path": decision.page_path,
        **choices,
    }
    with _prepared_cursor() as cursor:
        cursor.execute(_RECORD, params)
        limited, inserted, on_record, stored_action, *purposes, stored_revision, stored_decided_at = cursor.fetchone()
    stored = (
        StoredDecision(
            consent_id=on_record,
            action=stored_action,
            choices=dict(zip(OPTIONAL_PURPOSES, purposes, strict=True)),
            revision=stored_revision,
            decided_at=stored_decided_at,
        )
        if on_record is not None
        else None
    )
    return Recorded(
        stored=stored,
        inserted=inserted,
        limited=limited and stored is None,
        retry_after=max(1, window_start + window - int(timestamp)),
    )


RATE_SCOPE = "consent-decision"
RATE_WINDOW_SECONDS = 60
_LANGUAGE_LENGTH = ConsentRecord._meta.get_field("language").max_length
_USER_AGENT_LENGTH = ConsentRecord._meta.get_field("user_agent").max_length
# Every column of a record but those the database fills: each is a parameter of the function, by name.
RECORD_COLUMNS = [
    f.column for f in ConsentRecord._meta.concrete_fields if not f.primary_key and f.name != "recorded_at"
]
RECORD_PARAMETERS = ["scope", "client", "window_start", "rate_limit", *RECORD_COLUMNS, "network", "network_limit"]
_STORED = ", ".join(f"stored_{slug}" for slug in OPTIONAL_PURPOSES)
_RECORD = (
    f"SELECT limited, inserted, on_record, stored_action, {_STORED}, stored_revision, stored_decided_at"
    " FROM consent_record_decision({})"
).format(", ".join(f"{name} => %({name})s" for name in RECORD_PARAMETERS))


def _prepared_cursor() -> CursorWrapper:
    """A cursor of Django's default connection whose parameters PostgreSQL binds itself.

    Django sends each statement as text with its parameters quoted in Python, and PostgreSQL parses
    and plans it every time. The decision is the one statement sent hundreds of times a second:
    bound by the server and, with ``DATABASE_PREPARED_STATEMENTS`` (settings), prepared once per
    connection, it skips the quoting, the parsing and the planning (bench: POST /consent/). Django's
    own queries keep their client-side binding, so the setting prepares nothing else. Django's
    wrapper is kept: errors are Django's, and tests count the query.
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    wrapper = CursorDebugWrapper if connection.queries_logged else CursorWrapper
    return wrapper(cursor, connection)


def report_undeclared_cookies(*, names: list[str]) -> None:
    """Count cookie names that no declaration covers, in one upsert.

    Names already listed are counted again; new ones are added while the list holds fewer than
    ``UNDECLARED_COOKIES_CAP`` names, so that a script sending made-up names cannot grow it without
    bound (marketers review and delete the list's names in the admin).
    """
    table = UndeclaredCookie._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH sent AS (
                SELECT n, EXISTS (SELECT 1 FROM {table} t WHERE t.name = n) AS listed
                FROM unnest(%s::text[]) AS n
            ), room AS (
                SELECT greatest(%s - count(*), 0) AS free FROM {table}
            )
            INSERT INTO {table} (name, reports)
            SELECT n, 1 FROM sent WHERE listed
            UNION ALL
            (SELECT n, 1 FROM sent WHERE NOT listed ORDER BY n LIMIT (SELECT free FROM room))
            ON CONFLICT (name) DO UPDATE
            SET reports = {table}.reports + 1, last_seen = now()
            """,
            [sorted(set(names)), UNDECLARED_COOKIES_CAP],
        )


UNDECLARED_COOKIES_CAP = 1000
