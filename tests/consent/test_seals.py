"""Daily seals of the consent log: what a superuser changes behind the triggers' back is named by day."""

import csv
import hashlib
import io
import json
import runpy
import uuid
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from consent.backoffice import seals
from consent.backoffice.retention import purge_consents
from consent.backoffice.rollup import settled_until
from consent.backoffice.verification import Status, verify_seals
from consent.models import ConsentRecord, DaySeal
from tests.consent.factories import make_record, utc
from tests.consent.helpers import login

ALL = {"preferences": True, "statistics": True, "advertising": True}
FIRST, SECOND, EMPTY, THIRD = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)


@pytest.fixture
def log(transactional_db):
    """Four records on 2 March (Paris), two on the 3rd, none on the 4th, one on the 5th; then the 29th
    (23 hours: summer time); one record holds tabs, backslashes and a line feed."""
    make_record(decided_at=utc("2026-03-02T08:00:00+00:00"), action="accept_all", **ALL)
    make_record(decided_at=utc("2026-03-02T08:00:00+00:00"), action="accept_all", **ALL)  # same time: by id
    make_record(decided_at=utc("2026-03-02T10:00:00.5+00:00"), action="reject_all")
    make_record(decided_at=utc("2026-03-02T22:59:59.999999+00:00"), action="custom", preferences=True)
    make_record(decided_at=utc("2026-03-02T23:00:00+00:00"), action="close")  # 00:00 on the 3rd in Paris
    make_record(decided_at=utc("2026-03-03T12:00:00+00:00"), action="withdraw", gpc=True, language="en")
    make_record(
        decided_at=utc("2026-03-05T09:00:00+00:00"),
        user_agent='Mozilla/5.0 (X11; "Linux"), é\t1:2,\n\\t 🍪',
        page_path="/fr/tarifs/?q=a,b:c",
        source="settings",
    )
    make_record(decided_at=utc("2026-03-28T23:00:00+00:00"), action="accept_all", **ALL)  # 00:00 on the 29th
    make_record(decided_at=utc("2026-03-29T21:59:59+00:00"))  # 23:59:59 on the 29th (CEST)


def _seal() -> str:
    out = io.StringIO()
    call_command("seal_consents", stdout=out)
    return out.getvalue()


def _verify(*args: str) -> tuple[int, str]:
    """Exit status and output of verify_consent_log, as ``manage.py`` would give them."""
    out = io.StringIO()
    try:
        call_command("verify_consent_log", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _named(output: str) -> list[str]:
    """The days the text report says differ."""
    return [line.split()[0] for line in output.splitlines() if " differs: " in line]


def as_superuser(statement: str, params: list | None = None) -> None:
    """Run ``statement`` with every trigger off, as a database superuser can: in a connection of its own
    (the tests that tamper are transactional, so it sees their records; the flush after them empties
    the tables again). Needs the embedded cluster, whose superuser is ``postgres``."""
    import psycopg

    settings = connection.settings_dict
    if "EMBEDDED_PGDATA" not in settings:
        pytest.skip("needs the embedded PostgreSQL's superuser")
    with psycopg.connect(host=settings["HOST"], dbname=settings["NAME"], user="postgres", autocommit=True) as su:
        su.execute("SET session_replication_role = replica")
        su.execute(statement, params)


def _record_on(day: date) -> ConsentRecord:
    return next(
        r for r in ConsentRecord.objects.order_by("decided_at", "id") if timezone.localdate(r.decided_at) == day
    )


# Sealing


def test_each_settled_day_is_sealed_once_from_the_oldest_record_and_chained(log):
    until = settled_until()
    assert _seal().startswith(f"{(until - FIRST).days} days from {FIRST} to {until} (exclusive) sealed: 9 records;")
    sealed = list(DaySeal.objects.order_by("day"))
    assert [s.day for s in sealed] == [FIRST + timedelta(days=i) for i in range((until - FIRST).days)]
    assert [s.records for s in sealed[:4]] == [4, 2, 0, 1]
    assert sealed[0].previous_digest == "0" * 64
    assert all(s.previous_digest == p.digest for p, s in zip(sealed, sealed[1:], strict=False))
    assert sealed[2].records_digest == hashlib.sha256(b"").hexdigest()  # a day without records


def test_sealing_is_idempotent(log):
    _seal()
    rows = list(DaySeal.objects.values_list("day", "digest", "sealed_at"))
    assert _seal() == "Nothing to seal: every settled day is sealed already.\n"
    assert list(DaySeal.objects.values_list("day", "digest", "sealed_at")) == rows


def test_a_dry_run_seals_nothing(log):
    out = io.StringIO()
    call_command("seal_consents", "--dry-run", stdout=out)
    assert "would be sealed: 9 records" in out.getvalue() and not DaySeal.objects.exists()


def test_days_that_may_still_receive_resent_decisions_are_not_sealed(log):
    sealing = seals.seal_settled_days(now=utc("2026-03-10T12:00:00+00:00"))  # the 3rd ended 6.5 days ago
    assert (sealing.since, sealing.until) == (FIRST, SECOND)
    assert seals.seal_settled_days(now=utc("2026-03-11T12:00:00+00:00")).until == date(2026, 3, 4)
    assert list(DaySeal.objects.values_list("day", flat=True)) == [FIRST, SECOND]


def test_an_empty_log_seals_nothing(db):
    assert _seal().startswith("Nothing to seal") and not DaySeal.objects.exists()


def test_the_digests_are_the_documented_definition(log):
    """Recomputed here in Python from the rows, as an auditor would with other tools."""
    _seal()

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace("\t", "\\t")

    def text(r: ConsentRecord) -> str:
        utc_time = "%Y-%m-%dT%H:%M:%S.%fZ"
        values = [
            str(r.id),
            str(r.consent_id),
            str(r.decision_id),
            r.decided_at.astimezone(UTC).strftime(utc_time),
            r.recorded_at.astimezone(UTC).strftime(utc_time),
            escaped(r.action),
            *("true" if getattr(r, p) else "false" for p in ("preferences", "statistics", "advertising")),
            str(r.policy_revision),
            escaped(r.banner_hash),
            escaped(r.language),
            escaped(r.source),
            "true" if r.gpc else "false",
            escaped(r.user_agent),
            escaped(r.page_path),
        ]
        return "\t".join(values)

    previous = "0" * 64
    for seal in DaySeal.objects.order_by("day")[:30]:
        records = [
            r
            for r in ConsentRecord.objects.order_by("decided_at", "id")
            if timezone.localdate(r.decided_at) == seal.day
        ]
        hashes = "".join(hashlib.sha256(text(r).encode()).hexdigest() + "\n" for r in records)
        records_digest = hashlib.sha256(hashes.encode()).hexdigest()
        chained = f"1\n{seal.day}\n{len(records)}\n{records_digest}\n{previous}\n"
        assert (seal.records, seal.records_digest) == (len(records), records_digest), seal.day
        assert seal.digest == hashlib.sha256(chained.encode()).hexdigest(), seal.day
        previous = seal.digest
    assert DaySeal.objects.get(day=date(2026, 3, 29)).records == 2  # 23 hours, from 23:00 UTC on the 28th


RECOMPUTE = Path(__file__).resolve().parents[2] / "docs" / "recompute_seals.py"


def _psql_csv(cursor) -> list[dict[str, str]]:
    """The log as ``psql -c "\\copy consent_consentrecord TO … WITH (FORMAT csv, HEADER)"`` writes it."""
    cursor.execute("SET LOCAL timezone = 'Europe/Paris'")  # any session time zone will do
    with cursor.copy("COPY consent_consentrecord TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
        text = b"".join(copy).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_auditors_script_recomputes_the_seals_from_a_psql_export(log, tmp_path):
    script = runpy.run_path(str(RECOMPUTE))
    _seal()
    (tmp_path / "sceaux.json").write_text(json.dumps(seals.seals_json(DaySeal.objects.order_by("day"))))
    sealed = script["read_seals"](str(tmp_path / "sceaux.json"))
    with transaction.atomic(), connection.cursor() as cursor:
        verdicts = dict(script["check"](_psql_csv(cursor), sealed))
    assert len(verdicts) == DaySeal.objects.count() and set(verdicts.values()) == {"ok"}

    as_superuser("UPDATE consent_consentrecord SET page_path = '/en/' WHERE id = %s", [_record_on(THIRD).pk])
    as_superuser("DELETE FROM consent_consentrecord WHERE id = %s", [_record_on(FIRST).pk])
    with transaction.atomic(), connection.cursor() as cursor:
        rows = _psql_csv(cursor)
    verdicts = dict(script["check"](rows, sealed))
    assert verdicts[str(THIRD)] == "differs: 1 records found, 1 sealed, or another digest"
    assert verdicts[str(FIRST)].startswith("differs: 3 records found, 4 sealed")
    assert dict(script["check"](rows, sealed, str(SECOND)))[str(FIRST)] == "purged (3 of 4 records left)"
    assert [day for day, verdict in verdicts.items() if verdict != "ok"] == [str(FIRST), str(THIRD)]


def test_the_worked_example_of_the_decision_record(db):
    """docs/decisions/0006-daily-seals.md works one record through by hand with sha256sum."""
    make_record(
        id=1042,
        consent_id=uuid.UUID("6f1c1f9e-8a0f-4d0e-9a59-6a1b3a6b0c11"),
        decision_id=uuid.UUID("0b6f0e52-3c4a-4f7e-9d51-2a8e61c0d7aa"),
        decided_at=utc("2026-03-02T08:00:00.123+00:00"),
        recorded_at=utc("2026-03-02T08:00:00.481772+00:00"),
        action="custom",
        preferences=True,
        statistics=True,
        policy_revision=3,
        banner_hash="9c1d" + "0" * 60,
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        page_path="/tarifs/",
    )
    doc = (RECOMPUTE.parent / "decisions" / "0006-daily-seals.md").read_text()
    records_digest = "24847c914bc82a73cc24443cf6d50510478541ddc90485f9523afdba2a673b3f"
    seal = "8f05c65e7676b7ffac9a7cff48d2a97080d83d79f1f649ac76768671302f5564"
    assert records_digest in doc and seal in doc
    assert seals.day_digests(FIRST, SECOND) == {FIRST: (1, records_digest)}
    genesis = "0" * 64
    assert (
        seals.seal_digest(version=1, day=FIRST, records=1, records_digest=records_digest, previous_digest=genesis)
        == seal
    )


def test_the_current_version_covers_every_column_of_the_log(db):
    """A new column (a new purpose) needs a new version: old seals keep being checked with theirs."""
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, ConsentRecord._meta.db_table)]
    assert [name for name, _ in seals.COLUMNS[seals.VERSION]] == columns
    assert django_settings.TIME_ZONE == seals.TIME_ZONE


def test_a_decision_stays_one_insert_without_a_trigger_on_it(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [ConsentRecord._meta.db_table],
        )
        triggers = cursor.fetchall()
    # The guards are statement-level and fire on UPDATE, DELETE and TRUNCATE (tgtype bits: 1 ROW,
    # 4 INSERT): none fires on an INSERT, which stays the decision's one statement.
    assert triggers and all(not tgtype & (1 | 4) for _name, tgtype in triggers), triggers


@pytest.mark.parametrize(
    "statement",
    ["UPDATE consent_dayseal SET records = 5", "DELETE FROM consent_dayseal", "TRUNCATE consent_dayseal"],
)
def test_seals_are_append_only_for_everyone(log, statement):
    _seal()
    # The app role may not change a seal (privileges); the guard refuses it even to the owner.
    refused = pytest.raises(DatabaseError, match="append-only|permission denied")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL consent.allow_purge = 'on'")  # the purge's gate opens nothing here
        cursor.execute(statement)
    assert DaySeal.objects.count() == (settled_until() - FIRST).days


# Verification


def test_an_untouched_log_verifies_with_exit_status_0(log):
    _seal()
    status, output = _verify()
    sealed = (settled_until() - FIRST).days
    today = timezone.localdate()
    unsealed = (today - settled_until()).days + 1
    assert status == 0
    assert output.splitlines()[0] == (
        f"{sealed + unsealed} days from {FIRST} to {today}: {sealed} match their seals, 0 purged, 0 differ, "
        f"{unsealed} not sealed yet."
    )
    assert f"{settled_until()} to {today} not sealed yet: open to re-sent decisions" in output


def test_a_changed_record_names_its_day(log):
    _seal()
    forged = "action = 'accept_all', preferences = true, statistics = true, advertising = true"
    as_superuser(f"UPDATE consent_consentrecord SET {forged} WHERE id = %s", [_record_on(SECOND).pk])
    status, output = _verify()
    assert status == 1 and _named(output) == [str(SECOND)]
    assert f"{SECOND} differs: records changed: 2 as sealed, with another digest" in output
    assert output.endswith(f"1 day differs from its seal: {SECOND}")


@pytest.mark.parametrize(
    "change",
    [
        "SET decided_at = decided_at + interval '1 microsecond'",  # still the same day, still first
        "SET user_agent = user_agent || ' '",
        "SET id = id + 1000",  # renumbered
        "SET consent_id = gen_random_uuid()",
    ],
)
def test_any_column_changed_is_detected(log, change):
    _seal()
    as_superuser(f"UPDATE consent_consentrecord {change} WHERE id = %s", [_record_on(THIRD).pk])
    assert _named(_verify()[1]) == [str(THIRD)]


def test_a_deleted_record_names_its_day(log):
    _seal()
    as_superuser("DELETE FROM consent_consentrecord WHERE id = %s", [_record_on(FIRST).pk])
    status, output = _verify()
    assert status == 1 and _named(output) == [str(FIRST)]
    assert f"{FIRST} differs: 1 record missing of the 4 sealed: deleted" in output


def test_a_back_dated_insert_names_its_day(log):
    _seal()
    make_record(decided_at=utc("2026-03-04T10:00:00+00:00"))  # an INSERT: no trigger to get around
    make_record(decided_at=utc("2026-02-20T10:00:00+00:00"))  # before the first sealed day
    status, output = _verify()
    assert status == 1 and _named(output) == ["2026-02-20", str(EMPTY)]
    assert f"{EMPTY} differs: 1 record more than the 0 sealed: inserted" in output
    assert f"2026-02-20 differs: 1 record before the first seal ({FIRST})" in output


def test_a_deleted_seal_breaks_the_chain(log):
    _seal()
    as_superuser("DELETE FROM consent_dayseal WHERE day = %s", [EMPTY])
    status, output = _verify()
    assert status == 1 and _named(output) == [str(EMPTY), str(THIRD)]
    assert f"{EMPTY} differs: no seal, though the chain runs from {FIRST}" in output
    assert f"{THIRD} differs: chain broken: the seal does not follow the seal of {SECOND}" in output


def test_deleting_the_first_seals_is_detected(log):
    _seal()
    as_superuser("DELETE FROM consent_dayseal WHERE day <= %s", [SECOND])
    status, output = _verify()
    assert status == 1 and _named(output) == [str(FIRST), str(SECOND), str(EMPTY)]
    assert f"{EMPTY} differs: the first seal follows another one: earlier seals deleted" in output


def test_a_seal_rewritten_to_fit_changed_records_breaks_the_chain(log):
    _seal()
    record = _record_on(SECOND)
    as_superuser("UPDATE consent_consentrecord SET action = 'reject_all', gpc = false WHERE id = %s", [record.pk])
    seal = DaySeal.objects.get(day=SECOND)
    records, records_digest = seals.day_digests(SECOND, EMPTY)[SECOND]
    digest = seals.seal_digest(
        version=1, day=SECOND, records=records, records_digest=records_digest, previous_digest=seal.previous_digest
    )
    as_superuser(
        "UPDATE consent_dayseal SET records_digest = %s, digest = %s WHERE day = %s", [records_digest, digest, SECOND]
    )
    assert _named(_verify()[1]) == [str(EMPTY)]  # the next seal names the old digest of the 3rd
    as_superuser("UPDATE consent_dayseal SET records_digest = 'f' || substr(records_digest, 2) WHERE day = %s", [THIRD])
    assert f"{THIRD} differs: the seal does not match its own fields: altered" in _verify()[1]


def test_a_resealed_chain_is_caught_by_the_copy_kept_off_site(log, tmp_path):
    _seal()
    copy = tmp_path / "sceaux.csv"
    copy.write_text(seals.seals_csv(DaySeal.objects.order_by("day")))
    # A superuser changes a record, deletes the seals from that day on and lets the next night reseal.
    forged = "action = 'custom', advertising = true"
    as_superuser(f"UPDATE consent_consentrecord SET {forged} WHERE id = %s", [_record_on(THIRD).pk])
    as_superuser("DELETE FROM consent_dayseal WHERE day >= %s", [THIRD])
    _seal()
    assert _verify()[0] == 0  # the database agrees with itself
    status, output = _verify("--against", str(copy))
    assert status == 1 and _named(output)[0] == str(THIRD)
    assert f"{THIRD} differs: the seal differs from the copy kept off-site" in output


def test_the_json_report_lists_every_day_with_its_seal(log):
    _seal()
    as_superuser("DELETE FROM consent_consentrecord WHERE id = %s", [_record_on(THIRD).pk])
    status, output = _verify("--format", "json", "--since", "2026-03-01", "--until", "2026-03-06")
    report = json.loads(output[: output.rindex("}") + 1])
    assert status == 1
    assert report["summary"] == {"ok": 3, "purged": 0, "differs": 1, "not sealed": 0}
    days = {d["day"]: d for d in report["days"]}
    assert list(days) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]  # the 1st holds nothing
    assert days["2026-03-05"]["status"] == "differs" and days["2026-03-05"]["records_in_log"] == 0
    seal = DaySeal.objects.get(day=FIRST)
    assert days["2026-03-02"]["seal"] == {
        "day": "2026-03-02",
        "version": 1,
        "records": 4,
        "records_digest": seal.records_digest,
        "previous_digest": "0" * 64,
        "digest": seal.digest,
        "sealed_at": seal.sealed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def test_wrong_arguments_exit_with_status_2(db, tmp_path):
    assert _verify("--since", "2026-03-05", "--until", "2026-03-01")[0] == 2
    (tmp_path / "x.csv").write_text("not,seals\n1,2\n")
    assert _verify("--against", str(tmp_path / "x.csv"))[0] == 2
    assert _verify("--against", str(tmp_path / "missing.json"))[0] == 2


# Retention


def _retention_reaching(settings, moment) -> None:
    """Today's retention cutoff falls within the day after ``moment``, whatever the time now."""
    settings.CONSENT_LOG_RETENTION_DAYS = (timezone.now() - moment).days


def test_purged_days_are_reported_as_purged_with_exit_status_0(log, log_retention):
    _seal()
    cutoff = utc("2026-03-03T06:00:00+00:00")  # the 2nd goes, and the first record of the 3rd
    log_retention((timezone.now() - cutoff).days)  # the database lets the purge reach the cutoff
    assert purge_consents(cutoff=cutoff).count == 5
    status, output = _verify()
    assert status == 0, output
    assert f"{FIRST} purged: records purged (past the retention period); the seal keeps their digest" in output
    assert f"{SECOND} purged: purge under way: 1 left of the 2 sealed, not compared" in output
    checks = {c.day: c.status for c in verify_seals(FIRST, date(2026, 3, 6))}
    assert checks == {FIRST: Status.PURGED, SECOND: Status.PURGED, EMPTY: Status.OK, THIRD: Status.OK}


def test_a_day_within_the_retention_period_is_never_taken_for_purged(log):
    _seal()
    # Records deleted behind the purge's back (it may not delete them: they are within the retention).
    as_superuser("DELETE FROM consent_consentrecord WHERE decided_at < %s", [utc("2026-03-03T06:00:00+00:00")])
    status, output = _verify()
    assert status == 1 and _named(output) == [str(FIRST), str(SECOND)]


def test_records_missing_after_a_day_the_purge_has_not_finished_are_named(log, settings):
    _seal()
    _retention_reaching(settings, utc("2026-03-06T06:00:00+00:00"))  # every day up to the 5th may go
    as_superuser("DELETE FROM consent_consentrecord WHERE id = %s", [_record_on(THIRD).pk])
    status, output = _verify()
    assert status == 1 and _named(output) == [str(THIRD)]
    assert "an earlier day still holds records, and the purge deletes the oldest first" in output


# The back office


def test_the_dpo_downloads_the_seals_to_keep_them_off_site(client, log):
    _seal()
    login(client, "DPO")
    url = reverse("admin:consent_consentrecord_seals")
    last = DaySeal.objects.order_by("day").last()
    page = client.get(url)
    assert f'<code id="last-seal">{last.digest}</code>' in page.text
    assert f"{DaySeal.objects.count()} jours scellés" in page.text
    response = client.get(url, {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="sceaux_consentements_{timezone.localdate()}.csv"'
    lines = response.content.decode().splitlines()
    first = DaySeal.objects.get(day=FIRST)
    assert lines[0] == "day,version,records,records_digest,previous_digest,digest,sealed_at"
    assert lines[1] == ",".join(
        ["2026-03-02", "1", "4", first.records_digest, "0" * 64, first.digest, seals.iso_utc(first.sealed_at)]
    )
    document = client.get(url, {"format": "json"}).json()
    assert document["time_zone"] == "Europe/Paris" and len(document["seals"]) == len(lines) - 1
    assert seals.read_copy(response.content.decode()) == seals.read_copy(json.dumps(document))


def test_the_seals_page_before_the_first_seal(client, db):
    login(client, "DPO")
    assert "Aucun jour scellé pour l'instant." in client.get(reverse("admin:consent_consentrecord_seals")).text
