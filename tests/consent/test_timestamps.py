"""The nightly seal anchored outside the database: an RFC 3161 token beside it, an e-mail to the DPO.

The authority is OpenSSL's ``ts -reply`` behind a local HTTP server (tests/consent/tsa.py); the tokens
are checked by verify_consent_log, and cross-checked by ``openssl ts -verify``.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from asn1crypto import cms
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from consent.backoffice import timestamps
from consent.models import DaySeal, SealTimestamp
from tests.consent.factories import make_record
from tests.consent.tsa import Authority, authority


@pytest.fixture(scope="module")
def tsa() -> Iterator[Authority]:
    with authority() as running:
        yield running


@pytest.fixture(scope="module")
def other_tsa() -> Iterator[Authority]:
    with authority("Other TSA") as running:
        yield running


@pytest.fixture
def anchored(db, settings, tsa):
    settings.SEAL_TSA_URL = tsa.url
    settings.SEAL_TSA_CERTIFICATES = str(tsa.ca)
    make_record(decided_at=timezone.now() - timedelta(days=10))
    return settings


def seal() -> str:
    out = io.StringIO()
    call_command("seal_consents", stdout=out)
    return out.getvalue()


def verify(*args: str) -> tuple[str, str | None]:
    """verify_consent_log's report and its error (None when every day matches)."""
    out = io.StringIO()
    try:
        call_command("verify_consent_log", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def last() -> DaySeal:
    return DaySeal.objects.order_by("-day").first()


def test_the_last_seal_is_timestamped_each_night_and_the_verification_reports_it(anchored):
    output = seal()
    stamp = SealTimestamp.objects.get()
    assert stamp.day == last().day and f"Seal of {stamp.day} timestamped at" in output
    assert abs(stamp.timestamped_at - timezone.now()) < timedelta(minutes=1)
    report, error = verify()
    assert error is None
    assert f"{stamp.day} seal timestamped {stamp.timestamped_at.isoformat()} by CN=Test TSA" in report
    days = json.loads(verify("--format", "json")[0])["days"]
    (anchored_day,) = [d for d in days if d["timestamp"]]
    assert anchored_day["day"] == stamp.day.isoformat() and anchored_day["timestamp"]["authority"] == "CN=Test TSA"
    assert seal().startswith("Nothing to seal") and SealTimestamp.objects.count() == 1  # one token per seal


def test_openssl_verifies_the_stored_token_against_the_seal(anchored, tmp_path):
    """What the decision record tells an auditor: the seal is the token's message imprint as it is."""
    seal()
    token = tmp_path / "token.tst"
    token.write_bytes(bytes(SealTimestamp.objects.get().token))
    checked = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", last().digest, "-in", str(token), "-token_in",
         "-CAfile", str(anchored.SEAL_TSA_CERTIFICATES)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0 and "Verification: OK" in checked.stdout


def _store(token: bytes) -> None:
    SealTimestamp.objects.create(day=last().day, token=token, timestamped_at=timezone.now(), tsa_url="forged")


def test_a_token_of_another_seal_fails_the_verification(anchored, tsa):
    anchored.SEAL_TSA_URL = ""  # sealed without a token; a genuine token of another digest stored beside it
    seal()
    _store(timestamps.request_token("ab" * 32, url=tsa.url))
    report, error = verify()
    assert error is not None and str(last().day) in error
    assert "timestamp token: the token timestamps another seal" in report


def _forged(token: bytes) -> bytes:
    info = cms.ContentInfo.load(token)
    signer = info["content"]["signer_infos"][0]
    signature = bytearray(signer["signature"].native)
    signature[len(signature) // 2] ^= 0x01
    signer["signature"] = bytes(signature)
    return info.dump(force=True)


def test_a_forged_signature_fails_the_verification(anchored, tsa):
    anchored.SEAL_TSA_URL = ""
    seal()
    genuine = timestamps.request_token(last().digest, url=tsa.url)
    assert timestamps.verify_token(genuine, last().digest).authority == "CN=Test TSA"
    _store(_forged(genuine))
    report, error = verify()
    assert error is not None
    assert "timestamp token: the token's signature does not verify: forged or altered" in report


def test_a_token_of_an_authority_not_trusted_fails_the_verification(anchored, other_tsa):
    anchored.SEAL_TSA_URL = ""
    seal()
    _store(timestamps.request_token(last().digest, url=other_tsa.url))
    report, error = verify()
    assert error is not None and "CN=Other TSA, which is not an authority of SEAL_TSA_CERTIFICATES" in report


def test_an_unreadable_token_fails_the_verification(anchored):
    anchored.SEAL_TSA_URL = ""
    seal()
    _store(b"not a token")
    report, error = verify()
    assert error is not None and "timestamp token: the token cannot be read" in report


def test_an_authority_that_does_not_answer_leaves_the_seals_and_stores_no_token(anchored):
    anchored.SEAL_TSA_URL = "http://127.0.0.1:9/tsr"  # the discard port: nothing listens
    anchored.SEAL_REPORT_TO = ["dpo@example.com"]
    with pytest.raises(CommandError, match="The last seal was not timestamped: the timestamping authority did not"):
        call_command("seal_consents", stdout=io.StringIO())
    assert DaySeal.objects.exists() and not SealTimestamp.objects.exists()
    assert len(mail.outbox) == 1  # the seal still reaches the DPO, without a token


def test_the_dpo_gets_the_last_seal_and_its_token_and_verify_accepts_the_attachment(anchored, tmp_path):
    anchored.SEAL_REPORT_TO = ["dpo@example.com"]
    output = seal()
    (message,) = mail.outbox
    assert message.to == ["dpo@example.com"] and str(last().day) in message.subject
    assert last().digest in message.body and f"Seal of {last().day} e-mailed to dpo@example.com." in output
    ((name, content, mimetype),) = message.attachments
    assert name == f"sceau-consentements-{last().day}.json" and mimetype == "application/json"
    (row,) = json.loads(content)["seals"]
    assert row["digest"] == last().digest
    assert base64.b64decode(row["timestamp_token"]) == bytes(SealTimestamp.objects.get().token)
    attachment = tmp_path / name
    attachment.write_text(content)
    assert verify("--against", str(attachment))[1] is None
    altered = tmp_path / "altered.json"
    altered.write_text(content.replace(last().digest, "0" * 64))
    report, error = verify("--against", str(altered))
    assert error is not None and "the seal differs from the copy kept off-site" in report


def test_without_a_tsa_url_nothing_is_timestamped_or_sent(db, settings):
    make_record(decided_at=timezone.now() - timedelta(days=10))
    assert settings.SEAL_TSA_URL == "" and settings.SEAL_REPORT_TO == []
    seal()
    assert DaySeal.objects.exists() and not SealTimestamp.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    "statement", ["UPDATE consent_sealtimestamp SET tsa_url = 'x'", "DELETE FROM consent_sealtimestamp"]
)
def test_the_app_role_may_append_tokens_but_never_change_them(anchored, statement):
    seal()
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert SealTimestamp.objects.count() == 1


def test_the_attachments_token_is_checked_against_the_databases_seal(anchored, tsa, tmp_path):
    anchored.SEAL_REPORT_TO = ["dpo@example.com"]
    seal()
    ((name, content, _mimetype),) = mail.outbox[0].attachments
    report = json.loads(content)
    report["seals"][0]["timestamp_token"] = base64.b64encode(timestamps.request_token("cd" * 32, url=tsa.url)).decode()
    swapped = tmp_path / name
    swapped.write_text(json.dumps(report))
    text, error = verify("--against", str(swapped))
    assert error is not None and "the copy's timestamp token: the token timestamps another seal" in text
    report["seals"][0]["timestamp_token"] = "not base64!"
    swapped.write_text(json.dumps(report))
    assert "not a file of seals" in (verify("--against", str(swapped))[1] or "")
