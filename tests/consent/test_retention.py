"""The purge removes exactly the expired rows, and remains the only way past the append-only trigger."""

import io
import logging
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from consent.backoffice.retention import purge_consents
from consent.models import ConsentRecord
from tests.consent.factories import make_record
from tests.consent.helpers import login

# PostgreSQL refuses the app role's UPDATE, DELETE and TRUNCATE by privileges, and the trigger
# refuses them to everyone else (tests/consent/test_database_roles.py).
REFUSED = "permission denied for table consent_consentrecord|append-only"


@pytest.fixture
def aged(db, log_retention):
    """Retention of 30 days; two records past it (one by a second), two within it."""
    log_retention(30)
    now = timezone.now()
    old = [
        make_record(decided_at=now - timedelta(days=400)),
        make_record(decided_at=now - timedelta(days=30, seconds=5)),
    ]
    kept = [make_record(decided_at=now - timedelta(days=29, hours=23)), make_record(decided_at=now)]
    return old, kept


def _refused(statement: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as exc:
        return re.search(REFUSED, str(exc)) is not None
    return False


def test_dry_run_counts_and_changes_nothing(aged):
    out = io.StringIO()
    call_command("purge_consents", "--dry-run", stdout=out)
    assert "2 records decided before" in out.getvalue() and "would be deleted" in out.getvalue()
    assert ConsentRecord.objects.count() == 4


def test_purge_removes_exactly_the_expired_rows_and_logs_the_count(aged, caplog):
    old, kept = aged
    with caplog.at_level(logging.INFO, logger="consent.backoffice.retention"):
        call_command("purge_consents", stdout=io.StringIO())
    assert set(ConsentRecord.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    entry = next(r for r in caplog.records if r.getMessage() == "consent records purged")
    assert entry.deleted == 2


def test_purge_in_batches_removes_all_expired_rows(aged):
    old, kept = aged
    # A cutoff later than the retention cutoff is clamped to it: the records within it stay.
    assert purge_consents(cutoff=timezone.now() + timedelta(seconds=1), batch_size=1).count == 2
    assert set(ConsentRecord.objects.values_list("pk", flat=True)) == {r.pk for r in kept}


def test_an_earlier_cutoff_deletes_less(aged):
    old, kept = aged
    assert purge_consents(cutoff=timezone.now() - timedelta(days=100)).count == 1
    assert ConsentRecord.objects.count() == 3


def test_update_and_delete_are_still_refused_after_a_purge_in_the_same_transaction(aged):
    purge_consents()
    assert _refused("DELETE FROM consent_consentrecord")
    assert _refused("UPDATE consent_consentrecord SET action = 'accept_all'")
    assert ConsentRecord.objects.count() == 2


def test_the_orm_cannot_delete_or_update_records(aged):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        ConsentRecord.objects.all().delete()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        ConsentRecord.objects.update(gpc=True)
    assert ConsentRecord.objects.count() == 4


def test_retention_page_shows_the_count_and_purges_on_post(client, aged):
    login(client, "DPO")
    url = reverse("admin:consent_consentrecord_retention")
    assert "2 enregistrements expirés" in client.get(url).text
    response = client.post(url, follow=True)
    assert "2 enregistrements supprimés." in response.text
    assert ConsentRecord.objects.count() == 2
