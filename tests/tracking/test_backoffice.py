"""What marketers and the DPO see: figures that match the stored rows, a recipient's consent history,
its export, and the import of consents gathered elsewhere."""

from __future__ import annotations

import csv
import io
import json

from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from tests.html import elements
from tests.tracking.factories import click_path, make_recipient, pixel_path, withdraw_consent
from tests.tracking.responses import BROWSER
from tracking.models import AggregateCount, ConsentSource, Event, EventKind, Message, TrackingConsent

URL = "https://www.nocrm.io/tarifs/"


def test_message_figures_count_everyone_and_match_the_rows(admin_client, message, recipient) -> None:
    people = Client(headers={"User-Agent": BROWSER})
    stranger = make_recipient("sans-accord@example.com", consent=False)
    for who in (recipient, stranger, stranger):
        people.get(pixel_path(message, who))
        people.get(click_path(message, who, URL))
    Client(headers={"User-Agent": "Mozilla/5.0"}).get(pixel_path(message, stranger))  # Apple's proxy
    stats = Message.objects.with_stats().get(pk=message.pk)
    events = Event.objects.filter(message=message)
    counted = {(a.kind, a.machine): a.count for a in AggregateCount.objects.filter(message=message)}
    assert (stats.opens_people, stats.opens_consented, stats.opens_machines) == (3, 1, 1)
    assert stats.opens_people == events.filter(kind=EventKind.OPEN).count() + counted[(EventKind.OPEN, False)]
    assert stats.opens_machines == counted[(EventKind.OPEN, True)]
    assert (stats.clicks_people, stats.clicks_consented, stats.clicks_machines) == (3, 1, 0)
    page = admin_client.get(reverse("admin:tracking_message_changelist")).content.decode()
    [row] = [r for r in elements(page, "tr") if any(e.text == message.name for e in r.iter())]
    cells = {e.attrs.get("class"): e.text for e in row.iter() if e.tag == "td"}
    assert (cells["field-opens_people"], cells["field-opens_consented"], cells["field-opens_machines"]) == (
        "3",
        "1",
        "1",
    )
    detail = admin_client.get(reverse("admin:tracking_message_change", args=[message.pk])).content.decode()
    assert f"<tr><td>{URL}</td><td>3</td><td>0</td></tr>" in detail


def test_a_recipients_page_shows_their_consent_history(admin_client, recipient) -> None:
    withdraw_consent(recipient)
    page = admin_client.get(reverse("admin:tracking_recipient_change", args=[recipient.pk])).content.decode()
    assert "Retiré le" in page
    assert str(ConsentSource.FORM.label) in page and "Lien « Ne plus suivre »" in page


def dpo(permission: str = "export_trackingconsent") -> Client:
    user = User.objects.create_user("dpo", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_recipient"), Permission.objects.get(codename=permission)
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_dpo_exports_one_recipients_history_as_csv_and_json(recipient) -> None:
    other = make_recipient("autre@example.com")
    withdraw_consent(recipient)
    client = dpo()
    url = reverse("admin:tracking_consent_history", args=[recipient.pk, "json"])
    data = json.loads(client.get(url).content)
    assert data["email"] == recipient.email
    assert [(r["given"], r["source"]) for r in data["tracking_consents"]] == [
        (True, ConsentSource.FORM),
        (False, ConsentSource.WITHDRAWAL_LINK),
    ]
    response = client.get(reverse("admin:tracking_consent_history", args=[recipient.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["email"], r["given"]) for r in rows] == [(recipient.email, "True"), (recipient.email, "False")]
    assert "attachment" in response["Content-Disposition"] and other.email not in response.content.decode()
    assert client.get(reverse("admin:tracking_consent_history", args=[recipient.pk, "xml"])).status_code == 404


def test_the_export_needs_the_dpos_permission(recipient) -> None:
    client = dpo(permission="view_trackingconsent")
    assert client.get(reverse("admin:tracking_consent_history", args=[recipient.pk, "json"])).status_code == 403


def test_consent_records_cannot_be_changed(recipient) -> None:
    """A trigger, which no role gets past (rows go only with their recipient's erasure)."""
    import pytest
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TrackingConsent.objects.update(given=False)
    assert TrackingConsent.objects.get().given is True


def test_marketers_import_consents_with_their_evidence_and_never_over_a_withdrawal(admin_client, recipient) -> None:
    withdraw_consent(recipient)
    url = reverse("admin:tracking_consent_import")
    form = {
        "addresses": f"Salon@Example.com\n{recipient.email}\n",
        "text": "J'accepte le suivi",
        "text_version": "salon-2026",
        "evidence": "Formulaires papier du salon, classeur 3",
    }
    assert admin_client.post(url, {**form, "evidence": ""}).status_code == 200  # refused: no evidence
    assert admin_client.post(url, {**form, "addresses": "pas-une-adresse"}).status_code == 200
    assert not TrackingConsent.objects.filter(source=ConsentSource.IMPORT).exists()
    assert admin_client.post(url, form).status_code == 302
    [imported] = TrackingConsent.objects.filter(source=ConsentSource.IMPORT)
    assert (imported.recipient.email, imported.evidence, imported.recorded_by) == (
        "salon@example.com",
        "Formulaires papier du salon, classeur 3",
        "admin",
    )
    assert TrackingConsent.objects.current(recipient.pk).given is False  # the person's withdrawal stands


def test_staff_record_a_withdrawal_asked_for_by_letter_under_their_name(admin_client, recipient) -> None:
    url = reverse("admin:tracking_recipient_changelist")
    response = admin_client.post(url, {"action": "withdraw_tracking", "_selected_action": [recipient.pk]})
    assert response.status_code == 302
    current = TrackingConsent.objects.current(recipient.pk)
    assert (current.given, current.source, current.recorded_by) == (False, ConsentSource.ADMIN, "admin")
