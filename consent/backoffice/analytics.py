"""How visitors choose, for marketers: action shares and opt-in rates per day, aggregated in SQL."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from consent.backoffice.rollup import DAILY_TABLE, DAYS_TABLE, PURPOSE_COLUMNS
from consent.models import OPTIONAL_PURPOSES, Action, ConsentRecord

ACTIONS = [Action.ACCEPT_ALL, Action.CUSTOM, Action.REJECT_ALL, Action.CLOSE, Action.WITHDRAW]

# ``period``: each day of the period with its bounds, cut to [start, end); ``whole`` when the cut is
# none. ``rolled``: the whole days the roll-up covers. ``parts``: (day, action) counts, from the
# roll-up for those days and from the log for the others; the join on a day's bounds is a
# parameterized range scan of the decided_at index, so the log is read only for the days not rolled
# up. The outer query pivots the actions into columns, in the order of ACTIONS then PURPOSE_COLUMNS
# (action values are constants of the code, written into the SQL as literals).
DAILY = f"""
WITH period AS (
    SELECT d.day, greatest(%(start)s, b.lo) AS lo, least(%(end)s, b.hi) AS hi,
           b.lo >= %(start)s AND b.hi <= %(end)s AS whole
    FROM (SELECT g::date AS day FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS g) AS d,
         LATERAL (SELECT d.day::timestamp AT TIME ZONE %(tz)s AS lo,
                         (d.day + 1)::timestamp AT TIME ZONE %(tz)s AS hi) AS b
), rolled AS (
    SELECT p.day FROM period p WHERE p.whole AND EXISTS (SELECT 1 FROM {DAYS_TABLE} c WHERE c.day = p.day)
), parts AS (
    SELECT r.day, r.action, r.decisions, {", ".join(f"r.{p}" for p in PURPOSE_COLUMNS)}
    FROM {DAILY_TABLE} r WHERE r.day IN (SELECT day FROM rolled)
    UNION ALL
    SELECT p.day, c.action, count(*), {", ".join(f"count(*) FILTER (WHERE c.{p})" for p in PURPOSE_COLUMNS)}
    FROM period p JOIN {ConsentRecord._meta.db_table} c ON c.decided_at >= p.lo AND c.decided_at < p.hi
    WHERE NOT EXISTS (SELECT 1 FROM rolled WHERE rolled.day = p.day)
    GROUP BY p.day, c.action
)
SELECT day, sum(decisions)::bigint,
       {", ".join(f"coalesce(sum(decisions) FILTER (WHERE action = '{a.value}'), 0)::bigint" for a in ACTIONS)},
       {", ".join(f"sum({p})::bigint" for p in PURPOSE_COLUMNS)}
FROM parts GROUP BY day ORDER BY day
"""


@dataclass(frozen=True)
class Day:
    day: date
    decisions: int
    actions: dict[str, int]  # action -> decisions
    granted: dict[str, int]  # optional purpose -> decisions that grant it

    def share(self, action: str) -> float:
        return self.actions[action] / self.decisions if self.decisions else 0.0

    def opt_in(self, purpose: str) -> float:
        """The share of the day's decisions that grant ``purpose``."""
        return self.granted[purpose] / self.decisions if self.decisions else 0.0


def daily(start: datetime, end: datetime) -> list[Day]:
    """One row per day (site time zone) with decisions in [start, end), in a single query.

    Days wholly inside the period that the roll-up covers are read from it (a few rows each); every
    other day (today, the days not settled yet, a day cut by ``start`` or ``end``) is aggregated live
    from the log through the ``decided_at`` index, one range per day. The figures are the same as
    a live aggregate of the whole period (see consent/rollup.py).
    """
    if end <= start:
        return []
    tz = timezone.get_default_timezone()
    params: dict[str, Any] = {
        "start": start,
        "end": end,
        "first": timezone.localdate(start, tz),
        "last": timezone.localdate(end - timedelta(microseconds=1), tz),
        "tz": timezone.get_default_timezone_name(),
    }
    with connection.cursor() as cursor:
        cursor.execute(DAILY, params)
        rows = cursor.fetchall()
    return [
        Day(
            day=day,
            decisions=decisions,
            actions=dict(zip(ACTIONS, counts[: len(ACTIONS)], strict=True)),
            granted=dict(zip(OPTIONAL_PURPOSES, counts[len(ACTIONS) :], strict=True)),
        )
        for day, decisions, *counts in rows
    ]


def total(days: list[Day]) -> Day | None:
    """The whole period as one row (a sum over at most a few hundred days)."""
    if not days:
        return None
    return Day(
        day=days[0].day,
        decisions=sum(d.decisions for d in days),
        actions={a: sum(d.actions[a] for d in days) for a in ACTIONS},
        granted={p: sum(d.granted[p] for d in days) for p in OPTIONAL_PURPOSES},
    )


def to_csv(days: list[Day]) -> str:
    """The aggregates as CSV: counts per action, opt-in rates per purpose (0 to 1, four decimals)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "decisions", *ACTIONS, *(f"{p}_opt_in" for p in OPTIONAL_PURPOSES)])
    for d in days:
        writer.writerow(
            [
                d.day.isoformat(),
                d.decisions,
                *(d.actions[a] for a in ACTIONS),
                *(f"{d.opt_in(p):.4f}" for p in OPTIONAL_PURPOSES),
            ]
        )
    return out.getvalue()
