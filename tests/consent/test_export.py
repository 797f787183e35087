"""The export's exact content in CSV and JSON Lines, its date-range edges, and its query plan."""

import csv
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from consent.backoffice.export import consent_history, select_sql
from consent.backoffice.periods import parse_bound
from consent.privileges import OWNER
from tests.consent.factories import make_record, utc
from tests.consent.helpers import login

HEADER = (
    "consent_id,decision_id,decided_at,recorded_at,action,preferences,statistics,advertising,gpc,"
    "policy_revision,banner_hash,language,source,page_path,user_agent"
)
A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
B = uuid.UUID("00000000-0000-4000-8000-00000000000b")


@pytest.fixture
def records(db):
    """Two records inside January (Paris time), one on each side of it."""
    make_record(consent_id=A, decision_id=uuid.UUID(int=1), decided_at=utc("2025-12-31T22:59:59.999999+00:00"))
    make_record(  # 00:00 on 1 January in Paris: the first instant of the range
        consent_id=A,
        decision_id=uuid.UUID(int=2),
        decided_at=utc("2025-12-31T23:00:00+00:00"),
        recorded_at=utc("2025-12-31T23:00:01.5+00:00"),
        action="custom",
        statistics=True,
        policy_revision=3,
        banner_hash="a" * 64,
        language="en",
        source="settings",
        gpc=True,
        page_path="/en/pricing/\\x",
        user_agent='Mozilla/5.0 (X11; "Linux"), é',
    )
    make_record(  # 23:59:59.999999 on 31 January in Paris: the last instant of the range
        consent_id=B,
        decision_id=uuid.UUID(int=3),
        decided_at=utc("2026-01-31T22:59:59.999999+00:00"),
        recorded_at=utc("2026-01-31T23:00:00+00:00"),
        action="accept_all",
        preferences=True,
        statistics=True,
        advertising=True,
    )
    make_record(consent_id=B, decision_id=uuid.UUID(int=4), decided_at=utc("2026-01-31T23:00:00+00:00"))


def _export(fmt: str, **options) -> str:
    out = io.StringIO()
    call_command("export_consents", since="2026-01-01", until="2026-02-01", format=fmt, stdout=out, **options)
    return out.getvalue()


def test_csv_export_has_a_header_one_column_per_purpose_and_utc_times(records):
    assert _export("csv").splitlines() == [
        HEADER,
        f"{A},00000000-0000-0000-0000-000000000002,2025-12-31T23:00:00.000000Z,2025-12-31T23:00:01.500000Z,"
        f"custom,false,true,false,true,3,{'a' * 64},en,settings,/en/pricing/\\x,"
        '"Mozilla/5.0 (X11; ""Linux""), é"',
        f"{B},00000000-0000-0000-0000-000000000003,2026-01-31T22:59:59.999999Z,2026-01-31T23:00:00.000000Z,"
        f"accept_all,true,true,true,false,1,{'0' * 64},fr,banner,/,pytest",
    ]


def test_jsonl_export_is_one_json_object_a_line_with_the_same_fields(records):
    lines = _export("jsonl").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "consent_id": str(A),
            "decision_id": "00000000-0000-0000-0000-000000000002",
            "decided_at": "2025-12-31T23:00:00.000000Z",
            "recorded_at": "2025-12-31T23:00:01.500000Z",
            "action": "custom",
            "preferences": False,
            "statistics": True,
            "advertising": False,
            "gpc": True,
            "policy_revision": 3,
            "banner_hash": "a" * 64,
            "language": "en",
            "source": "settings",
            "page_path": "/en/pricing/\\x",
            "user_agent": 'Mozilla/5.0 (X11; "Linux"), é',
        },
        {
            "consent_id": str(B),
            "decision_id": "00000000-0000-0000-0000-000000000003",
            "decided_at": "2026-01-31T22:59:59.999999Z",
            "recorded_at": "2026-01-31T23:00:00.000000Z",
            "action": "accept_all",
            "preferences": True,
            "statistics": True,
            "advertising": True,
            "gpc": False,
            "policy_revision": 1,
            "banner_hash": "0" * 64,
            "language": "fr",
            "source": "banner",
            "page_path": "/",
            "user_agent": "pytest",
        },
    ]


def test_csv_columns_match_the_jsonl_keys(records):
    assert list(csv.reader(io.StringIO(_export("csv"))))[0] == list(json.loads(_export("jsonl").splitlines()[0]))


def test_bounds_accept_times_with_an_offset(records):
    out = io.StringIO()
    call_command(
        "export_consents",
        since="2026-01-31T22:59:59.999999+00:00",
        until="2026-01-31T23:00:00Z",
        format="jsonl",
        stdout=out,
    )
    assert [json.loads(line)["decision_id"][-1] for line in out.getvalue().splitlines()] == ["3"]


def test_an_empty_range_gives_the_header_alone(records):
    out = io.StringIO()
    call_command("export_consents", since="2024-01-01", until="2024-02-01", stdout=out)
    assert out.getvalue() == HEADER + "\n"


def test_export_writes_to_a_file(records, tmp_path):
    target = tmp_path / "january.csv"
    assert _export("csv", output=str(target)) == ""
    assert target.read_text(encoding="utf-8") == _export("csv")


def test_the_command_refuses_a_reversed_or_malformed_range(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("export_consents", since="2026-02-01", until="2026-01-01")
    with pytest.raises(CommandError):
        call_command("export_consents", since="01/02/2026", until="2026-03-01")


def test_admin_download_streams_the_same_file_as_the_command(client, records):
    login(client, "DPO")
    for fmt in ("csv", "jsonl"):
        response = client.get(
            reverse("admin:consent_consentrecord_export"), {"since": "2026-01-01", "until": "2026-02-01", "format": fmt}
        )
        assert response.streaming
        assert response["Content-Disposition"] == f'attachment; filename="consentements_2026-01-01_2026-02-01.{fmt}"'
        assert b"".join(response.streaming_content).decode() == _export(fmt)


def test_admin_export_form_rejects_a_reversed_range(client, db):
    login(client, "DPO")
    response = client.get(
        reverse("admin:consent_consentrecord_export"), {"since": "2026-02-01", "until": "2026-01-01", "format": "csv"}
    )
    assert response.status_code == 200 and not response.streaming
    assert "La fin doit suivre le début." in response.text


def test_history_of_one_consent_id_lists_its_decisions_in_order(records):
    history = consent_history(A)
    assert history["consent_id"] == str(A)
    assert [(d["decided_at"], d["action"]) for d in history["decisions"]] == [
        ("2025-12-31T22:59:59.999999Z", "reject_all"),
        ("2025-12-31T23:00:00.000000Z", "custom"),
    ]
    assert history["decisions"][1]["choices"] == {
        "necessary": True,
        "preferences": False,
        "statistics": True,
        "advertising": False,
    }


def test_lookup_page_shows_the_history_and_downloads_it_as_json(client, records, demo):
    login(client, "DPO")
    url = reverse("admin:consent_consentrecord_lookup")
    page = client.get(url, {"consent_id": str(A)})
    table = page.text.split('<table id="history">')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # header and two decisions
    assert "Choix personnalisé" in page.text
    download = client.get(url, {"consent_id": str(A), "format": "json"})
    assert download["Content-Disposition"] == f'attachment; filename="consentement_{A}.json"'
    document = json.loads(download.content)
    assert [d["decision_id"][-1] for d in document["decisions"]] == ["1", "2"]
    assert document["policy_revisions"][0]["number"] == 1
    assert client.get(url, {"consent_id": str(uuid.uuid4())}).text.count("Aucune décision") == 1


@pytest.mark.django_db(databases=["default", OWNER])
def test_export_reads_only_its_range_through_the_time_index():
    # As the owner: only a table's owner may ANALYZE it (the plan is the same for every role).
    with connections[OWNER].cursor() as cursor:
        cursor.execute(
            """INSERT INTO consent_consentrecord (consent_id, decision_id, decided_at, recorded_at, action,
                   preferences, statistics, advertising, policy_revision, banner_hash, language, source, gpc,
                   user_agent, page_path)
               SELECT gen_random_uuid(), gen_random_uuid(), t, t,
                   'reject_all', false, false, false, 1, '', 'fr', 'banner', false, '', '/'
               FROM generate_series(1, 20000) AS i,
                    LATERAL (SELECT '2025-01-01'::timestamptz + i * interval '10 minutes' AS t) AS moment"""
        )
        cursor.execute("ANALYZE consent_consentrecord")
        start, end = parse_bound("2025-02-01"), parse_bound("2025-02-02")
        cursor.execute(b"EXPLAIN " + select_sql("csv", start, end).as_bytes(cursor.connection))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using consent_rec_decided_idx" in plan
    assert "Index Cond: ((decided_at >= " in plan and "Seq Scan" not in plan


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_sent_by_visitors_never_become_formulas_and_jsonl_keeps_them(db, start):
    hostile = f'{start}HYPERLINK("https://evil.example","x")'
    make_record(decided_at=utc("2026-01-15T12:00:00+00:00"), page_path="/" + hostile, user_agent=hostile)
    [row] = csv.DictReader(io.StringIO(_export("csv")))
    assert row["user_agent"] == "'" + hostile
    assert row["page_path"] == "/" + hostile  # starts with "/": no spreadsheet runs it
    [line] = _export("jsonl").splitlines()
    assert json.loads(line)["user_agent"] == hostile
