"""Small helpers that make model rows for tests."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from consent.models import ConsentRecord


def make_record(*, using: str = "default", **fields: object) -> ConsentRecord:
    values: dict[str, object] = {
        "consent_id": uuid.uuid4(),
        "decision_id": uuid.uuid4(),
        "decided_at": timezone.now(),
        "action": "reject_all",
        "preferences": False,
        "statistics": False,
        "advertising": False,
        "policy_revision": 1,
        "banner_hash": "0" * 64,
        "language": "fr",
        "source": "banner",
        "gpc": False,
        "user_agent": "pytest",
        "page_path": "/",
    }
    values.update(fields)
    return ConsentRecord.objects.using(using).create(**values)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)
