"""A visitor's receipt as a browser gets it, checked as anyone and as the DPO would check it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
from joserfc import jws
from joserfc.jwk import KeySet
from playwright.sync_api import expect

from consent.visitor.receipt_signature import canonical
from tests.e2e.helpers import wait_for_records
from tests.servers import ROOT, server_env

SCHEMA = json.loads((ROOT / "docs" / "consent-receipt.schema.json").read_text(encoding="utf-8"))


def verify_receipt(path: Path, key: str) -> subprocess.CompletedProcess:
    """``manage.py verify_receipt`` in a process of its own, as the DPO runs it, on the test database."""
    env = server_env(DEBUG="0", CONSENT_RECEIPT_KEY=key)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "verify_receipt", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_accept_all_then_download_the_receipt_and_check_it_every_way(site, receipt_key, tmp_path):
    site.goto("/")
    site.locator("#cc-banner").get_by_role("button", name="Tout accepter").click()
    (record,) = wait_for_records(1)
    site.goto("/consent/parametres/")  # the footer link's page (with JavaScript, the link opens the dialog)
    expect(site.locator("h1")).to_have_text("Vos choix sur les cookies")
    with site.expect_download() as download:
        site.get_by_role("link", name="Télécharger mon reçu").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == f"recu-consentement-{record.decision_id}.json"
    receipt = json.loads(path.read_text(encoding="utf-8"))

    jsonschema.validate(receipt, SCHEMA)  # the profile's required fields
    assert receipt["dct:identifier"] == str(record.decision_id)
    keys = site.request.get("/.well-known/consent-receipt-keys.json").json()
    signed = jws.deserialize_compact(
        receipt["signature"]["jws"], KeySet.import_key_set(keys), payload=canonical(receipt), algorithms=["Ed25519"]
    )
    assert signed.headers()["kid"] in [k["kid"] for k in keys["keys"]]

    genuine = verify_receipt(path, receipt_key)
    assert genuine.returncode == 0, genuine.stderr
    assert f"decision {record.decision_id} of consent ID {record.consent_id}" in genuine.stdout

    flipped = json.loads(path.read_text(encoding="utf-8"))
    ads = next(p for p in flipped["dpv:hasProcess"] if p["dct:identifier"] == "advertising")
    ads["dpv:hasConsentStatus"]["@id"] = "dpv:ConsentRefused"
    (tmp_path / "flipped.json").write_text(json.dumps(flipped), encoding="utf-8")
    result = verify_receipt(tmp_path / "flipped.json", receipt_key)
    assert result.returncode == 1
    assert "dpv:hasProcess[advertising].dpv:hasConsentStatus.@id" in result.stderr

    moved = json.loads(path.read_text(encoding="utf-8"))
    moved["dpv:isIndicatedAtTime"]["@value"] = "2021-06-01T10:00:00.000000Z"
    (tmp_path / "moved.json").write_text(json.dumps(moved), encoding="utf-8")
    result = verify_receipt(tmp_path / "moved.json", receipt_key)
    assert result.returncode == 1 and "dpv:isIndicatedAtTime" in result.stderr


def test_the_printable_receipt_opens_from_the_settings_page(site, receipt_key):
    site.goto("/")
    site.locator("#cc-banner").get_by_role("button", name="Tout refuser", exact=True).click()
    wait_for_records(1)
    site.goto("/consent/parametres/")
    site.get_by_role("link", name="version imprimable").click()
    expect(site.locator("h1")).to_have_text("Reçu de consentement")
    expect(site.get_by_role("row", name="Statistiques")).to_contain_text("Refusé")


def test_a_browser_without_a_choice_is_told_there_is_nothing_to_show(site, receipt_key):
    site.goto("/consent/parametres/")
    expect(site.get_by_text("il n'y a ni historique ni reçu à montrer")).to_be_visible()
    expect(site.get_by_role("link", name="Télécharger mon reçu")).to_have_count(0)
