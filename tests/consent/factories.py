"""Small helpers that make consent rows and cookies for tests."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from consent.models import ConsentRecord
from consent.visitor import cookie


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


def consent_cookie_value(
    *,
    preferences: bool = False,
    statistics: bool = False,
    advertising: bool = False,
    revision: int = 1,
    age: int = 0,
) -> str:
    """A signed consent cookie, as the endpoint sets it, for a choice made ``age`` seconds ago."""
    state = cookie.ConsentState(
        consent_id=uuid.uuid4(),
        choices={"preferences": preferences, "statistics": statistics, "advertising": advertising},
        revision=revision,
        decided_at=cookie.now() - age,
    )
    return cookie.dumps(state)
