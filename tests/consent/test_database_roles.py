"""PostgreSQL, not the code, keeps the consent log: what the app role and the owner role may do to it.

The site's connection (``default``) is the app role the web servers use; ``owner`` is the role that
migrated the database. See docs/decisions/0005-database-roles.md.
"""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from consent.models import APPEND_ONLY_TABLES, ConsentRecord, Provider, Purpose
from consent.privileges import LOG_INSERT_COLUMNS, OWNER, READ_ONLY_TABLES, RESTRICTED_TABLES
from tests.consent.factories import make_record

LOG = ConsentRecord._meta.db_table
PERMISSION_DENIED = "permission denied for table"
BOTH = ["default", OWNER]


def refusal(statement: str, *, alias: str = "default") -> str:
    """PostgreSQL's answer to ``statement`` (which must fail), in a savepoint of the test's transaction."""
    with (
        pytest.raises(DatabaseError) as refused,
        transaction.atomic(using=alias),
        connections[alias].cursor() as cursor,
    ):
        cursor.execute(statement)
    return str(refused.value)


@pytest.fixture
def aged(db, log_retention):
    """Retention of 30 days; two records past it, two within it (made by the app role)."""
    log_retention(30)
    now = timezone.now()
    old = [make_record(decided_at=now - timedelta(days=400)), make_record(decided_at=now - timedelta(days=31))]
    kept = [make_record(decided_at=now - timedelta(days=29)), make_record(decided_at=now)]
    return old, kept


def test_the_site_connects_as_the_app_role_and_the_tables_belong_to_the_owner(db):
    app, owner = settings.DATABASES["default"]["USER"], settings.DATABASES[OWNER]["USER"]
    assert app != owner
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (app, False, False, False)
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tableowner <> %s", [owner]
        )
        assert cursor.fetchall() == []  # every table, the log's included, was created by the owner's migrate
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [LOG])
        assert cursor.fetchone() == (owner,)


@pytest.mark.parametrize("statement", [f"UPDATE {LOG} SET gpc = true", f"DELETE FROM {LOG}", f"TRUNCATE {LOG}"])
def test_the_app_role_may_not_change_or_delete_records(aged, statement):
    assert PERMISSION_DENIED in refusal(statement)
    assert ConsentRecord.objects.count() == 4


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE {LOG} DISABLE TRIGGER USER",
        f"ALTER TABLE {LOG} DISABLE TRIGGER {LOG}_append_only",
        f"DROP TRIGGER {LOG}_append_only ON {LOG}",
        f"DROP TRIGGER consent_record_kept ON {LOG}",
        "DROP FUNCTION append_only_guard() CASCADE",
        "CREATE OR REPLACE FUNCTION consent_retention_cutoff(requested timestamptz) RETURNS timestamptz"
        " LANGUAGE sql RETURN requested",
        f"ALTER TABLE {LOG} OWNER TO CURRENT_USER",
    ],
)
def test_the_app_role_cannot_disable_or_replace_the_guard(db, statement):
    assert re.search("must be owner|permission denied for schema", refusal(statement))


def test_the_former_session_setting_opens_nothing(aged):
    with connection.cursor() as cursor:
        cursor.execute("SET consent.allow_purge = 'on'")
    try:
        assert PERMISSION_DENIED in refusal(f"DELETE FROM {LOG}")
        assert PERMISSION_DENIED in refusal(f"UPDATE {LOG} SET gpc = true")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET consent.allow_purge")
    assert ConsentRecord.objects.count() == 4


def test_the_purge_function_deletes_only_expired_records_whatever_the_cutoff(aged):
    old, kept = aged
    with connection.cursor() as cursor:
        cursor.execute("SELECT consent_purge_expired(now() + interval '10 years', 1000)")
        assert cursor.fetchone() == (2,)
    assert set(ConsentRecord.objects.values_list("pk", flat=True)) == {r.pk for r in kept}


def test_the_app_role_may_not_change_the_retention_period(db):
    assert PERMISSION_DENIED in refusal("UPDATE consent_log_retention SET days = 1")
    assert PERMISSION_DENIED in refusal("DELETE FROM consent_log_retention")
    with connection.cursor() as cursor:
        cursor.execute("SELECT days FROM consent_log_retention")
        assert cursor.fetchone() == (settings.CONSENT_LOG_RETENTION_DAYS,)


def test_temporary_tables_of_the_caller_do_not_change_what_the_purge_reads(aged):
    # pg_temp comes first in a search_path that does not name it: the functions pin theirs.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE consent_log_retention (singleton boolean, days integer)")
        cursor.execute("INSERT INTO consent_log_retention VALUES (true, 1)")
        cursor.execute("SELECT consent_purge_expired(now(), 1000)")
        assert cursor.fetchone() == (2,)
    assert ConsentRecord.objects.count() == 2


def test_the_app_role_cannot_create_objects_in_the_schema(db):
    assert "permission denied for schema" in refusal("CREATE TABLE consent_shadow (id integer)")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_append_only_tables_may_only_be_read_and_appended_to_by_the_app_role_and_are_guarded(db, table):
    """A table added to APPEND_ONLY_TABLES without its guard, its entry in RESTRICTED_TABLES and
    consent.privileges.grant fails here. The log's INSERT names the decision's columns; the seals have
    none (consent_seal_next_day() writes them)."""
    app = settings.DATABASES["default"]["USER"]
    with connection.cursor() as cursor:
        held = {
            privilege
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
            if cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege]).fetchone()[0]
        }
        assert held == set(RESTRICTED_TABLES[table])  # the log's INSERT is per column, below
        cursor.execute(
            """SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0
               AND has_column_privilege(%s, attrelid, attnum, 'INSERT') ORDER BY attnum""",
            [table, app],
        )
        inserted = [name for (name,) in cursor.fetchall()]
        if table == LOG:
            assert inserted == list(LOG_INSERT_COLUMNS) and "id" not in inserted and "recorded_at" not in inserted
        elif "INSERT" not in RESTRICTED_TABLES[table]:
            assert inserted == []  # the seals: consent_seal_next_day() writes them
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [table, f"{table}_append_only"],
        )
        assert cursor.fetchone() == ("O",)  # present and enabled


def test_every_other_table_is_fully_usable_by_the_app_role(db):
    app = settings.DATABASES["default"]["USER"]
    restricted = set(APPEND_ONLY_TABLES) | set(READ_ONLY_TABLES)
    assert restricted == set(RESTRICTED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace
               AND NOT (has_table_privilege(%(app)s, oid, 'SELECT') AND has_table_privilege(%(app)s, oid, 'INSERT')
                   AND has_table_privilege(%(app)s, oid, 'UPDATE') AND has_table_privilege(%(app)s, oid, 'DELETE'))""",
            {"app": app},
        )
        assert {name for (name,) in cursor.fetchall()} == restricted
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace"
        )
        assert cursor.fetchone()[0] > 0  # the identity columns' sequences
        cursor.execute(
            """SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
               AND CASE WHEN relkind = 'S' THEN NOT has_sequence_privilege(%s, oid, 'USAGE') END""",
            [app],
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT has_table_privilege(%s, 'django_migrations', 'INSERT')", [app])
        assert cursor.fetchone() == (False,)  # a migrate as the app role could not even record itself


def test_ordinary_tables_are_written_by_the_app_role(demo):
    Purpose.objects.filter(slug="statistics").update(name="Mesure d'audience")
    provider = Provider.objects.create(name="Test")
    provider.delete()
    assert Purpose.objects.get(slug="statistics").name == "Mesure d'audience"
    assert not Provider.objects.filter(name="Test").exists()


# --- The owner role: its privileges allow everything, the trigger still refuses ----------------------


@pytest.fixture
def owned(log_retention):
    """Retention of 30 days; one record past it and one within it, made by the owner in its transaction."""
    log_retention(30)
    now = timezone.now()
    return make_record(using=OWNER, decided_at=now - timedelta(days=31)), make_record(using=OWNER, decided_at=now)


@pytest.mark.django_db(databases=BOTH)
@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        (f"UPDATE {LOG} SET gpc = true", "append-only: UPDATE refused"),
        (f"TRUNCATE {LOG}", "append-only: TRUNCATE refused"),
        (f"DELETE FROM {LOG}", "are kept: DELETE refused"),
    ],
)
def test_the_trigger_refuses_the_owner_too(owned, statement, refused):
    with connections[OWNER].cursor() as cursor:
        cursor.execute("SET LOCAL consent.allow_purge = 'on'")  # 0002's way past the guard
    assert refused in refusal(statement, alias=OWNER)
    assert ConsentRecord.objects.using(OWNER).count() == 2


@pytest.mark.django_db(databases=BOTH)
def test_the_owner_may_delete_only_expired_records(owned):
    expired, recent = owned
    with connections[OWNER].cursor() as cursor:
        cursor.execute(f"DELETE FROM {LOG} WHERE id = %s", [expired.pk])
        assert cursor.rowcount == 1
    assert "are kept: DELETE refused" in refusal(f"DELETE FROM {LOG} WHERE id = {recent.pk}", alias=OWNER)


@pytest.mark.django_db(databases=BOTH)
def test_migrating_as_the_owner_stores_the_retention_period():
    with override_settings(CONSENT_LOG_RETENTION_DAYS=42):
        call_command("migrate", database=OWNER, verbosity=0)
    with connections[OWNER].cursor() as cursor:
        cursor.execute("SELECT days FROM consent_log_retention")
        assert cursor.fetchone() == (42,)


@pytest.mark.parametrize("database", ["default", "other"])
def test_migrate_refuses_any_database_but_the_owners(database):
    with pytest.raises(CommandError, match=f"migrate --database {OWNER}"):
        call_command("migrate", database=database, verbosity=0)


# --- manage.py flush: it fails, and leaves every table as it was -----------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("database", "refused"), [("default", PERMISSION_DENIED), (OWNER, "append-only: TRUNCATE")])
def test_flush_fails_loudly_and_leaves_the_log_and_the_rest_intact(database, refused):
    make_record()
    Provider.objects.create(name="Test")
    with pytest.raises(CommandError, match="couldn't be flushed") as failed:
        call_command("flush", database=database, interactive=False, verbosity=0, stdout=io.StringIO())
    assert refused in str(failed.value.__cause__)  # what --traceback shows: PostgreSQL's refusal
    assert ConsentRecord.objects.count() == 1
    assert Provider.objects.filter(name="Test").exists()
