import csv
import io

import pytest
from django.urls import reverse

from leads.models import CaptchaStatus
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert(1)</script>"


def test_message_html_is_escaped_in_the_list_and_the_detail(admin_client):
    lead = make_lead(message=HOSTILE, name="<b>Eve</b>")
    for url in (reverse("admin:leads_lead_changelist"), reverse("admin:leads_lead_change", args=[lead.pk])):
        page = admin_client.get(url).text
        assert HOSTILE not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>Eve</b>" not in page


def test_list_filters_by_date_opt_in_and_captcha_outcome(admin_client):
    make_lead(marketing_opt_in=True, captcha_status=CaptchaStatus.NOT_VERIFIED, company="Unverified Inc")
    make_lead(marketing_opt_in=False, captcha_status=CaptchaStatus.VERIFIED, company="Verified SA")
    url = reverse("admin:leads_lead_changelist")
    page = admin_client.get(url).text
    for parameter in ("created_at__gte", "marketing_opt_in__exact", "captcha_status__exact"):
        assert parameter in page
    filtered = admin_client.get(url, {"captcha_status__exact": "not_verified"}).text
    assert "Unverified Inc" in filtered
    assert "Verified SA" not in filtered
    opted_in = admin_client.get(url, {"marketing_opt_in__exact": "1"}).text
    assert "Unverified Inc" in opted_in
    assert "Verified SA" not in opted_in


def test_list_says_when_the_captcha_is_disabled(admin_client, settings):
    url = reverse("admin:leads_lead_changelist")
    assert "FriendlyCaptcha est désactivé" in admin_client.get(url).text
    settings.FRIENDLY_CAPTCHA_SITEKEY = "FCM"
    settings.FRIENDLY_CAPTCHA_API_KEY = "key"
    assert "FriendlyCaptcha est désactivé" not in admin_client.get(url).text


def test_csv_export_for_sales(admin_client):
    first = make_lead(company="Acme", marketing_opt_in=True)
    second = make_lead(company='=HYPERLINK("https://evil.example")', message="multi\nline")
    response = admin_client.post(
        reverse("admin:leads_lead_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["company"] for row in rows] == ["Acme", '\'=HYPERLINK("https://evil.example")']
    assert rows[0]["marketing_opt_in"] == "True"
    assert rows[0]["email"] == "camille@acme.example"
    assert rows[1]["message"] == "multi\nline"


def test_leads_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:leads_lead_add")).status_code == 403
