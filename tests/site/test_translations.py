"""The English catalogue is complete, and /en/ serves English pages at English URLs."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _entries() -> list[dict]:
    """Every entry of the catalogue, header excluded: flags and its msgid/msgid_plural/msgstr fields."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "fields": {}}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry["fields"][key] += _unquote(line[1:-1])
            else:
                key, _, value = line.partition(" ")
                entry["fields"][key] = _unquote(value[1:-1])
        if entry["fields"].get("msgid"):
            entries.append(entry)
    return entries


def test_catalogue_is_complete_and_nothing_is_fuzzy():
    entries = _entries()
    assert len(entries) > 100
    fuzzy = [e["fields"]["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert fuzzy == []
    untranslated = []
    for e in entries:
        fields = e["fields"]
        strings = [fields["msgstr[0]"], fields["msgstr[1]"]] if "msgid_plural" in fields else [fields["msgstr"]]
        if not all(s.strip() for s in strings):
            untranslated.append(fields["msgid"])
    assert untranslated == []
    assert "fuzzy" not in PO.read_text(encoding="utf-8").split("\n\n")[0]


def test_translations_keep_placeholders_and_urls_are_english_slugs():
    for e in _entries():
        fields = e["fields"]
        msgid = fields["msgid"]
        for key, msgstr in fields.items():
            if key.startswith("msgstr"):
                source = fields["msgid_plural"] if key == "msgstr[1]" else msgid
                assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(source)), msgid
        if msgid.endswith("/"):
            assert re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)*/", fields["msgstr"]), msgid


def test_home_page_in_english_shows_the_consent_banner_in_english(client, demo):
    html = client.get("/en/").text
    for wording in ("Accept all", "Reject all", "Customise", "Cookie settings"):
        assert wording in html
    assert "Tout accepter" not in html


def test_urls_and_pages_are_translated(client, demo):
    with translation.override("en"):
        assert reverse("features") == "/en/features/"
        assert reverse("pricing") == "/en/pricing/"
        assert reverse("cookie-settings") == "/en/consent/settings/"
    response = client.get("/en/features/")
    assert response.status_code == 200
    assert "<h1>Everything you need to follow a prospect, and nothing more</h1>" in response.text
    assert '<html lang="en">' in response.text
