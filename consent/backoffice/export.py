"""The consent log as files for the DPO: CSV or JSON Lines by time range, and one visitor's history.

Rows come from PostgreSQL's ``COPY (SELECT …) TO STDOUT``, which the server streams row by row, so
memory stays flat whatever the range; PostgreSQL also formats every value (ISO 8601 UTC times, JSON),
which keeps the export within a few percent of a bare COPY (see bench/backoffice.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from psycopg import sql

from consent.models import OPTIONAL_PURPOSES, BannerVersion, ConsentRecord, PolicyRevision
from exports.cells import neutralised_sql

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
FLUSH_BYTES = 256 * 1024


def _utc(column: str) -> str:
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


# Output name -> SQL expression; one column per optional purpose ("necessary" is always granted).
COLUMNS: list[tuple[str, str]] = [
    ("consent_id", "consent_id"),
    ("decision_id", "decision_id"),
    ("decided_at", _utc("decided_at")),
    ("recorded_at", _utc("recorded_at")),
    ("action", "action"),
    *((str(slug), str(slug)) for slug in OPTIONAL_PURPOSES),
    ("gpc", "gpc"),
    ("policy_revision", "policy_revision"),
    ("banner_hash", "banner_hash"),
    ("language", "language"),
    ("source", "source"),
    ("page_path", "page_path"),
    ("user_agent", "user_agent"),
]
# Columns whose text the visitor's browser sent: in CSV, neutralised so no spreadsheet runs them.
SENT_BY_VISITORS = {"page_path", "user_agent"}


def select_sql(fmt: str, start: datetime, end: datetime) -> sql.Composed:
    """The SELECT of the rows decided in [start, end), oldest first, shaped for ``fmt``."""
    fields: sql.Composable
    if fmt == "csv":
        # ::text writes booleans as true/false rather than COPY's t/f.
        fields = sql.SQL(", ").join(
            sql.SQL(f"{neutralised_sql(expr) if name in SENT_BY_VISITORS else f'({expr})::text'} AS {name}")
            for name, expr in COLUMNS
        )
    elif fmt == "jsonl":
        pairs = ", ".join(f"'{name}', {expr}" for name, expr in COLUMNS)
        fields = sql.SQL(f"json_build_object({pairs})::text")
    else:
        raise ValueError(f"unknown format {fmt!r}")
    # The ORDER BY names the table's columns: a bare "decided_at" would mean the formatted text column
    # of the same name, and PostgreSQL would sort instead of reading the index in order.
    return sql.SQL(
        "SELECT {fields} FROM {table} AS r WHERE r.decided_at >= {start} AND r.decided_at < {end} "
        "ORDER BY r.decided_at, r.id"
    ).format(
        fields=fields,
        table=sql.Identifier(ConsentRecord._meta.db_table),
        start=sql.Literal(start),
        end=sql.Literal(end),
    )


def copy_sql(fmt: str, start: datetime, end: datetime) -> sql.Composed:
    options = "FORMAT csv, HEADER" if fmt == "csv" else "FORMAT text"
    return sql.SQL("COPY ({select}) TO STDOUT WITH ({options})").format(
        select=select_sql(fmt, start, end), options=sql.SQL(options)
    )


def stream_export(
    fmt: str, start: datetime, end: datetime, *, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export file in chunks of about 256 KB; ``progress`` receives the running row count."""
    # COPY's text format doubles every backslash; JSON never holds a raw tab or newline, so undoing
    # the doubling gives the JSON text back exactly. Done per chunk of whole rows, not per row.
    unescape = fmt == "jsonl"
    rows = -1 if fmt == "csv" else 0  # the header is not a record
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.copy(copy_sql(fmt, start, end)) as copy:
        for row in copy:
            buffer += row
            rows += 1
            if len(buffer) >= FLUSH_BYTES:
                yield bytes(buffer).replace(b"\\\\", b"\\") if unescape else bytes(buffer)
                buffer.clear()
                if progress:
                    progress(rows)
    if buffer:
        yield bytes(buffer).replace(b"\\\\", b"\\") if unescape else bytes(buffer)
    if progress:
        progress(rows)


def filename(fmt: str, start: datetime, end: datetime) -> str:
    return f"consentements_{start:%Y-%m-%d}_{end:%Y-%m-%d}.{fmt}"


def iso_utc(moment: datetime) -> str:
    """The same text as the SQL exports: 2026-01-31T23:00:00.000000Z."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}"


def consent_history(consent_id: uuid.UUID) -> dict[str, Any]:
    """Every decision recorded under one consent ID, and the policy revisions they refer to.

    The document the DPO sends to a visitor who asks what was recorded about them.
    """
    records = list(ConsentRecord.objects.for_consent_id(consent_id))
    numbers = {r.policy_revision for r in records}
    revisions = PolicyRevision.objects.filter(number__in=numbers).order_by("number")
    return {
        "consent_id": str(consent_id),
        "exported_at": iso_utc(datetime.now(UTC)),
        "decisions": [
            {
                "decision_id": str(r.decision_id),
                "decided_at": iso_utc(r.decided_at),
                "recorded_at": iso_utc(r.recorded_at),
                "action": r.action,
                "choices": r.choices(),
                "gpc": r.gpc,
                "policy_revision": r.policy_revision,
                "banner_hash": r.banner_hash,
                "language": r.language,
                "source": r.source,
                "page_path": r.page_path,
                "user_agent": r.user_agent,
            }
            for r in records
        ],
        "policy_revisions": [
            {
                "number": rev.number,
                "published_at": iso_utc(rev.created_at),
                "note": rev.note,
                "banner_hash": rev.banner_hash,
            }
            for rev in revisions
        ],  # The banner and dialog each decision's page showed, exactly as stored before it was served.
        "banner_versions": [
            {
                "hash": v.hash,
                "revision": v.revision,
                "language": v.language,
                "first_shown_at": iso_utc(v.created_at),
                "html": v.html,
                "declarations": v.declarations,
            }
            for v in BannerVersion.objects.filter(hash__in={r.banner_hash for r in records}).order_by("created_at")
        ],
    }
