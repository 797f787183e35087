"""Checking a consent receipt that a visitor brings back: its signature, its key, the record it
names, each field against the log and the stored banner version, and the seal of the record's day.

The receipt is rebuilt from the log (consent.visitor.receipt) and compared field by field, so a
receipt edited by hand is named as altered with the fields that differ, even though its signature
alone would only say "altered somewhere". Nothing is stored. See docs/decisions/0013-consent-receipts.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from consent.backoffice.seals import TIME_ZONE
from consent.backoffice.verification import DayCheck, verify_seals
from consent.models import ConsentRecord
from consent.visitor.receipt import build_receipt, history, shown_version
from consent.visitor.receipt_keys import keyring
from consent.visitor.receipt_signature import SIGNATURE, NotSigned, UnknownKey, verify

# Fields that come from the site's settings or wording when the receipt was signed, not from the log:
# a later change of them (a new contact address, a longer retention, a reworded label) is reported,
# not taken for an alteration, when the signature holds.
NOT_FROM_THE_LOG = (
    "dpv:hasDataController.dpv:hasContact",
    "dpv:hasStorageCondition",
    "dpv:hasRight.dpv:isExercisedAt.@id",
    "dpv:hasNotice.@id",
    "dct:valid.dct:end",
)
WORDING = ("dct:title", "dct:description")

NOT_A_RECEIPT = 2  # exit status of verify_receipt: the file is not a receipt at all
NOT_GENUINE = 1  # it is one, but not what the site signed or the log holds


class ReceiptError(Exception):
    """A receipt that cannot be checked, or is not the site's: one sentence, and the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Difference:
    field: str
    in_log: object
    in_receipt: object

    def __str__(self) -> str:
        return f"{self.field} (log: {_show(self.in_log)}, receipt: {_show(self.in_receipt)})"


@dataclass(frozen=True)
class Checked:
    record: ConsentRecord
    key_id: str
    current_key: bool  # False: signed with a retired key, still published
    signature_valid: bool
    altered: list[Difference]  # fields from the log that differ
    notes: list[Difference] = field(default_factory=list)  # settings or wording changed since
    day: date | None = None
    seal: DayCheck | None = None

    @property
    def genuine(self) -> bool:
        return self.signature_valid and not self.altered


def check_receipt(text: str | bytes) -> Checked:
    """Check one receipt file; ReceiptError (one sentence) when it cannot be a genuine receipt at all."""
    try:
        receipt = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReceiptError("The file is not JSON: it is not a consent receipt.", NOT_A_RECEIPT) from exc
    if not isinstance(receipt, dict) or receipt.get("@type") != "dpv:ConsentRecord":
        raise ReceiptError("The file is JSON but not a consent receipt (no dpv:ConsentRecord).", NOT_A_RECEIPT)
    try:
        decision_id = uuid.UUID(str(receipt.get("dct:identifier")))
    except ValueError as exc:
        raise ReceiptError("The receipt names no decision (dct:identifier is not a UUID).", NOT_A_RECEIPT) from exc
    keys = keyring()
    try:
        kid, valid = verify(receipt, keys)
    except NotSigned as exc:
        raise ReceiptError(f"The receipt is not signed: {exc}.", NOT_A_RECEIPT) from exc
    except UnknownKey as exc:
        raise ReceiptError(
            f"The receipt is signed with key {exc.kid}, which is not one of the site's keys.", NOT_GENUINE
        ) from exc

    record = ConsentRecord.objects.filter(decision_id=decision_id).first()
    if record is None:
        raise ReceiptError(
            f"No decision {decision_id} in the log: never recorded, or purged after the retention period.",
            NOT_GENUINE,
        )
    records = history(record.consent_id)
    index = next(i for i, r in enumerate(records) if r.pk == record.pk)
    expected = build_receipt(record, records[index - 1] if index else None, shown_version(record.banner_hash))
    altered: list[Difference] = []
    notes: list[Difference] = []
    for difference in differences(expected, {k: v for k, v in receipt.items() if k != SIGNATURE}):
        from_the_log = not difference.field.startswith(NOT_FROM_THE_LOG) and not difference.field.endswith(WORDING)
        (altered if from_the_log or not valid else notes).append(difference)
    day = timezone.localdate(record.decided_at, ZoneInfo(TIME_ZONE))
    seal = next(iter(verify_seals(day, day + timedelta(days=1))), None)
    return Checked(
        record=record,
        key_id=kid,
        current_key=kid == keys.signing_kid,
        signature_valid=valid,
        altered=altered,
        notes=notes,
        day=day,
        seal=seal,
    )


def differences(expected: object, found: object, path: str = "") -> Iterator[Difference]:
    """Every leaf that differs between two receipts; lists of objects are matched by their identifier."""
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            yield from differences(expected.get(key, _MISSING), found.get(key, _MISSING), _join(path, key))
    elif isinstance(expected, list) and isinstance(found, list) and _keyed(expected) and _keyed(found):
        want, got = _by_identifier(expected), _by_identifier(found)
        for key in list(want) + [k for k in got if k not in want]:
            yield from differences(want.get(key, _MISSING), got.get(key, _MISSING), f"{path}[{key}]")
    elif expected != found:
        yield Difference(path, expected, found)


_MISSING = "(missing)"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _keyed(items: list[Any]) -> bool:
    return all(isinstance(i, dict) and isinstance(i.get("dct:identifier", i.get("dpv:hasName")), str) for i in items)


def _by_identifier(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {str(i.get("dct:identifier", i.get("dpv:hasName"))): i for i in items}


def _show(value: object) -> str:
    if isinstance(value, dict) and set(value) <= {"@id", "@type", "@value"}:
        return str(value.get("@value", value.get("@id")))
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def sentence(checked: Checked) -> str:
    """The verdict in one sentence, as verify_receipt prints it and the upload page shows it."""
    record = checked.record
    named = f"decision {record.decision_id} of consent ID {record.consent_id}"
    if checked.altered:
        fields = "; ".join(str(d) for d in checked.altered[:5])
        if checked.signature_valid:
            return f"The log no longer holds what the site signed for {named}: {fields}."
        return f"Altered receipt for {named}: the signature does not match, and {fields} differ from the log."
    if not checked.signature_valid:
        return f"Altered receipt for {named}: the signature does not match, though its fields match the log."
    key = "the current key" if checked.current_key else "a retired key, still published"
    decided = record.decided_at.isoformat()
    return f"Genuine receipt: {named}, decided {decided}, signed with {key} ({checked.key_id})."


def seal_sentence(checked: Checked) -> str:
    """Whether the record's day is sealed, and its seal's digest."""
    seal = checked.seal
    if seal is None or seal.seal is None:
        return f"Its day, {checked.day} (Paris), is not sealed yet."
    details = f" ({'; '.join(seal.details)})" if seal.details else ""
    return f"Its day, {checked.day} (Paris), is sealed: {seal.seal.digest}, {seal.status}{details}."
