from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from leads.models import Lead
from tests.leads.factories import make_lead


def test_purge_leads_deletes_only_requests_older_than_the_setting(db, settings):
    settings.LEADS_RETENTION_DAYS = 30
    now = timezone.now()
    expired = make_lead(created_at=now - timedelta(days=31))
    kept = make_lead(created_at=now - timedelta(days=29))

    call_command("purge_leads", "--dry-run")
    assert Lead.objects.count() == 2

    call_command("purge_leads")
    assert list(Lead.objects.values_list("id", flat=True)) == [kept.id]
    assert not Lead.objects.filter(id=expired.id).exists()
