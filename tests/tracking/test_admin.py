from __future__ import annotations

from django.urls import reverse

from tracking.events import record_event
from tracking.models import EventKind, MachineReason
from tracking.services import unsubscribe


def test_message_list_shows_opens_and_clicks_of_people_and_machines(admin_client, message, recipient) -> None:
    record_event(kind=EventKind.OPEN, message_id=message.pk, recipient_id=recipient.pk)
    record_event(kind=EventKind.OPEN, message_id=message.pk, recipient_id=None, machine_reason=MachineReason.HEAD)
    response = admin_client.get(reverse("admin:tracking_message_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ouvertures (personnes)" in page.lower() and "ouvertures (machines)" in page.lower()
    assert '<td class="field-opens_people">1</td>' in page
    assert '<td class="field-opens_machines">1</td>' in page


def test_message_page_lists_clicks_per_link(admin_client, message, recipient) -> None:
    for reason in ("", "", MachineReason.SCANNER):
        record_event(
            kind=EventKind.CLICK,
            message_id=message.pk,
            recipient_id=recipient.pk,
            machine_reason=reason,
            url="https://example.com/<b>",
        )
    unsubscribe(recipient_id=recipient.pk, message_id=message.pk)
    page = admin_client.get(reverse("admin:tracking_message_change", args=[message.pk])).content.decode()
    assert "<tr><td>https://example.com/&lt;b&gt;</td><td>2</td><td>1</td></tr>" in page
    assert "Désinscriptions : 1" in page


def test_recipients_show_their_subscription_state(admin_client, recipient) -> None:
    page = admin_client.get(reverse("admin:tracking_recipient_changelist")).content.decode()
    assert recipient.email in page and 'alt="True"' in page


def test_events_are_read_only(admin_client, message, recipient) -> None:
    record_event(kind=EventKind.OPEN, message_id=message.pk, recipient_id=recipient.pk)
    event = message.events.get()
    assert admin_client.get(reverse("admin:tracking_event_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:tracking_event_add")).status_code == 403
    page = admin_client.get(reverse("admin:tracking_event_change", args=[event.pk]))
    assert page.status_code == 200 and 'name="kind"' not in page.content.decode()
    assert (
        admin_client.post(reverse("admin:tracking_event_change", args=[event.pk]), {"kind": "click"}).status_code == 403
    )
