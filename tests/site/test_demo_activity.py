"""`make run`'s generated activity: marked as demo data, idempotent, and never written with DEBUG off."""

import pytest
from django.core.management import CommandError, call_command

from consent.backoffice.demo_activity import DEMO_USER_AGENT
from consent.models import ConsentRecord
from tracking.demo import DEMO_DOMAIN
from tracking.models import Event


def test_refused_with_production_settings(demo, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_activity")
    assert not ConsentRecord.objects.exists() and not Event.objects.exists()


def test_bad_number_of_days_is_refused(demo, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--days"):
        call_command("load_demo_activity", "--days", "0")
    assert not ConsentRecord.objects.exists()


# The decisions are written by the owner's connection (back-dated), so committed: flushed after the test.
@pytest.mark.django_db(transaction=True)
def test_weeks_of_marked_decisions_and_events_loaded_once(demo, settings):
    settings.DEBUG = True
    call_command("load_demo_activity", "--days", "14")
    records = ConsentRecord.objects.all()
    days = {record.decided_at.date() for record in records}
    assert records.count() > 14 * 20 and len(days) >= 13
    assert set(records.values_list("user_agent", flat=True)) == {DEMO_USER_AGENT}
    assert set(records.values_list("action", flat=True)) >= {"accept_all", "reject_all", "custom"}
    events = Event.objects.count()
    assert events > 0
    assert not Event.objects.exclude(recipient__email__endswith="@" + DEMO_DOMAIN).exists()

    before = records.count()
    call_command("load_demo_activity", "--days", "14")
    assert ConsentRecord.objects.count() == before and Event.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_the_analytics_page_charts_them(admin_client, demo, settings):
    settings.DEBUG = True
    call_command("load_demo_activity", "--days", "14")
    response = admin_client.get("/admin/consent/consentrecord/analytics/")
    assert response.status_code == 200
    assert "<svg" in response.text
