"""The daily roll-up behind the analytics page: counts per Paris day and action, for settled days.

A day is *settled* once no decision can be added to it any more: the endpoint keeps a re-sent
decision's own time only if it is at most ``MAX_RESEND_AGE`` old, so a day that ended more than that
(plus a margin for clocks) ago is final in the log. Only settled days are rolled up, so the roll-up
never misses a late decision and the page, which aggregates every other day live, stays exact.

A day that has started to be purged (it begins before the retention cutoff) is never recomputed: its
roll-up keeps the counts of the complete day (anonymous figures; see docs/decisions/0003-consent-log.md).

``roll_up`` recomputes a range of days in one statement: one GROUP BY over the log, upserted with
``INSERT … ON CONFLICT DO UPDATE``; running it again gives the same rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from consent.backoffice.periods import day_start
from consent.backoffice.retention import retention_cutoff
from consent.models import OPTIONAL_PURPOSES, ConsentRecord
from consent.policy import MAX_RESEND_AGE

logger = logging.getLogger(__name__)

DAILY_TABLE = "consent_rollup_daily"  # (day, action) -> decisions and opt-ins per purpose
DAYS_TABLE = "consent_rollup_day"  # the days the roll-up covers, with or without decisions
PURPOSE_COLUMNS = tuple(str(p) for p in OPTIONAL_PURPOSES)  # one column each, in the log and here
# Clocks of the web servers and of the database may differ a little; a re-sent decision may also
# take a while to be inserted. An hour is far more than either.
CLOCK_MARGIN = timedelta(hours=1)

ROLL_UP = f"""
WITH fresh AS (
    SELECT (decided_at AT TIME ZONE %(tz)s)::date AS day, action, count(*) AS decisions,
           {", ".join(f"count(*) FILTER (WHERE {p}) AS {p}" for p in PURPOSE_COLUMNS)}
    FROM {ConsentRecord._meta.db_table}
    WHERE decided_at >= %(start)s AND decided_at < %(end)s
    GROUP BY 1, 2
), upserted AS (
    INSERT INTO {DAILY_TABLE} (day, action, decisions, {", ".join(PURPOSE_COLUMNS)})
    SELECT day, action, decisions, {", ".join(PURPOSE_COLUMNS)} FROM fresh
    ON CONFLICT (day, action) DO UPDATE SET decisions = EXCLUDED.decisions,
        {", ".join(f"{p} = EXCLUDED.{p}" for p in PURPOSE_COLUMNS)}
), stale AS (
    DELETE FROM {DAILY_TABLE} r
    WHERE r.day >= %(since)s AND r.day < %(until)s
      AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.day = r.day AND f.action = r.action)
)
INSERT INTO {DAYS_TABLE} (day, decisions, rolled_up_at)
SELECT d::date, coalesce(t.decisions, 0), now()
FROM generate_series(%(since)s::date, %(until)s::date - 1, interval '1 day') AS d
LEFT JOIN (SELECT day, sum(decisions) AS decisions FROM fresh GROUP BY day) AS t ON t.day = d::date
ON CONFLICT (day) DO UPDATE SET decisions = EXCLUDED.decisions, rolled_up_at = EXCLUDED.rolled_up_at
"""


@dataclass(frozen=True)
class Rollup:
    since: date | None  # first day recomputed (inclusive); None when there was nothing to do
    until: date | None  # day after the last one recomputed
    days: int
    decisions: int


def settled_until(*, now: datetime | None = None) -> date:
    """The first day that is not settled yet: every day before it is final in the log."""
    return timezone.localdate((now or timezone.now()) - MAX_RESEND_AGE - CLOCK_MARGIN, timezone.get_default_timezone())


def retained_since(*, now: datetime | None = None) -> date:
    """The first day none of whose records the retention purge may have deleted yet."""
    cutoff = retention_cutoff(now=now)
    first = timezone.localdate(cutoff, timezone.get_default_timezone())
    return first if day_start(first) >= cutoff else first + timedelta(days=1)


def roll_up(since: date | None = None, until: date | None = None, *, now: datetime | None = None) -> Rollup:
    """Recompute the roll-up of the days from ``since`` (inclusive) to ``until`` (exclusive).

    The range is narrowed to settled days that the purge has not touched. Without ``since``, it starts
    at the first day not rolled up yet (so the nightly run catches up after missed nights, and the
    first run fills the whole history); without ``until``, it ends with the last settled day.
    """
    now = now or timezone.now()
    since = max(since or _first_missing_day(now=now), retained_since(now=now))
    until = min(until or settled_until(now=now), settled_until(now=now))
    if since >= until:
        logger.info("consent roll-up: nothing to do")
        return Rollup(since=None, until=None, days=0, decisions=0)
    params: dict[str, Any] = {
        "tz": timezone.get_default_timezone_name(),
        "start": day_start(since),
        "end": day_start(until),
        "since": since,
        "until": until,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ROLL_UP, params)
        cursor.execute(
            f"SELECT coalesce(sum(decisions), 0) FROM {DAYS_TABLE} WHERE day >= %s AND day < %s", [since, until]
        )
        decisions = cursor.fetchone()[0]
    days = (until - since).days
    logger.info("consent roll-up", extra={"since": since.isoformat(), "until": until.isoformat(), "days": days})
    return Rollup(since=since, until=until, days=days, decisions=decisions)


def _first_missing_day(*, now: datetime) -> date:
    """The first day, from the oldest record on, that the roll-up does not cover yet."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(decided_at) FROM {ConsentRecord._meta.db_table}")
        oldest = cursor.fetchone()[0]
        if oldest is None:
            return settled_until(now=now)
        first = max(timezone.localdate(oldest, timezone.get_default_timezone()), retained_since(now=now))
        # The first day of the series that has no row in the coverage table.
        cursor.execute(
            f"""SELECT d::date FROM generate_series(%s::date, %s::date, interval '1 day') AS d
                WHERE NOT EXISTS (SELECT 1 FROM {DAYS_TABLE} r WHERE r.day = d::date) ORDER BY d LIMIT 1""",
            [first, settled_until(now=now)],
        )
        row = cursor.fetchone()
    return row[0] if row else settled_until(now=now)
