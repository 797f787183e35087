"""Consent receipts through Django's request cycle: the settings page, the download, the keys, the
DPO's check (command and upload), rotation, and every kind of bad input."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import KeySet

from consent.backoffice import seals
from consent.backoffice.receipts import ReceiptError, check_receipt
from consent.models import ConsentRecord
from consent.visitor.receipt import build_receipt
from consent.visitor.receipt_keys import keyring, public_value
from consent.visitor.receipt_signature import canonical, sign
from tests.consent.factories import make_record
from tests.consent.helpers import consent_post, login

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "consent-receipt.schema.json").read_text())


class Links(HTMLParser):
    """The page's links and headings, read with a parser."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.h1 = 0
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self.h1 += 1
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._text.strip(), self._href))
            self._href = None


def parse(response) -> Links:
    links = Links()
    links.feed(response.content.decode())
    return links


def accept_all(client):
    response = consent_post(client, {"action": "accept_all"})
    assert response.status_code == 200, response.content
    return response.json()


def download(client, decision_id) -> dict:
    response = client.get(reverse("cookie-receipt-json", args=[decision_id]))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def verify_with_published_keys(client, receipt: dict) -> dict:
    """What any verifier does: the JWKS from /.well-known/, the payload put back between the dots."""
    keys = KeySet.import_key_set(client.get("/.well-known/consent-receipt-keys.json").json())
    header, _, signature = receipt["signature"]["jws"].split(".")
    payload = jws.deserialize_compact(
        receipt["signature"]["jws"], keys, payload=canonical(receipt), algorithms=["Ed25519"]
    )
    return payload.headers()


def test_without_a_cookie_the_settings_page_says_there_is_nothing_to_show_and_sets_nothing(client, demo, receipt_key):
    response = client.get(reverse("cookie-settings"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    page = parse(response)
    assert page.h1 == 1
    assert "il n'y a ni historique ni reçu à montrer" in response.content.decode()
    assert not [href for _text, href in page.links if "/recu/" in href]


def test_the_settings_page_lists_the_history_with_a_receipt_for_each_choice(client, demo, receipt_key):
    first = accept_all(client)
    second = consent_post(client, {"action": "save", "choices": {"preferences": True}, "source": "settings"}).json()
    response = client.get(reverse("cookie-settings"))
    assert "no-store" in response["Cache-Control"] and not response.cookies
    links = parse(response).links
    downloads = [href for text, href in links if text in ("Télécharger mon reçu", "Télécharger le reçu")]
    assert downloads == [
        reverse("cookie-receipt-json", args=[second["decision_id"]]),  # newest first
        reverse("cookie-receipt-json", args=[first["decision_id"]]),
    ]
    assert ("Télécharger mon reçu", downloads[0]) in links


def test_the_english_settings_page_offers_the_receipt_in_english(client, demo, receipt_key):
    accept_all(client)
    with_lang = client.get("/en/consent/settings/")
    assert with_lang.status_code == 200
    assert "Download my receipt" in [text for text, _href in parse(with_lang).links]


def test_a_receipt_follows_the_profile_and_verifies_with_the_published_key(client, demo, receipt_key):
    decision = accept_all(client)
    receipt = download(client, decision["decision_id"])
    jsonschema.validate(receipt, SCHEMA)
    assert receipt["dct:identifier"] == decision["decision_id"]
    assert receipt["dpv:hasDataSubject"]["dct:identifier"] == decision["consent_id"]
    statuses = {p["dct:identifier"]: p.get("dpv:hasConsentStatus", {}).get("@id") for p in receipt["dpv:hasProcess"]}
    assert statuses == {
        "necessary": None,  # not asked: strictly necessary
        "preferences": "dpv:ConsentGiven",
        "statistics": "dpv:ConsentGiven",
        "advertising": "dpv:ConsentGiven",
    }
    record = ConsentRecord.objects.get()
    assert receipt["dpv:hasNotice"]["dct:identifier"] == record.banner_hash
    assert client.get(receipt["dpv:hasNotice"]["@id"].removeprefix("https://www.nocrm.io")).status_code == 200
    recipients = {p["dct:identifier"]: p["dpv:hasRecipient"] for p in receipt["dpv:hasProcess"]}
    assert {"@type": "dpv:Recipient", "dpv:hasName": "Google"} in recipients["statistics"]
    assert verify_with_published_keys(client, receipt)["kid"] == keyring().signing_kid


def test_a_purpose_granted_then_refused_is_withdrawn_in_the_later_receipt(client, demo, receipt_key):
    accept_all(client)
    later = consent_post(client, {"action": "save", "choices": {"preferences": True}}).json()
    receipt = download(client, later["decision_id"])
    statuses = {p["dct:identifier"]: p.get("dpv:hasConsentStatus", {}).get("@id") for p in receipt["dpv:hasProcess"]}
    assert statuses["preferences"] == "dpv:ConsentGiven"
    assert statuses["statistics"] == statuses["advertising"] == "dpv:ConsentWithdrawn"


def test_the_printable_receipt_reads_the_same_in_french_and_english(client, demo, receipt_key):
    decision = accept_all(client)
    fr = client.get(reverse("cookie-receipt", args=[decision["decision_id"]]))
    assert fr.status_code == 200 and "no-store" in fr["Cache-Control"]
    assert "Reçu de consentement" in fr.content.decode() and decision["consent_id"] in fr.content.decode()
    en = client.get(f"/en/consent/settings/receipt/{decision['decision_id']}/")
    assert en.status_code == 200 and "Consent receipt" in en.content.decode()
    assert parse(en).h1 == 1


def test_another_consent_ids_decision_is_never_given(client, demo, receipt_key, django_user_model):
    from django.test import Client

    other = Client()
    theirs = accept_all(other)
    accept_all(client)
    assert client.get(reverse("cookie-receipt-json", args=[theirs["decision_id"]])).status_code == 404
    assert client.get(reverse("cookie-receipt", args=[theirs["decision_id"]])).status_code == 404
    assert Client().get(reverse("cookie-receipt-json", args=[theirs["decision_id"]])).status_code == 404  # no cookie
    assert client.get(reverse("cookie-receipt-json", args=[uuid.uuid4()])).status_code == 404


def test_without_a_key_no_receipt_is_offered_and_none_is_given(client, demo, settings):
    settings.CONSENT_RECEIPT_KEY = ""
    decision = accept_all(client)
    page = client.get(reverse("cookie-settings"))
    assert not [href for _text, href in parse(page).links if "/recu/" in href]
    assert client.get(reverse("cookie-receipt-json", args=[decision["decision_id"]])).status_code == 404
    assert client.get("/.well-known/consent-receipt-keys.json").json() == {"keys": []}


def test_receipt_requests_are_rate_limited_per_client_like_decisions(
    client, demo, receipt_key, settings, one_rate_window
):
    decision = accept_all(client)
    settings.CONSENT_RATE_LIMIT = 2
    url = reverse("cookie-receipt-json", args=[decision["decision_id"]])
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_a_receipt_costs_one_read_of_the_log_once_its_banner_version_is_known(
    client, demo, receipt_key, django_assert_num_queries
):
    decision = accept_all(client)
    url = reverse("cookie-receipt-json", args=[decision["decision_id"]])
    client.get(url)  # reads the banner version once for the process
    # The rate limit (a savepoint, its DELETE and its upsert, released) and one read of the log.
    with django_assert_num_queries(5) as captured:
        client.get(url)
    log_reads = [q["sql"] for q in captured.captured_queries if "consent_consentrecord" in q["sql"]]
    assert len(log_reads) == 1 and '"consent_id" =' in log_reads[0]


def test_the_keys_are_a_public_jwks_with_key_ids(client, receipt_key):
    response = client.get("/.well-known/consent-receipt-keys.json")
    assert response["Access-Control-Allow-Origin"] == "*" and "public" in response["Cache-Control"]
    (key,) = response.json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "Ed25519"
    assert key["kid"] == keyring().signing_kid and "d" not in key


def test_a_receipt_signed_before_a_rotation_still_verifies_with_the_retired_key(client, demo, receipt_key, settings):
    decision = accept_all(client)
    receipt = download(client, decision["decision_id"])
    old = keyring().signing
    settings.CONSENT_RECEIPT_KEY = call_command_output("consent_receipt_key")
    settings.CONSENT_RECEIPT_OLD_KEYS = [public_value(old)]
    checked = check_receipt(json.dumps(receipt))
    assert checked.genuine and not checked.current_key and checked.key_id == old.thumbprint()
    kids = [k["kid"] for k in client.get("/.well-known/consent-receipt-keys.json").json()["keys"]]
    assert kids == [keyring().signing_kid, old.thumbprint()]
    assert verify_with_published_keys(client, receipt)["kid"] == old.thumbprint()
    settings.CONSENT_RECEIPT_OLD_KEYS = []  # the old key dropped: its receipts are no longer the site's
    with pytest.raises(ReceiptError, match="not one of the site's keys"):
        check_receipt(json.dumps(receipt))


def call_command_output(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def verify_file(tmp_path, receipt: dict | str) -> tuple[int, str]:
    path = tmp_path / "recu.json"
    path.write_text(receipt if isinstance(receipt, str) else json.dumps(receipt), encoding="utf-8")
    try:
        return 0, call_command_output("verify_receipt", str(path))
    except CommandError as exc:
        return exc.returncode, str(exc)


def test_verify_receipt_names_the_record_of_a_genuine_receipt(client, demo, receipt_key, tmp_path):
    decision = accept_all(client)
    status, out = verify_file(tmp_path, download(client, decision["decision_id"]))
    assert status == 0
    assert f"Genuine receipt: decision {decision['decision_id']} of consent ID {decision['consent_id']}" in out
    assert "is not sealed yet" in out


def test_a_flipped_purpose_is_named_as_altered(client, demo, receipt_key, tmp_path):
    receipt = download(client, accept_all(client)["decision_id"])
    stats = next(p for p in receipt["dpv:hasProcess"] if p["dct:identifier"] == "statistics")
    stats["dpv:hasConsentStatus"]["@id"] = "dpv:ConsentRefused"
    status, out = verify_file(tmp_path, receipt)
    assert status == 1
    assert out.startswith("Altered receipt")
    assert (
        "dpv:hasProcess[statistics].dpv:hasConsentStatus.@id (log: dpv:ConsentGiven, receipt: dpv:ConsentRefused)"
        in out
    )


def test_a_moved_date_is_named_as_altered(client, demo, receipt_key, tmp_path):
    receipt = download(client, accept_all(client)["decision_id"])
    receipt["dpv:isIndicatedAtTime"]["@value"] = "2020-01-01T00:00:00.000000Z"
    status, out = verify_file(tmp_path, receipt)
    assert status == 1 and "dpv:isIndicatedAtTime" in out and "2020-01-01T00:00:00.000000Z" in out


def test_a_broken_signature_alone_is_named(client, demo, receipt_key, tmp_path):
    receipt = download(client, accept_all(client)["decision_id"])
    header, _, signature = receipt["signature"]["jws"].split(".")
    receipt["signature"]["jws"] = f"{header}..{signature[:-4]}AAAA"
    status, out = verify_file(tmp_path, receipt)
    assert status == 1 and "the signature does not match, though its fields match the log" in out


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        ("{not json", 2, "The file is not JSON: it is not a consent receipt."),
        ("[1, 2]", 2, "The file is JSON but not a consent receipt (no dpv:ConsentRecord)."),
        ('{"@type": "dpv:ConsentRecord", "dct:identifier": "x"}', 2, "The receipt names no decision"),
    ],
)
def test_what_is_not_a_receipt_gets_one_sentence_and_exit_status_2(db, receipt_key, tmp_path, content, status, message):
    code, out = verify_file(tmp_path, content)
    assert code == status and out.startswith(message) and "\n" not in out


def test_an_unknown_key_and_a_missing_record_exit_1(client, demo, receipt_key, tmp_path, settings):
    receipt = download(client, accept_all(client)["decision_id"])
    unsigned = {k: v for k, v in receipt.items() if k != "signature"}
    unsigned["dct:identifier"] = str(uuid.uuid4())
    status, out = verify_file(tmp_path, sign(unsigned, keyring(), keys_url="x"))
    assert (
        status == 1
        and out
        == f"No decision {unsigned['dct:identifier']} in the log: never recorded, or purged after the retention period."
    )
    settings.CONSENT_RECEIPT_KEY = call_command_output("consent_receipt_key")
    status, out = verify_file(tmp_path, receipt)
    assert status == 1 and "which is not one of the site's keys" in out


def test_an_unreadable_file_exits_2(db, tmp_path):
    with pytest.raises(CommandError, match="cannot be read") as raised:
        call_command("verify_receipt", str(tmp_path / "absent.json"))
    assert raised.value.returncode == 2


def test_a_sealed_day_is_reported_with_its_seal(db, receipt_key):
    decided = timezone.now() - timedelta(days=10)
    record = make_record(decided_at=decided, action="accept_all", preferences=True, statistics=True, advertising=True)
    sealing = seals.seal_settled_days()
    assert sealing.days > 0
    receipt = sign(build_receipt(record, None, None), keyring(), keys_url="x")
    checked = check_receipt(json.dumps(receipt))
    assert checked.genuine
    seal = checked.seal.seal
    assert seal is not None and seal.day == checked.day and str(checked.seal.status) == "ok"
    from consent.backoffice.receipts import seal_sentence

    assert seal.digest in seal_sentence(checked)


def test_the_dpo_checks_an_uploaded_receipt_on_the_look_up_page_and_nothing_is_stored(client, demo, receipt_key):
    from django.test import Client

    visitor = Client()
    decision = accept_all(visitor)
    receipt = download(visitor, decision["decision_id"])
    login(client, "DPO")
    url = reverse("admin:consent_consentrecord_lookup")
    assert "Vérifier un reçu" in client.get(url).content.decode()
    before = ConsentRecord.objects.count()

    def upload(content: bytes):
        return client.post(url, {"receipt": io.BytesIO(content)}, format="multipart")

    genuine = upload(json.dumps(receipt).encode())
    assert genuine.status_code == 200 and "Genuine receipt" in genuine.content.decode()
    receipt["dpv:isIndicatedAtTime"]["@value"] = "2020-01-01T00:00:00.000000Z"
    altered = upload(json.dumps(receipt).encode())
    assert altered.status_code == 400 and "dpv:isIndicatedAtTime" in altered.content.decode()
    malformed = upload(b"{oops")
    assert malformed.status_code == 400 and "The file is not JSON" in malformed.content.decode()
    assert ConsentRecord.objects.count() == before


def test_staff_without_the_log_permission_cannot_check_receipts(client, db):
    login(client, None)
    response = client.post(reverse("admin:consent_consentrecord_lookup"), {"receipt": io.BytesIO(b"{}")})
    assert response.status_code == 403


def browser_of(client, record) -> None:
    """Give ``client`` the consent cookie of ``record``'s consent ID, as the endpoint would have set it."""
    from consent.visitor import cookie

    state = cookie.ConsentState(
        consent_id=record.consent_id,
        choices={"preferences": True, "statistics": True, "advertising": True},
        revision=1,
        decided_at=cookie.now(),
    )
    client.cookies[cookie.cookie_name()] = cookie.dumps(state)


def test_once_its_day_is_sealed_the_receipt_page_gives_a_proof_of_inclusion_checkable_with_sha256(
    client, db, receipt_key
):
    import hashlib

    decided = timezone.now() - timedelta(days=10)
    record = make_record(decided_at=decided, action="accept_all", preferences=True, statistics=True, advertising=True)
    make_record(decided_at=decided + timedelta(seconds=1))  # another visitor, the same day
    browser_of(client, record)
    page = client.get(reverse("cookie-receipt", args=[record.decision_id]))
    assert not [href for _t, href in parse(page).links if href.endswith("inclusion.json")]  # not sealed yet
    assert client.get(reverse("cookie-inclusion", args=[record.decision_id])).status_code == 404
    seals.seal_settled_days()

    page = client.get(reverse("cookie-receipt", args=[record.decision_id]))
    proof_url = reverse("cookie-inclusion", args=[record.decision_id])
    assert ("Télécharger la preuve d'inclusion", proof_url) in parse(page).links
    proof = client.get(proof_url)
    assert proof.status_code == 200 and "no-store" in proof["Cache-Control"]
    data = proof.json()
    assert hashlib.sha256(data["record_text"].encode()).hexdigest() == data["record_hash"]
    assert data["record_hashes"][data["position"] - 1] == data["record_hash"] and len(data["record_hashes"]) == 2
    day_file = "".join(h + "\n" for h in data["record_hashes"]).encode()
    seal = data["seal"]
    assert hashlib.sha256(day_file).hexdigest() == seal["records_digest"]
    fields = (
        f"{seal['version']}\n{seal['day']}\n{seal['records']}\n{seal['records_digest']}\n{seal['previous_digest']}\n"
    )
    assert hashlib.sha256(fields.encode()).hexdigest() == seal["digest"]


def test_the_proof_of_inclusion_is_never_given_for_another_consent_id(client, db, receipt_key):
    decided = timezone.now() - timedelta(days=10)
    mine = make_record(decided_at=decided)
    theirs = make_record(decided_at=decided + timedelta(seconds=1))
    seals.seal_settled_days()
    browser_of(client, mine)
    assert client.get(reverse("cookie-inclusion", args=[mine.decision_id])).status_code == 200
    assert client.get(reverse("cookie-inclusion", args=[theirs.decision_id])).status_code == 404
    client.cookies.clear()
    assert client.get(reverse("cookie-inclusion", args=[mine.decision_id])).status_code == 404


def test_with_the_database_down_the_settings_page_still_lets_the_visitor_choose(client, postgres, receipt_key):
    from consent.demo import load_demo

    load_demo()
    accept_all(client)
    assert client.get(reverse("cookie-settings")).status_code == 200  # declarations now in memory
    postgres.stop()
    response = client.get(reverse("cookie-settings"))
    assert response.status_code == 200
    assert "L'historique de vos choix ne peut pas être lu pour le moment" in response.content.decode()
    assert "Enregistrer mes choix" in response.content.decode()
