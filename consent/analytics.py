"""How visitors choose, for marketers: action shares and opt-in rates per day, aggregated in SQL."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from consent.models import OPTIONAL_PURPOSES, Action, ConsentRecord

ACTIONS = [Action.ACCEPT_ALL, Action.CUSTOM, Action.REJECT_ALL, Action.CLOSE, Action.WITHDRAW]


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
    """One row per day (site time zone) with decisions in [start, end), in a single GROUP BY query."""
    counts = {f"a_{a}": Count("id", filter=Q(action=a)) for a in ACTIONS}
    counts |= {f"p_{p}": Count("id", filter=Q(**{p: True})) for p in OPTIONAL_PURPOSES}
    rows = (
        ConsentRecord.objects.between(start, end)
        .annotate(day=TruncDate("decided_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(decisions=Count("id"), **counts)
        .order_by("day")
    )
    return [
        Day(
            day=row["day"],
            decisions=row["decisions"],
            actions={a: row[f"a_{a}"] for a in ACTIONS},
            granted={p: row[f"p_{p}"] for p in OPTIONAL_PURPOSES},
        )
        for row in rows
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
