"""Recompute the daily seals of the consent log and name every day that differs from its seal.

A day *differs* when its records no longer give its sealed digest (a record changed, deleted or
inserted back-dated), when its seal no longer fits the chain (a seal altered, deleted, or the chain
cut), or when its seal differs from a copy the DPO kept outside the database. A day is *purged* when
the retention purge took its records: its seal stays, and the day is not counted as tampered.

The purge deletes the oldest records first, up to a moment in the middle of a day (now minus the
retention). So among the days the purge may have reached (``retained_since``), days emptied come
first, then at most one day partly purged, then days whole; records missing anywhere else are named.
A partly purged day cannot be compared record by record (its seal covers the records gone): it is
reported as purged with the count left, and it is empty after the next night's purge. See
docs/decisions/0006-daily-seals.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils import timezone

from consent.backoffice.rollup import retained_since, settled_until
from consent.backoffice.seals import (
    COLUMNS,
    GENESIS,
    TIME_ZONE,
    VERSION,
    day_digests,
    oldest_day,
    seal_digest,
    seal_fields,
)
from consent.backoffice.timestamps import BadToken, Stamp, verify_token
from consent.models import DaySeal, SealTimestamp

ONE_DAY = timedelta(days=1)


class Status(StrEnum):
    OK = "ok"
    PURGED = "purged"
    DIFFERS = "differs"
    NOT_SEALED = "not sealed"


@dataclass(frozen=True)
class DayCheck:
    day: date
    status: Status
    records: int  # in the log now
    seal: DaySeal | None = None
    details: tuple[str, ...] = ()  # why it differs, or what "purged" / "not sealed" means here
    timestamp: Stamp | None = None  # the seal's RFC 3161 token, checked

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "status": str(self.status),
            "records_in_log": self.records,
            "seal": seal_fields(self.seal) if self.seal else None,
            "timestamp": (
                {"time": self.timestamp.time.isoformat(), "authority": self.timestamp.authority}
                if self.timestamp
                else None
            ),
            "details": list(self.details),
        }


def verify_seals(
    since: date | None = None,
    until: date | None = None,
    *,
    now: datetime | None = None,
    copy: Mapping[date, str] | None = None,
    copy_tokens: Mapping[date, bytes] | None = None,
) -> list[DayCheck]:
    """Check each day from ``since`` (inclusive) to ``until`` (exclusive) against its seal.

    By default, from the first sealed day (or an older record's) to today. ``copy`` maps days to the
    seals of a copy kept off-site, ``copy_tokens`` to the timestamp tokens it carries (the nightly
    e-mail's attachment): each is checked against the database's seal of its day. Days before the
    chain that hold no record are left out.
    """
    now = now or timezone.now()
    seals = list(DaySeal.objects.order_by("day"))
    stamps = {stamp.day: stamp for stamp in SealTimestamp.objects.all()}
    by_day = {seal.day: seal for seal in seals}
    first, last = (seals[0].day, seals[-1].day) if seals else (None, None)
    today = timezone.localdate(now, ZoneInfo(TIME_ZONE))
    since = since or min(d for d in (first, oldest_day(), *(copy or ()), today) if d)
    until = until or today + ONE_DAY
    if since >= until:
        return []
    found = _recompute(since, until, by_day)
    chain = _chain_problems(seals)
    retained, settled = retained_since(now=now), settled_until(now=now)

    checks = []
    kept = False  # a day the purge may have reached, before this one, still holds records
    for day in (since + ONE_DAY * i for i in range((until - since).days)):
        records, digest = found.get(day, (0, None))
        seal = by_day.get(day)
        if seal is None:
            check = _unsealed(day, records, first=first, last=last, settled=settled, copy=copy)
        else:
            expired = day < retained
            check = _sealed(seal, records, digest, chain.get(day, ()), expired=expired, kept=kept, copy=copy)
            kept = kept or (expired and records > 0)
        if check and seal is not None and day in stamps:
            check = _with_timestamp(check, bytes(stamps[day].token))
        if check and seal is not None and copy_tokens and day in copy_tokens:
            check = _with_timestamp(check, copy_tokens[day], where="the copy's timestamp token")
        if check:
            checks.append(check)
    return checks


def _with_timestamp(check: DayCheck, token: bytes, *, where: str = "timestamp token") -> DayCheck:
    """The day's check with a token of its seal checked: a bad token makes the day differ."""
    if check.seal is None:
        return check
    try:
        verified = verify_token(token, check.seal.digest, sealed_at=check.seal.sealed_at)
    except BadToken as exc:
        return replace(check, status=Status.DIFFERS, details=(*check.details, f"{where}: {exc}"))
    return replace(check, timestamp=check.timestamp or verified)


def _unsealed(
    day: date, records: int, *, first: date | None, last: date | None, settled: date, copy: Mapping[date, str] | None
) -> DayCheck | None:
    if copy and day in copy:
        return _differs(day, records, "sealed in the copy kept off-site, not in the database")
    if last is None or day > last:
        state = "settled; the next seal_consents seals it" if day < settled else "open to re-sent decisions"
        return DayCheck(day, Status.NOT_SEALED, records, details=(state,))
    if first is not None and day > first:
        return _differs(day, records, f"no seal, though the chain runs from {first} to {last}")
    if records:
        return _differs(day, records, f"{_records(records)} before the first seal ({first})")
    return None  # before the chain, and nothing to seal


def _sealed(
    seal: DaySeal,
    records: int,
    digest: str | None,
    chain_problems: Iterable[str],
    *,
    expired: bool,
    kept: bool,
    copy: Mapping[date, str] | None,
) -> DayCheck:
    """``expired``: the purge may have reached the day; ``kept``: an earlier such day still holds records."""
    problems = list(chain_problems)
    purged = ""
    if seal.version not in COLUMNS:
        problems.append(f"unknown seal version {seal.version}")
    elif records > seal.records:
        problems.append(f"{_records(records - seal.records)} more than the {seal.records} sealed: inserted")
    elif records == seal.records:
        if digest != seal.records_digest:
            problems.append(f"records changed: {records} as sealed, with another digest")
    elif expired and not kept:
        purged = (
            "records purged (past the retention period); the seal keeps their digest"
            if not records
            else f"purge under way: {records} left of the {seal.records} sealed, not compared"
        )
    else:
        problems.append(
            f"{_records(seal.records - records)} missing of the {seal.records} sealed: deleted"
            + (" (an earlier day still holds records, and the purge deletes the oldest first)" if kept else "")
        )
    if copy and seal.day in copy and copy[seal.day] != seal.digest:
        problems.append("the seal differs from the copy kept off-site")
    if problems:
        return DayCheck(seal.day, Status.DIFFERS, records, seal, tuple(problems))
    return DayCheck(seal.day, Status.PURGED if purged else Status.OK, records, seal, (purged,) if purged else ())


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def _differs(day: date, records: int, reason: str) -> DayCheck:
    return DayCheck(day, Status.DIFFERS, records, details=(reason,))


def _recompute(since: date, until: date, seals: Mapping[date, DaySeal]) -> dict[date, tuple[int, str]]:
    """Count and digest of each day, with the version of its seal (the current one for unsealed days)."""
    found = day_digests(since, until)
    for version in {s.version for s in seals.values() if since <= s.day < until} - {VERSION}:
        if version not in COLUMNS:
            continue
        days = sorted(day for day, s in seals.items() if s.version == version and since <= day < until)
        digests = day_digests(days[0], days[-1] + ONE_DAY, version=version)
        found.update({day: digests[day] for day in days})
    return found


def _chain_problems(seals: list[DaySeal]) -> dict[date, list[str]]:
    """Per day, what is wrong with its seal itself or its link to the previous seal."""
    problems: dict[date, list[str]] = defaultdict(list)
    previous: DaySeal | None = None
    for seal in seals:
        if seal.digest != seal_digest(
            version=seal.version,
            day=seal.day,
            records=seal.records,
            records_digest=seal.records_digest,
            previous_digest=seal.previous_digest,
        ):
            problems[seal.day].append("the seal does not match its own fields: altered")
        if previous is None and seal.previous_digest != GENESIS:
            problems[seal.day].append("the first seal follows another one: earlier seals deleted")
        elif previous is not None and seal.previous_digest != previous.digest:
            problems[seal.day].append(f"chain broken: the seal does not follow the seal of {previous.day}")
        previous = seal
    return problems


def summary(checks: list[DayCheck]) -> dict[str, int]:
    counts = dict.fromkeys(map(str, Status), 0)
    for check in checks:
        counts[str(check.status)] += 1
    return counts
