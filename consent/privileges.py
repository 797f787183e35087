"""What each PostgreSQL role may do with the site's tables (docs/decisions/0005-database-roles.md).

The owner role (the ``owner`` alias, ``DATABASE_OWNER_URL``) owns every table and runs the migrations.
The app role (``default``, ``DATABASE_URL``), which the web servers and cron jobs use, reads and writes
the ordinary tables, may do with those of ``RESTRICTED_TABLES`` only what is listed there (the log:
SELECT, and INSERT of ``LOG_INSERT_COLUMNS``; the seals: SELECT), deletes expired consent records
through ``consent_purge_expired()`` and adds seals through ``consent_seal_next_day()`` alone, and may
create nothing in any schema (migration 0012; consent/role_audit.py checks it all).
PostgreSQL enforces all of it: privileges first, and a trigger that not even the owner gets past
without disabling it.

``grant`` is idempotent; migration 0006 runs it, and so does each later migration that adds a table to
``APPEND_ONLY_TABLES`` (after creating the table and its guard). Tables created later by the owner get
the ordinary privileges by themselves (``ALTER DEFAULT PRIVILEGES``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from consent.models import BannerVersion, ConsentRecord, DaySeal, SealTimestamp

OWNER = "owner"  # the DATABASES alias of the owner role (nocrm_site/settings.py)
# The migration history, and the retention period the purge enforces: the app role may read them only.
READ_ONLY_TABLES = ("django_migrations", "consent_log_retention")
LOG = ConsentRecord._meta.db_table
# The app role's INSERT on the log names the decision's fields only: ``id`` and ``recorded_at`` come from
# the database (migration 0012), so a forged row cannot choose its place in the log or its time.
LOG_INSERT_COLUMNS = tuple(
    f.column for f in ConsentRecord._meta.concrete_fields if not f.primary_key and f.name != "recorded_at"
)
# What the app role may do with each restricted table; every other table of the site's schema gets
# SELECT, INSERT, UPDATE and DELETE. The seals are written by consent_seal_next_day() only.
RESTRICTED_TABLES: dict[str, tuple[str, ...]] = {
    LOG: ("SELECT",),  # and INSERT on LOG_INSERT_COLUMNS
    BannerVersion._meta.db_table: ("SELECT", "INSERT"),
    DaySeal._meta.db_table: ("SELECT",),
    # A token proves nothing the verification does not check (signature, imprint, time): appended by the
    # nightly job as the app role.
    SealTimestamp._meta.db_table: ("SELECT", "INSERT"),
    **dict.fromkeys(READ_ONLY_TABLES, ("SELECT",)),
}
# Functions the app role may call. The two SECURITY DEFINER ones are its only ways to delete a record
# (the expired ones) and to add a seal (the next settled day's).
PURGE_FUNCTION = "consent_purge_expired(timestamptz, integer)"
SEAL_FUNCTION = "consent_seal_next_day(timestamptz)"
APP_FUNCTIONS = (
    PURGE_FUNCTION,
    SEAL_FUNCTION,
    "consent_retention_cutoff(timestamptz)",
    "consent_record_decision(text, text, timestamptz, integer, uuid, uuid, timestamptz, text, boolean, boolean,"
    " boolean, integer, text, text, text, boolean, text, text, text, integer)",
)


def app_role() -> str | None:
    """The role the web servers connect as, or None when it cannot be told from the settings."""
    return settings.DATABASES[DEFAULT_DB_ALIAS].get("USER") or None


def guard_sql(table: str, *, purge: bool = False) -> str:
    """The trigger that makes ``table`` append-only; with ``purge``, the retention purge may delete.

    ``append_only_guard()`` (migration 0006) refuses UPDATE, DELETE and TRUNCATE; with the argument
    ``purge`` it lets through DELETEs made as the table's owner, which is what
    ``consent_purge_expired()`` runs as. The table then needs a check of the deleted rows of its own
    (the consent log's is ``consent_record_kept``).
    """
    argument = "'purge'" if purge else ""
    return (
        f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard({argument})"
    )


def grant(apps: Any, schema_editor: Any) -> None:
    """Give the app role what it needs and nothing more (a ``RunPython`` operation; run as the owner).

    Where both aliases are one role (``DATABASE_OWNER_URL`` equal to ``DATABASE_URL``) there is nobody to
    grant to, and the system check consent.W001 says what that leaves open.
    """
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        app = app_role()
        if app is None or app == owner:
            return
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace")
        existing = {name for (name,) in cursor.fetchall()}
        functions = {
            f for f in APP_FUNCTIONS if cursor.execute("SELECT to_regprocedure(%s)", [f]).fetchone()[0] is not None
        }
        role, schema = quote(app), quote(schema)
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ]
        for table, allowed in RESTRICTED_TABLES.items():
            if table in existing:
                statements += [
                    f"REVOKE ALL ON {quote(table)} FROM {role}, PUBLIC",
                    f"GRANT {', '.join(allowed)} ON {quote(table)} TO {role}",
                ]
        if LOG in existing:
            statements.append(f"GRANT INSERT ({', '.join(map(quote, LOG_INSERT_COLUMNS))}) ON {quote(LOG)} TO {role}")
        # Functions are executable by PUBLIC unless revoked.
        for function in sorted(functions):
            statements += [
                f"REVOKE ALL ON FUNCTION {schema}.{function} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {schema}.{function} TO {role}",
            ]
        for statement in statements:
            cursor.execute(statement)
    revoke_create_on_schemas(connection, app)


def revoke_create_on_schemas(connection: Any, app: str) -> None:
    """No schema may take objects from the app role or from PUBLIC (PostgreSQL before 15 let PUBLIC
    create in ``public``): an object it creates could stand in for one of the owner's.

    A schema the owner does not own (a managed service's extension schema) may refuse the REVOKE or
    ignore it with a warning; the system check consent.E004 then names what is left.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'")
        schemas = [name for (name,) in cursor.fetchall()]
    for schema in schemas:
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"REVOKE CREATE ON SCHEMA {quote(schema)} FROM PUBLIC, {quote(app)}")
        except DatabaseError:
            continue  # not the owner's to revoke: the check reports it if the app role may create there
