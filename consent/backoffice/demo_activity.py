"""Generated consent decisions for development, so the analytics page shows real charts on a fresh
machine (``manage.py load_demo_activity``, which ``make run`` calls with DEBUG on).

Every generated record says what it is: its browser field reads ``DEMO_USER_AGENT``. Decision IDs
are derived from the day and the decision's rank, so running it again inserts nothing twice (the log
is append-only: ON CONFLICT DO NOTHING is the only way to be idempotent there).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from consent.backoffice.rollup import roll_up
from consent.models import Action, ConsentRecord, Source
from consent.privileges import OWNER
from consent.visitor.snapshot import get_snapshot
from consent.visitor.ui import current_ui

DEMO_USER_AGENT = "noCRM.io demo data (manage.py load_demo_activity)"
_NAMESPACE = uuid.UUID("6f1d1b0e-5c1a-4d38-9a55-0d3c8f2b7e16")
# (action, chance): what a banner typically sees, refusals included.
_ACTIONS = [(Action.ACCEPT_ALL, 0.52), (Action.REJECT_ALL, 0.30), (Action.CUSTOM, 0.12), (Action.CLOSE, 0.06)]
_PAGES = ["/", "/fonctionnalites/", "/tarifs/", "/contact/", "/en/", "/en/pricing/"]


def generate_demo_decisions(*, days: int, today: date | None = None) -> int:
    """Insert a plausible few dozen decisions a day for the last ``days`` days; return how many were new.

    They are written as the owner (``DATABASE_OWNER_URL``, which development always has): the app role
    cannot date a record in the past."""
    today = today or timezone.localdate()
    revision = get_snapshot().revision
    banners = {language: current_ui(language).banner_hash for language in ("fr", "en")}  # stored versions
    records = []
    for offset in range(1, days + 1):
        day = today - timedelta(days=offset)
        chance = random.Random(day.toordinal())
        weekday_factor = 0.5 if day.weekday() >= 5 else 1.0
        for rank in range(int(chance.randint(40, 90) * weekday_factor)):
            records.append(_record(day, rank, chance, revision=revision, banners=banners))
    demo = ConsentRecord.objects.filter(user_agent=DEMO_USER_AGENT)
    before = demo.count()
    # Back-dated rows carry their own recorded_at, which only the owner may write (migration 0012).
    ConsentRecord.objects.using(OWNER).bulk_create(records, ignore_conflicts=True)
    roll_up()
    return demo.count() - before


def _record(day: date, rank: int, chance: random.Random, *, revision: int, banners: dict[str, str]) -> ConsentRecord:
    action = chance.choices([a for a, _ in _ACTIONS], weights=[w for _, w in _ACTIONS])[0]
    if action == Action.ACCEPT_ALL:
        choices = {"preferences": True, "statistics": True, "advertising": True}
    elif action == Action.CUSTOM:
        choices = {"preferences": chance.random() < 0.7, "statistics": chance.random() < 0.6, "advertising": False}
    else:
        choices = {"preferences": False, "statistics": False, "advertising": False}
    moment = datetime.combine(day, time(8), tzinfo=timezone.get_default_timezone())
    moment += timedelta(seconds=chance.randint(0, 13 * 3600))
    page = chance.choice(_PAGES)
    language = "en" if page.startswith("/en/") else "fr"
    return ConsentRecord(
        consent_id=uuid.uuid5(_NAMESPACE, f"consent {day} {rank}"),
        decision_id=uuid.uuid5(_NAMESPACE, f"decision {day} {rank}"),
        decided_at=moment,
        recorded_at=moment,
        action=action,
        policy_revision=revision,
        banner_hash=banners[language],
        language=language,
        source=Source.SETTINGS if chance.random() < 0.08 else Source.BANNER,
        gpc=chance.random() < 0.03,
        user_agent=DEMO_USER_AGENT,
        page_path=page,
        **choices,
    )
