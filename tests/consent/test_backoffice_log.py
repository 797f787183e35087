"""The consent log in the admin: filters, search by consent ID, detail page, no full COUNT(*)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent.admin.log import EstimatedCountPaginator
from consent.models import ConsentRecord
from tests.consent.factories import make_record, utc
from tests.consent.helpers import login

URL = reverse("admin:consent_consentrecord_changelist")
ONE = uuid.UUID("11111111-1111-4111-8111-111111111111")


@pytest.fixture
def log(db):
    make_record(
        consent_id=ONE,
        decided_at=utc("2026-01-01T00:30:00+01:00"),
        action="accept_all",
        preferences=True,
        statistics=True,
        advertising=True,
    )
    make_record(
        consent_id=ONE,
        decided_at=utc("2026-01-02T10:00:00+01:00"),
        action="withdraw",
        preferences=True,
        statistics=True,
        language="en",
        source="settings",
    )
    make_record(decided_at=utc("2025-12-31T23:59:00+01:00"), gpc=True)


def _shown(client, **query) -> int:
    response = client.get(URL, query)
    assert response.status_code == 200
    return len(response.context["cl"].result_list)


def test_filters_by_day_range_in_paris_time(client, log):
    login(client, "DPO")
    assert _shown(client, decided_at__since="2026-01-01") == 2
    assert _shown(client, decided_at__until="2026-01-01") == 1
    assert _shown(client, decided_at__since="2026-01-01", decided_at__until="2026-01-02") == 1


def test_filters_by_action_purpose_language_source_and_gpc(client, log):
    login(client, "DPO")
    assert _shown(client, action__exact="withdraw") == 1
    assert _shown(client, advertising__exact="1") == 1
    assert _shown(client, statistics__exact="0") == 1
    assert _shown(client, language="en") == 1
    assert _shown(client, source__exact="settings") == 1
    assert _shown(client, gpc__exact="1") == 1


def test_search_finds_a_consent_id_exactly(client, log):
    login(client, "DPO")
    assert _shown(client, q=str(ONE)) == 2
    assert _shown(client, q=str(ONE).upper()) == 2
    assert _shown(client, q=str(ONE)[:8]) == 0


def test_a_malformed_date_is_refused_not_crashed(client, log):
    login(client, "DPO")
    response = client.get(URL, {"decided_at__since": "31/01/2026"})
    assert response.status_code == 302 and "e=1" in response["Location"]


def test_detail_page_shows_every_field_read_only(client, log):
    login(client, "DPO")
    record = ConsentRecord.objects.get(action="withdraw")
    response = client.get(reverse("admin:consent_consentrecord_change", args=[record.pk]))
    assert str(ONE) in response.text and "Retrait d&#x27;un consentement" in response.text
    assert f"?consent_id={ONE}" in response.text  # link to the full history
    assert 'name="consent_id"' not in response.text and 'name="_save"' not in response.text


def test_list_never_counts_the_whole_table(client, log, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 1)
    login(client, "DPO")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 2" in sql for sql in counts)
    assert response.context["cl"].result_count >= 2


def test_paginator_counts_exactly_below_its_threshold(log):
    assert EstimatedCountPaginator(ConsentRecord.objects.order_by("id"), 2).count == 3
