"""Writes of the consent app: recording a decision as proof of consent."""

from __future__ import annotations

import uuid

from django.db import connection

from consent.models import ConsentRecord, UndeclaredCookie
from consent.visitor.decision import Decision
from consent.visitor.snapshot import get_snapshot


def record_consent(
    *,
    consent_id: uuid.UUID,
    decision: Decision,
    action: str,
    choices: dict[str, bool],
    language: str,
    user_agent: str,
) -> None:
    """Store one decision with a single INSERT (``ON CONFLICT DO NOTHING``).

    A decision re-sent after an outage carries its original ``decision_id``, so it is stored once.
    Raises ``django.db.DatabaseError`` when the database cannot be reached.
    """
    snapshot = get_snapshot()
    values = {
        "consent_id": consent_id,
        "decision_id": decision.decision_id,
        "decided_at": decision.decided_at,
        "action": action,
        "policy_revision": min(decision.revision or snapshot.revision, snapshot.revision),
        "banner_hash": snapshot.banner_hash,
        "language": language[:_LANGUAGE_LENGTH],
        "source": decision.source,
        "gpc": decision.gpc,
        "user_agent": user_agent.replace("\x00", "")[:_USER_AGENT_LENGTH],  # PostgreSQL text cannot hold NUL
        "page_path": decision.page_path,
        **choices,
    }
    # One statement in autocommit, one round trip: the ORM's bulk_create would add BEGIN/COMMIT.
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [values[column] for column in _COLUMNS])


_LANGUAGE_LENGTH = ConsentRecord._meta.get_field("language").max_length
_USER_AGENT_LENGTH = ConsentRecord._meta.get_field("user_agent").max_length
_COLUMNS = [f.column for f in ConsentRecord._meta.concrete_fields if not f.primary_key and f.name != "recorded_at"]
_INSERT = (
    f"INSERT INTO {ConsentRecord._meta.db_table} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT (decision_id) DO NOTHING"
)


def report_undeclared_cookies(*, names: list[str]) -> None:
    """Count cookie names that no declaration covers, in one upsert."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {UndeclaredCookie._meta.db_table} (name, reports)
            SELECT unnest(%s::text[]), 1
            ON CONFLICT (name) DO UPDATE
            SET reports = {UndeclaredCookie._meta.db_table}.reports + 1, last_seen = now()
            """,
            [sorted(set(names))],
        )
