"""Withdrawals per purpose since a date, for the DPO to pass on to vendors without a deletion API.

A withdrawal is a record that refuses a purpose the same consent ID's previous record granted. The
previous record may be older than the date asked for, so the window runs over the whole log and only
the count keeps to the period: one sequential read of the log, in the database.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from consent.models import OPTIONAL_PURPOSES, ConsentRecord

# The columns are the purposes' own (consent.models.ConsentRecord), never text from a request.
_SQL = """
SELECT {counts} FROM (
    SELECT decided_at, {columns}
    FROM {table}
    WINDOW previous AS (PARTITION BY consent_id ORDER BY decided_at, id)
) AS decisions
WHERE decided_at >= %s
"""


def withdrawals_since(since: datetime) -> dict[str, int]:
    """How many times each optional purpose was withdrawn since ``since``."""
    purposes = list(OPTIONAL_PURPOSES)
    columns = ", ".join(f"{p}, lag({p}) OVER previous AS was_{p}" for p in purposes)
    counts = ", ".join(f"count(*) FILTER (WHERE was_{p} AND NOT {p})" for p in purposes)
    sql = _SQL.format(counts=counts, columns=columns, table=ConsentRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [since])
        row = cursor.fetchone()
    return dict(zip(purposes, row, strict=True))
