"""Date ranges of the back office: a day means a day in ``TIME_ZONE``; the start is inclusive, the end exclusive."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in the site's time zone (Europe/Paris), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def parse_bound(text: str) -> datetime:
    """``2026-01-31`` (midnight, site time) or an ISO 8601 time; a time without offset is site time.

    Raises ValueError for anything else.
    """
    if len(text) == 10:
        return day_start(date.fromisoformat(text))
    moment = datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def last_days(count: int, *, today: date | None = None) -> tuple[date, date]:
    """The ``count`` days up to and including today, as (first day, day after the last)."""
    today = today or timezone.localdate()
    return today - timedelta(days=count - 1), today + timedelta(days=1)
