"""The attacks of issue 27, run as the app role against the real PostgreSQL, and what refuses each.

The site's connection (``default``) is the role the web servers use. The privileges it must never hold
are granted by the cluster's superuser (committed, and revoked after each test), as a careless grant or
an old dump restored on a managed database would leave them. Each attack below succeeded before
migration 0012; docs/decisions/0005-database-roles.md and 0006-daily-seals.md say which guard stops it.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from consent import checks
from consent.backoffice.rollup import settled_until
from consent.backoffice.seals import seal_settled_days
from consent.models import ConsentRecord, DaySeal
from consent.privileges import LOG_INSERT_COLUMNS, OWNER
from consent.visitor import cookie
from consent.visitor.cookie import cookie_name
from tests.consent.factories import make_record
from tests.consent.helpers import consent_post

LOG = ConsentRecord._meta.db_table
SEALS = DaySeal._meta.db_table
APP = settings.DATABASES["default"]["USER"]
OWNER_ROLE = settings.DATABASES[OWNER]["USER"]


def refusal(statement: str | tuple[str, object], params: object = None) -> str:
    """PostgreSQL's answer to ``statement`` as the app role (it must fail), in a savepoint."""
    if isinstance(statement, tuple):
        statement, params = statement
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(refused.value)


@pytest.fixture
def superuser(transactional_db) -> Iterator[Callable[[str, str], None]]:
    """``grant(sql, undo)`` runs ``sql`` as the cluster's superuser at once, and ``undo`` after the test.

    The test runs in autocommit, as the web servers do: within one open transaction, a session may go on
    reading the privileges it cached before another session's GRANT (nothing makes it look again), and
    an attack made from such a transaction would test the cache, not the guards.
    """
    if "EMBEDDED_PGDATA" not in settings.DATABASES["default"]:
        pytest.skip("needs the embedded cluster, whose superuser the tests may use")
    connection.ensure_connection()
    admin = psycopg.connect(
        host=connection.settings_dict["HOST"], user="postgres", dbname=connection.settings_dict["NAME"], autocommit=True
    )
    undo: list[str] = []

    def grant(sql: str, revert: str) -> None:
        undo.append(revert)
        admin.execute(sql)

    try:
        yield grant
    finally:
        for statement in reversed(undo):
            admin.execute(statement)
        admin.close()


def excess() -> list[str]:
    return [message.msg for message in checks.check_app_role_privileges() if message.id == "consent.E004"]


# --- The check: the app role has exactly its privileges -----------------------------------------------


def test_the_app_role_has_exactly_its_privileges(db):
    assert checks.check_app_role_privileges() == []


def _on(privilege: str, target: str, sentence: str, *, grantee: str = APP) -> tuple[str, str, str]:
    return f"GRANT {privilege} ON {target} TO {grantee}", f"REVOKE {privilege} ON {target} FROM {grantee}", sentence


COLUMN_INSERT = f"GRANT INSERT ({', '.join(LOG_INSERT_COLUMNS)}) ON {LOG} TO {APP}"
EXCESS = [
    _on("CREATE", "SCHEMA public", "may CREATE objects in schema public"),
    _on("CREATE", "SCHEMA public", "may CREATE objects in schema public", grantee="PUBLIC"),
    _on("TRUNCATE", LOG, f"has TRUNCATE on table {LOG}"),
    _on("TRIGGER", "ratelimit_window", "has TRIGGER on table ratelimit_window"),
    _on("REFERENCES", SEALS, f"has REFERENCES on table {SEALS}"),
    _on("INSERT", SEALS, f"has INSERT on table {SEALS}"),
    _on("UPDATE", LOG, f"has UPDATE on table {LOG}"),
    _on("UPDATE (gpc)", LOG, f"has UPDATE (of some columns) on table {LOG}"),
    (f"GRANT INSERT ON {LOG} TO {APP}", f"REVOKE INSERT ON {LOG} FROM {APP}; {COLUMN_INSERT}", "column recorded_at"),
    _on("INSERT (id)", LOG, "INSERT of column id"),
    _on("DELETE", "consent_log_retention", "has DELETE on table consent_log_retention"),
    (f"GRANT {OWNER_ROLE} TO {APP}", f"REVOKE {OWNER_ROLE} FROM {APP}", f"is a member of the owner role {OWNER_ROLE}"),
    (
        f"CREATE TABLE public.red_team_owned (id integer); ALTER TABLE public.red_team_owned OWNER TO {APP}",
        "DROP TABLE public.red_team_owned",
        "owns the relation red_team_owned",
    ),
    (f"ALTER ROLE {APP} CREATEROLE", f"ALTER ROLE {APP} NOCREATEROLE", "may create roles (CREATEROLE)"),
    (f"ALTER ROLE {APP} SUPERUSER", f"ALTER ROLE {APP} NOSUPERUSER", "is a superuser"),
]


@pytest.mark.parametrize(("grant", "revoke", "sentence"), EXCESS, ids=[e[2] for e in EXCESS])
def test_each_excess_privilege_fails_check_deploy_with_a_sentence_naming_it(superuser, grant, revoke, sentence):
    superuser(grant, revoke)
    found = excess()
    assert any(sentence in message for message in found), found
    with pytest.raises(SystemCheckError, match=sentence.replace("(", r"\(").replace(")", r"\)")):
        call_command("check", deploy=True, fail_level="ERROR", stdout=io.StringIO())


def test_migrate_as_the_owner_fails_when_the_app_role_holds_too_much(superuser):
    checks.after_migrate(using=OWNER)  # as granted: passes
    superuser(f"GRANT TRUNCATE ON ratelimit_window TO {APP}", f"REVOKE TRUNCATE ON ratelimit_window FROM {APP}")
    with pytest.raises(CommandError, match="has TRUNCATE on table ratelimit_window"):
        checks.after_migrate(using=OWNER)


def test_migrating_revokes_create_on_every_schema_from_the_app_role_and_public(superuser):
    """What PostgreSQL before 15 (or an old dump) leaves open, the owner's migrate closes."""
    superuser("GRANT CREATE ON SCHEMA public TO PUBLIC", "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    superuser(f"GRANT CREATE ON SCHEMA public TO {APP}", f"REVOKE CREATE ON SCHEMA public FROM {APP}")
    assert len([m for m in excess() if "may CREATE objects in schema public" in m]) == 1
    call_command("migrate", database=OWNER, verbosity=0)  # its post_migrate check passes: nothing left
    assert excess() == []


# --- 1. The overload hijack: an object of the app role's resolved with the owner's rights ----------------

HIJACK = f"""
CREATE FUNCTION public.consent_retention_cutoff(requested text) RETURNS timestamptz
LANGUAGE plpgsql AS $$
BEGIN
    -- Runs as whoever calls it: the owner, inside its purge trigger, before migration 0012.
    EXECUTE 'GRANT UPDATE, DELETE ON public.{LOG} TO {APP}';
    EXECUTE 'ALTER TABLE public.{LOG} DISABLE TRIGGER USER';
    RETURN 'infinity';
END;
$$
"""


def test_the_overload_hijack_is_refused_even_with_create_granted(superuser, log_retention):
    log_retention(30)
    expired = make_record(decided_at=timezone.now() - timedelta(days=40))
    kept = make_record()
    superuser(f"GRANT CREATE ON SCHEMA public TO {APP}", f"REVOKE CREATE ON SCHEMA public FROM {APP}")
    # Committed, as an attacker's would be; undone after the test, whatever the attack achieved.
    superuser("SELECT", "DROP FUNCTION IF EXISTS public.consent_retention_cutoff(text)")
    superuser("SELECT", f"REVOKE UPDATE, DELETE ON {LOG} FROM {APP}; ALTER TABLE {LOG} ENABLE TRIGGER USER")
    with connection.cursor() as cursor:
        cursor.execute(HIJACK)  # the app role may create it now: the check says so, the guards still hold
        cursor.execute("SELECT consent_purge_expired(now(), 1000)")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT has_table_privilege(current_user, %s, 'UPDATE')", [LOG])
        assert cursor.fetchone() == (False,)
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled = 'O'",
            [LOG],
        )
        assert cursor.fetchone() == (2,)  # the append-only guard and consent_record_kept, both enabled
    assert "permission denied" in refusal(f"UPDATE {LOG} SET gpc = true")
    assert "permission denied" in refusal(f"DELETE FROM {LOG}")
    assert list(ConsentRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert expired.pk != kept.pk


def test_without_create_the_app_role_cannot_even_place_the_overload(db):
    assert "permission denied for schema public" in refusal(HIJACK)


# --- 2. A far-future seal ------------------------------------------------------------------------------

DIGEST = "0" * 64


def test_a_far_future_seal_cannot_be_inserted_and_the_nights_keep_sealing(db):
    make_record(decided_at=timezone.now() - timedelta(days=12))
    forged = (
        f"INSERT INTO {SEALS} (day, version, records, records_digest, previous_digest, digest)"
        " VALUES (%s, 1, 0, %s, %s, %s)"
    )
    assert "permission denied for table" in refusal(forged, [date(2099, 1, 1), DIGEST, DIGEST, DIGEST])
    # Nor through the owner's function: the moment it is given can only be earlier than the database's,
    # so calling it night after night "in 2099" seals the settled days, then nothing.
    sealed = []
    with connection.cursor() as cursor:
        for _ in range(30):
            cursor.execute("SELECT day FROM consent_seal_next_day('2099-01-01'::timestamptz)")
            (day,) = cursor.fetchone()
            if day is None:
                break
            sealed.append(day)
    assert sealed == sorted(sealed) and sealed[-1] == settled_until() - timedelta(days=1)
    assert seal_settled_days().days == 0  # the chain ends at the last settled day: the next night goes on from it
    assert max(DaySeal.objects.values_list("day", flat=True)) == settled_until() - timedelta(days=1)


def test_a_far_future_record_cannot_push_the_seals_ahead(db, client, demo):
    in_2099 = timezone.now().replace(year=2099)
    assert "consent_decided_near_recorded" in refusal(_insert(decided_at=in_2099))
    body = {"action": "reject_all", "decision_id": str(uuid.uuid4()), "decided_at": 4070908800000}  # 2099
    assert consent_post(client, body).status_code == 200
    assert abs(ConsentRecord.objects.get().decided_at - timezone.now()) < timedelta(minutes=1)


# --- 3. A record with a chosen id, recorded_at or decided_at ---------------------------------------------

FIELDS = {
    "consent_id": str(uuid.uuid4()),
    "action": "reject_all",
    "preferences": False,
    "statistics": False,
    "advertising": False,
    "policy_revision": 1,
    "banner_hash": "0" * 64,
    "language": "fr",
    "source": "banner",
    "gpc": False,
    "user_agent": "red team",
    "page_path": "/",
}


def _insert(**chosen: object) -> tuple[str, dict[str, object]]:
    """The app role's own INSERT of a record, with the columns it chose."""
    fields = {**FIELDS, "decision_id": str(uuid.uuid4()), "decided_at": timezone.now(), **chosen}
    values = ", ".join(f"%({name})s" for name in fields)
    return f"INSERT INTO {LOG} ({', '.join(fields)}) VALUES ({values})", fields


@pytest.mark.parametrize(
    ("chosen", "refused"),
    [
        ({"id": 1}, "permission denied for table"),
        ({"recorded_at": timezone.now() - timedelta(days=30)}, "permission denied for table"),
        ({"decided_at": timezone.now() - timedelta(days=3650)}, "consent_decided_near_recorded"),
        ({"decided_at": timezone.now() - timedelta(days=8, hours=2)}, "consent_decided_near_recorded"),
    ],
    ids=["id", "recorded_at", "decided_at years back", "decided_at in a settled day"],
)
def test_a_forged_row_cannot_choose_its_id_its_time_or_a_settled_day(db, chosen, refused):
    assert refused in refusal(_insert(**chosen))
    assert not ConsentRecord.objects.exists()


def test_the_decision_function_dates_an_old_decision_by_the_databases_clock(db):
    """Called directly, past the endpoint's checks: the database brings the time inside its window."""
    long_ago = timezone.now() - timedelta(days=30)
    params = {**FIELDS, "decision_id": uuid.uuid4(), "decided_at": long_ago}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inserted FROM consent_record_decision("
            "scope => 'red', client => 'team', window_start => now(), rate_limit => 100, "
            + ", ".join(f"{name} => %({name})s" for name in params)
            + ")",
            params,
        )
        assert cursor.fetchone() == (True,)
    record = ConsentRecord.objects.get()
    assert record.decided_at == record.recorded_at  # "ours": the database's now(), not 30 days ago


# --- 4. A re-sent decision with other choices ----------------------------------------------------------


def test_a_resent_decision_with_other_choices_gets_409_and_the_stored_rows_answer(client, demo):
    decision = str(uuid.uuid4())
    first = consent_post(client, {"action": "accept_all", "decision_id": decision})
    assert first.status_code == 200
    client.cookies.clear()
    again = consent_post(client, {"action": "reject_all", "decision_id": decision})
    assert again.status_code == 409
    body = again.json()
    assert body["choices"] == {"preferences": True, "statistics": True, "advertising": True}
    assert body["action"] == "accept_all" and body["consent_id"] == first.json()["consent_id"]
    state = cookie.loads(client.cookies[cookie_name()].value)
    assert state is not None and state.choices == body["choices"]  # the browser and the proof agree
    assert str(state.consent_id) == first.json()["consent_id"]
    record = ConsentRecord.objects.get()
    assert (record.action, record.advertising) == ("accept_all", True)


def test_a_resent_decision_with_the_same_choices_gets_the_stored_rows_answer(client, demo):
    decided = int(time.time() * 1000) - 60_000
    body = {"action": "reject_all", "decision_id": str(uuid.uuid4()), "decided_at": decided}
    first = consent_post(client, body).json()
    client.cookies.clear()  # another tab, or a browser that lost the answer and its cookie
    again = consent_post(client, {**body, "decided_at": decided + 5000})
    assert again.status_code == 200
    assert {k: again.json()[k] for k in ("consent_id", "choices", "revision", "decided_at")} == {
        k: first[k] for k in ("consent_id", "choices", "revision", "decided_at")
    }
    assert ConsentRecord.objects.count() == 1
