"""The DPO's list of withdrawals per vendor since a date, with each vendor's own procedure."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consent.backoffice.withdrawals import withdrawals_since
from consent.catalog import CATALOG
from consent.catalog.services import add_from_catalog
from tests.consent.factories import make_record
from tests.consent.helpers import login
from tests.html import elements

PAGE = reverse("admin:consent_vendordeletion_withdrawals")


def decisions(consent_id: uuid.UUID, *steps: tuple[int, bool]) -> None:
    """Records of one consent ID: (days ago, statistics granted), oldest first."""
    for days, statistics in steps:
        make_record(
            consent_id=consent_id,
            decided_at=timezone.now() - timedelta(days=days),
            statistics=statistics,
            action="custom",
        )


def test_a_withdrawal_is_a_refusal_after_a_grant_of_the_same_consent_id(db):
    decisions(uuid.uuid4(), (40, True), (5, False))  # granted before the period, withdrawn in it
    decisions(uuid.uuid4(), (5, False))  # refused from the start: nothing to withdraw
    decisions(uuid.uuid4(), (50, True), (45, False))  # withdrawn before the period
    decisions(uuid.uuid4(), (20, True), (10, False), (3, True), (2, False))  # twice in it
    counts = withdrawals_since(timezone.now() - timedelta(days=30))
    assert counts == {"preferences": 0, "statistics": 3, "advertising": 0}


def test_the_dpo_sees_each_vendor_with_its_withdrawals_and_its_procedure(client, demo):
    clarity = CATALOG["microsoft-clarity"]
    add_from_catalog(vendor=clarity, values={"__PROJECT_ID__": "k2x7abcd9q"})
    ga4 = CATALOG["google-analytics-4"]
    add_from_catalog(vendor=ga4, values={"__MEASUREMENT_ID__": "G-ABC123DEF4"})
    decisions(uuid.uuid4(), (10, True), (2, False))
    login(client, "DPO")
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    html = client.get(PAGE, {"since": since}).content.decode()
    rows = {r.children[0].text: [c.text for c in r.children] for r in elements(html, "tr") if r.children[0].tag == "td"}
    assert rows["Microsoft Clarity"][2] == "1"
    assert clarity.deletion in rows["Microsoft Clarity"][3]
    assert "Automatique" in rows["Google Analytics"][3]


def test_a_bad_date_is_a_400_and_the_page_needs_the_dpos_permission(client, demo):
    login(client, "DPO")
    assert client.get(PAGE, {"since": "hier"}).status_code == 400
    client.logout()
    login(client, "Marketing")
    assert client.get(PAGE).status_code == 403
