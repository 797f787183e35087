"""Small helpers that make consent rows and cookies for tests."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.db import connection
from django.utils import timezone

from consent.models import ConsentRecord
from consent.policy import CLOCK_SKEW, MAX_RESEND_AGE
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
    decided_at = values["decided_at"]
    if "recorded_at" not in values and not (now := timezone.now()) - MAX_RESEND_AGE <= decided_at <= now + CLOCK_SKEW:
        values["recorded_at"] = decided_at  # a decision of long ago, recorded then
    if using != "default":
        return ConsentRecord.objects.using(using).create(**values)
    # The app role may not date a record itself (migration 0012): the test database's own function does.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tests_backdated_record(%s::jsonb)", [json.dumps(values, default=str)])
        (pk,) = cursor.fetchone()
    return ConsentRecord.objects.get(pk=pk)


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
