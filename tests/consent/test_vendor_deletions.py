"""Withdrawals passed on to Google Analytics 4, end to end against a local stand-in for Google's token
service and Admin API: the request, its retries with backoff, giving up, and the identifier forgotten."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.utils import timezone

from consent.catalog.deletions import (
    MAX_ATTEMPTS,
    client_id_from_cookie,
    ga4_sender,
    queue_deletion,
    send_due_deletions,
)
from consent.models import DeletionStatus, VendorDeletion


class FakeGoogle(BaseHTTPRequestHandler):
    """The token endpoint of a service account, and properties.submitUserDeletion of the Admin API."""

    failures: list[int] = []  # status codes to answer first, one per request
    received: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        if self.path == "/token":
            self.answer(200, {"access_token": "fake-token", "expires_in": 3600, "token_type": "Bearer"})
            return
        if self.failures:
            self.answer(self.failures.pop(0), {"error": {"message": "backend error"}})
            return
        if self.headers["Authorization"] != "Bearer fake-token":
            self.answer(401, {"error": {"message": "no token"}})
            return
        type(self).received.append({"path": self.path, "body": json.loads(body)})
        self.answer(200, {"deletionRequestTime": "2026-12-08T03:00:00Z"})

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def google(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoogle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    account = {
        "type": "service_account",
        "client_email": "deletions@nocrm-test.iam.gserviceaccount.com",
        "private_key": pem.decode(),
        "private_key_id": "test",
        "token_uri": base + "/token",
    }
    settings.GA4_DELETION_PROPERTY_ID = "123456789"
    settings.GA4_DELETION_SERVICE_ACCOUNT = json.dumps(account)
    settings.GA4_ADMIN_API_URL = base
    FakeGoogle.failures, FakeGoogle.received = [], []
    yield FakeGoogle
    server.shutdown()


def test_the_client_id_is_read_from_the_ga_cookie_and_nothing_else():
    assert client_id_from_cookie("GA1.1.1234567890.1733600000") == "1234567890.1733600000"
    for value in ("", "GA1.1.abc.123", "1234.5678", 'GA1.1.1.2"; DROP', "GA1.1.1.2.3"):
        assert client_id_from_cookie(value) is None


def test_a_withdrawal_reaches_google_and_the_identifier_is_then_forgotten(db, google):
    deletion = queue_deletion(vendor="google-analytics-4", identifier="1234567890.1733600000")
    assert send_due_deletions() == {"sent": 1, "retry": 0, "failed": 0}
    [request] = google.received
    assert request == {
        "path": "/v1alpha/properties/123456789:submitUserDeletion",
        "body": {"clientId": "1234567890.1733600000"},
    }
    deletion.refresh_from_db()
    assert (deletion.status, deletion.identifier, deletion.attempts) == (DeletionStatus.DONE, "", 0)
    assert send_due_deletions() == {"sent": 0, "retry": 0, "failed": 0}  # sent once
    assert len(google.received) == 1


def test_a_failing_api_is_retried_with_backoff_then_succeeds(db, google):
    deletion = queue_deletion(vendor="google-analytics-4", identifier="1.2")
    google.failures = [503, 500]
    now = timezone.now()
    assert send_due_deletions(now=now)["retry"] == 1
    deletion.refresh_from_db()
    assert deletion.next_attempt_at == now + timedelta(minutes=2)
    assert "HTTP 503" in deletion.last_error and deletion.identifier == "1.2"
    assert send_due_deletions(now=now + timedelta(minutes=1))["retry"] == 0  # not due yet
    assert send_due_deletions(now=now + timedelta(minutes=2))["retry"] == 1
    deletion.refresh_from_db()
    assert deletion.next_attempt_at == now + timedelta(minutes=2) + timedelta(minutes=4)
    assert send_due_deletions(now=now + timedelta(hours=1))["sent"] == 1
    deletion.refresh_from_db()
    assert (deletion.status, deletion.identifier, deletion.last_error) == (DeletionStatus.DONE, "", "")


def test_a_vendor_that_keeps_refusing_is_given_up_and_shown_never_retried_forever(db, google):
    deletion = queue_deletion(vendor="google-analytics-4", identifier="1.2")
    google.failures = [400] * (MAX_ATTEMPTS + 2)
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS + 3):
        send_due_deletions(now=moment)
        moment += timedelta(days=1)
    deletion.refresh_from_db()
    assert (deletion.status, deletion.attempts) == (DeletionStatus.FAILED, MAX_ATTEMPTS)
    assert "HTTP 400" in deletion.last_error
    assert len(google.failures) == 2  # no request after giving up


def test_an_unreachable_token_service_is_a_retry_not_a_crash(db, google, settings):
    account = json.loads(settings.GA4_DELETION_SERVICE_ACCOUNT)
    settings.GA4_DELETION_SERVICE_ACCOUNT = json.dumps({**account, "token_uri": "http://127.0.0.1:9/token"})
    queue_deletion(vendor="google-analytics-4", identifier="1.2")
    assert send_due_deletions() == {"sent": 0, "retry": 1, "failed": 0}
    assert (
        "RefreshError" in VendorDeletion.objects.get().last_error or "Error" in VendorDeletion.objects.get().last_error
    )


def test_without_credentials_nothing_is_sent_and_the_command_says_so(db, settings, capsys):
    settings.GA4_DELETION_PROPERTY_ID = ""
    assert ga4_sender() is None
    queue_deletion(vendor="google-analytics-4", identifier="1.2")
    call_command("send_vendor_deletions")
    out = capsys.readouterr().out
    assert "deletions are off" in out and "0 sent" in out
    assert VendorDeletion.objects.get().status == DeletionStatus.PENDING


def test_a_withdrawal_posted_with_a_ga_cookie_queues_its_deletion_once(client, demo):
    from consent.catalog import CATALOG
    from consent.catalog.services import add_from_catalog
    from tests.consent.helpers import consent_post

    add_from_catalog(vendor=CATALOG["google-analytics-4"], values={"__MEASUREMENT_ID__": "G-ABC123DEF4"})
    client.cookies["_ga"] = "GA1.1.1234567890.1733600000"
    assert consent_post(client, {"action": "accept_all"}).status_code == 200
    assert not VendorDeletion.objects.exists()  # granting withdraws nothing
    withdrawal = {
        "action": "save",
        "choices": {"statistics": False},
        "decision_id": "8d6c2b1e-0000-4000-8000-000000000001",
    }
    assert consent_post(client, withdrawal).status_code == 200
    assert consent_post(client, withdrawal).status_code == 200  # sent again: the same record, no second request
    [deletion] = VendorDeletion.objects.all()
    assert (deletion.vendor, deletion.identifier) == ("google-analytics-4", "1234567890.1733600000")


def test_a_withdrawal_without_ga4_declared_or_without_its_cookie_passes_nothing_on(client, demo):
    from tests.consent.helpers import consent_post

    client.cookies["_ga"] = "GA1.1.1234567890.1733600000"
    consent_post(client, {"action": "accept_all"})
    consent_post(client, {"action": "reject_all"})
    assert not VendorDeletion.objects.exists()  # GA4 is not a tag added from the catalog here


def test_end_to_end_the_withdrawn_visitors_client_id_reaches_google_and_is_then_gone(client, demo, google):
    from consent.catalog import CATALOG
    from consent.catalog.services import add_from_catalog
    from tests.consent.helpers import consent_post

    add_from_catalog(vendor=CATALOG["google-analytics-4"], values={"__MEASUREMENT_ID__": "G-ABC123DEF4"})
    client.cookies["_ga"] = "GA1.1.555.666"
    consent_post(client, {"action": "accept_all"})
    consent_post(client, {"action": "reject_all"})
    call_command("send_vendor_deletions")
    assert [r["body"] for r in google.received] == [{"clientId": "555.666"}]
    assert list(VendorDeletion.objects.values_list("status", "identifier")) == [(DeletionStatus.DONE, "")]
