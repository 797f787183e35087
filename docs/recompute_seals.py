"""Recompute the consent log's daily seals without the site's code: Python's standard library only.

    psql "$DATABASE_URL" -c "\\copy consent_consentrecord TO 'log.csv' WITH (FORMAT csv, HEADER)"
    python3 recompute_seals.py log.csv sceaux.csv [YYYY-MM-DD]

``sceaux.csv`` (or ``.json``) is the back office's download of the seals (Journal des consentements →
Sceaux); the optional day is the first one that the retention purge cannot have reached yet (today
minus the retention period, plus a day). Prints one line per day: ``ok``, ``differs`` and why,
``purged`` (records missing from a day before that one) or ``not sealed``; exits with status 1 if a day
differs. It implements the definition of docs/decisions/0006-daily-seals.md; tests/consent/test_seals.py
runs it against the site's own seals.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Version 1: every column of consent_consentrecord, in this order.
COLUMNS = (
    "id",
    "consent_id",
    "decision_id",
    "decided_at",
    "recorded_at",
    "action",
    "preferences",
    "statistics",
    "advertising",
    "policy_revision",
    "banner_hash",
    "language",
    "source",
    "gpc",
    "user_agent",
    "page_path",
)
TIMES = {"decided_at", "recorded_at"}
BOOLEANS = {"preferences", "statistics", "advertising", "gpc"}
TEXTS = {"action", "banner_hash", "language", "source", "user_agent", "page_path"}
PARIS = ZoneInfo("Europe/Paris")
NOTHING = hashlib.sha256(b"").hexdigest()


def field(name: str, value: str) -> str:
    """A column's canonical text, from the value as psql's CSV writes it (DateStyle ISO, the default)."""
    if name in TIMES:
        return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name in BOOLEANS:
        return {"t": "true", "f": "false"}[value]
    if name in TEXTS:
        return value.replace("\\", "\\\\").replace("\t", "\\t")
    return value.lower()  # integers in decimal, UUIDs in lowercase with hyphens


def record_hash(row: dict[str, str]) -> str:
    text = "\t".join(field(name, row[name]) for name in COLUMNS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def day_digests(rows: list[dict[str, str]]) -> dict[str, tuple[int, str]]:
    """Paris day -> (number of records, records digest), the records taken in (decided_at, id) order."""
    hashes: dict[str, list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: (datetime.fromisoformat(row["decided_at"]), int(row["id"]))):
        day = datetime.fromisoformat(row["decided_at"]).astimezone(PARIS).date().isoformat()
        hashes[day].append(record_hash(row) + "\n")
    return {day: (len(lines), hashlib.sha256("".join(lines).encode()).hexdigest()) for day, lines in hashes.items()}


def seal_digest(seal: dict[str, str]) -> str:
    fields = ("version", "day", "records", "records_digest", "previous_digest")
    return hashlib.sha256("".join(f"{seal[name]}\n" for name in fields).encode()).hexdigest()


def read_seals(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as file:
        if path.endswith(".json"):
            seals = [{name: str(value) for name, value in seal.items()} for seal in json.load(file)["seals"]]
        else:
            seals = list(csv.DictReader(file))
    return sorted(seals, key=lambda seal: seal["day"])


def check(rows: list[dict[str, str]], seals: list[dict[str, str]], retained_since: str = "") -> list[tuple[str, str]]:
    """(day, verdict) for every sealed day and every day with records but no seal.

    Days before ``retained_since`` (YYYY-MM-DD) may have lost records to the retention purge.
    """
    found = day_digests(rows)
    verdicts = []
    previous = "0" * 64  # the first seal of the chain follows no other
    for seal in seals:
        problems, verdict = [], "ok"
        if seal_digest(seal) != seal["digest"]:
            problems.append("the seal does not match its own fields")
        if seal["previous_digest"] != previous:
            problems.append("the chain is broken before this day")
        records, digest = found.pop(seal["day"], (0, NOTHING))
        sealed = int(seal["records"])
        if records < sealed and seal["day"] < retained_since:
            verdict = f"purged ({records} of {sealed} records left)"
        elif (records, digest) != (sealed, seal["records_digest"]):
            problems.append(f"{records} records found, {sealed} sealed, or another digest")
        verdicts.append((seal["day"], "differs: " + "; ".join(problems) if problems else verdict))
        previous = seal["digest"]
    verdicts += [(day, f"not sealed ({records} records)") for day, (records, _) in found.items()]
    return sorted(verdicts)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8", newline="") as log:
        verdicts = check(list(csv.DictReader(log)), read_seals(sys.argv[2]), *sys.argv[3:4])
    for day, verdict in verdicts:
        print(day, verdict)
    sys.exit(1 if any(verdict.startswith("differs") for _, verdict in verdicts) else 0)
