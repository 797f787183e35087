"""Daily seals of the consent log: what a database superuser or a restored backup changed shows.

Each settled Paris day (no decision can be added to it any more, see consent/backoffice/rollup.py) is
sealed once by the nightly ``manage.py seal_consents``: the SHA-256 of its records in (decided_at, id)
order, chained to the previous day's seal, stored in the append-only ``consent_dayseal``. The digests
are computed by PostgreSQL (``sha256()`` over a canonical text, one index range scan per day), so no
row leaves the database. ``manage.py verify_consent_log`` recomputes them (consent/backoffice/verification.py).

The definition, exactly (docs/decisions/0006-daily-seals.md has a recipe to recompute it elsewhere):

- **Record text**: every column of the record, in ``COLUMNS`` order, joined by tabs (U+0009):
  integers in decimal, UUIDs in lowercase with hyphens, booleans ``true``/``false``, times in UTC as
  ``2026-03-02T08:00:00.000000Z``, text columns as stored but with each backslash doubled and each tab
  written ``\\t`` (so that the tabs between columns are the only ones, and the text splits back).
- **Record hash**: SHA-256 of the record text's UTF-8 bytes, in lowercase hex.
- **Day's records digest**: SHA-256 of the day's record hashes, each followed by a line feed, in
  (decided_at, id) order; a day without records gives the SHA-256 of nothing (e3b0c442…).
- **Seal**: SHA-256 of ``<version>\\n<day>\\n<records>\\n<records digest>\\n<previous seal>\\n``, the
  previous seal being the one of the day before (64 zeros for the first day of the chain).

A version is frozen once seals use it: a new column of the log needs a new version (a test fails until
then), and old seals keep being checked with their own.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from consent.backoffice.export import iso_utc
from consent.backoffice.rollup import settled_until
from consent.models import ConsentRecord, DaySeal

logger = logging.getLogger(__name__)

GENESIS = "0" * 64  # the "previous seal" of the first day of the chain
# The days of version 1. The site's TIME_ZONE is the same (a test checks it): the seals follow the days
# that the back office settles and shows.
TIME_ZONE = "Europe/Paris"


def _typed(column: str) -> str:
    return f"r.{column}::text"  # a number, a UUID or a boolean: no tab, no backslash


def _utc(column: str) -> str:
    return f"""to_char(r.{column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def _escaped(column: str) -> str:
    return rf"replace(replace(r.{column}, '\', '\\'), E'\t', '\t')"


# Version -> (column, SQL giving its canonical text). Frozen: never edit a version that seals use.
COLUMNS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("id", _typed("id")),
        ("consent_id", _typed("consent_id")),
        ("decision_id", _typed("decision_id")),
        ("decided_at", _utc("decided_at")),
        ("recorded_at", _utc("recorded_at")),
        ("action", _escaped("action")),
        ("preferences", _typed("preferences")),
        ("statistics", _typed("statistics")),
        ("advertising", _typed("advertising")),
        ("policy_revision", _typed("policy_revision")),
        ("banner_hash", _escaped("banner_hash")),
        ("language", _escaped("language")),
        ("source", _escaped("source")),
        ("gpc", _typed("gpc")),
        ("user_agent", _escaped("user_agent")),
        ("page_path", _escaped("page_path")),
    ),
}
VERSION = max(COLUMNS)  # what new seals use


def record_hash_sql(version: int) -> str:
    """The SQL expression of a record's hash (the record is ``r``)."""
    # One concat_ws call: twice as fast as length-prefixed fields built with ||. Every column is NOT
    # NULL; a NULL would be left out of the text, which then no longer matches its seal.
    fields = ", ".join(expr for _, expr in COLUMNS[version])
    return f"encode(sha256(convert_to(concat_ws(E'\\t', {fields}), 'UTF8')), 'hex')"


def days_sql(version: int) -> str:
    # One index range scan per day, read in (decided_at, id) order: the ordered aggregate needs no sort.
    return f"""
SELECT %(since)s::date + i, s.records, s.records_digest
FROM generate_series(0, %(days)s - 1) AS i
CROSS JOIN LATERAL (
    SELECT count(*) AS records,
           encode(sha256(convert_to(coalesce(
               string_agg({record_hash_sql(version)} || E'\\n', '' ORDER BY r.decided_at, r.id), ''), 'UTF8')),
               'hex') AS records_digest
    FROM {ConsentRecord._meta.db_table} AS r
    WHERE r.decided_at >= ((%(since)s::date + i)::timestamp AT TIME ZONE %(tz)s)
      AND r.decided_at < ((%(since)s::date + i + 1)::timestamp AT TIME ZONE %(tz)s)
) AS s
ORDER BY i
"""


def day_digests(since: date, until: date, *, version: int = VERSION) -> dict[date, tuple[int, str]]:
    """Each day from ``since`` (inclusive) to ``until`` (exclusive): its record count and records digest."""
    if since >= until:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(days_sql(version), {"since": since, "days": (until - since).days, "tz": TIME_ZONE})
        return {day: (records, digest) for day, records, digest in cursor.fetchall()}


def seal_digest(*, version: int, day: date, records: int, records_digest: str, previous_digest: str) -> str:
    """The seal of a day: its fields and the previous day's seal, hashed together."""
    text = f"{version}\n{day.isoformat()}\n{records}\n{records_digest}\n{previous_digest}\n"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Sealing:
    since: date | None  # first day sealed (inclusive); None when there was nothing to seal
    until: date | None  # day after the last one sealed
    records: int
    digest: str | None  # the last seal, the one that vouches for the whole chain
    dry_run: bool = False

    @property
    def days(self) -> int:
        return (self.until - self.since).days if self.since and self.until else 0


def seal_settled_days(*, now: datetime | None = None, dry_run: bool = False) -> Sealing:
    """Seal every settled day after the last sealed one (from the oldest record's day on the first run).

    Each day is sealed by the owner's ``consent_seal_next_day()`` (migration 0012), which computes its
    digest in the database and chains it to the last seal: the app role cannot write a seal itself.
    ``now`` may only move the moment back (the function takes the earlier of it and its own clock).
    Idempotent: a day is sealed once; running it again seals only the days that settled since.
    A dry run computes the same seals here and stores nothing.
    """
    if dry_run:
        return _dry_run(now=now)
    sealed: list[tuple[date, int, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT day, records, digest FROM consent_seal_next_day(%s::timestamptz)", [now])
            day, records, digest = cursor.fetchone()
            if day is None:
                break
            sealed.append((day, records, digest))
    if not sealed:
        logger.info("consent seals: nothing to seal")
        return Sealing(since=None, until=None, records=0, digest=None)
    since, until = sealed[0][0], sealed[-1][0] + timedelta(days=1)
    records = sum(count for _, count, _ in sealed)
    logger.info(
        "consent days sealed", extra={"since": since.isoformat(), "until": until.isoformat(), "records": records}
    )
    return Sealing(since=since, until=until, records=records, digest=sealed[-1][2])


def _dry_run(*, now: datetime | None) -> Sealing:
    until = settled_until(now=now)
    last = DaySeal.objects.order_by("-day").first()
    since = last.day + timedelta(days=1) if last else oldest_day() or until
    if since >= until:
        logger.info("consent seals: nothing to seal")
        return Sealing(since=None, until=None, records=0, digest=None, dry_run=True)
    seals = list(_chain(day_digests(since, until).items(), previous=last.digest if last else GENESIS))
    records = sum(seal.records for seal in seals)
    logger.info(
        "consent days to seal (dry run)",
        extra={"since": since.isoformat(), "until": until.isoformat(), "records": records},
    )
    return Sealing(since=since, until=until, records=records, digest=seals[-1].digest, dry_run=True)


def _chain(days: Iterable[tuple[date, tuple[int, str]]], *, previous: str) -> Iterable[DaySeal]:
    for day, (records, records_digest) in days:
        digest = seal_digest(
            version=VERSION, day=day, records=records, records_digest=records_digest, previous_digest=previous
        )
        yield DaySeal(
            day=day,
            version=VERSION,
            records=records,
            records_digest=records_digest,
            previous_digest=previous,
            digest=digest,
        )
        previous = digest


def oldest_day() -> date | None:
    """The day of the oldest record in the log, if any."""
    oldest = ConsentRecord.objects.order_by("decided_at").values_list("decided_at", flat=True).first()
    return timezone.localdate(oldest, ZoneInfo(TIME_ZONE)) if oldest else None


# The seals as a file for the DPO to keep outside the database (back office download), and read back
# by ``verify_consent_log --against``: a copy that a database superuser cannot rewrite.
FILE_FIELDS = ("day", "version", "records", "records_digest", "previous_digest", "digest", "sealed_at")


def seal_fields(seal: DaySeal) -> dict[str, object]:
    return {
        "day": seal.day.isoformat(),
        "version": seal.version,
        "records": seal.records,
        "records_digest": seal.records_digest,
        "previous_digest": seal.previous_digest,
        "digest": seal.digest,
        "sealed_at": iso_utc(seal.sealed_at),
    }


def seals_csv(seals: Iterable[DaySeal]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, FILE_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(seal_fields(seal) for seal in seals)
    return out.getvalue()


def seals_json(seals: Iterable[DaySeal]) -> dict[str, object]:
    return {
        "definition": "docs/decisions/0006-daily-seals.md",
        "time_zone": TIME_ZONE,
        "exported_at": iso_utc(timezone.now()),
        "seals": [seal_fields(seal) for seal in seals],
    }


def read_copy(text: str) -> dict[date, str]:
    """Day -> seal from a file made by ``seals_csv`` or ``seals_json``; ValueError if it is neither."""
    try:
        is_json = text.lstrip().startswith("{")
        rows = json.loads(text)["seals"] if is_json else list(csv.DictReader(io.StringIO(text)))
        return {date.fromisoformat(row["day"]): row["digest"] for row in rows}
    except (KeyError, TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"not a file of seals: {exc}") from exc


def read_copy_tokens(text: str) -> dict[date, bytes]:
    """Day -> RFC 3161 token carried by a seals file (the nightly e-mail's attachment); empty for others."""
    if not text.lstrip().startswith("{"):
        return {}
    try:
        rows = json.loads(text)["seals"]
        return {
            date.fromisoformat(row["day"]): base64.b64decode(row["timestamp_token"], validate=True)
            for row in rows
            if row.get("timestamp_token")
        }
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise ValueError(f"not a file of seals: {exc}") from exc
