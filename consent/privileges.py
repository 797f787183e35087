"""What each PostgreSQL role may do with the site's tables (docs/decisions/0005-database-roles.md).

The owner role (the ``owner`` alias, ``DATABASE_OWNER_URL``) owns every table and runs the migrations.
The app role (``default``, ``DATABASE_URL``), which the web servers and cron jobs use, reads and writes
the ordinary tables, only reads and appends to the tables of ``APPEND_ONLY_TABLES``, only reads those
of ``READ_ONLY_TABLES``, and deletes expired consent records through ``consent_purge_expired()`` alone.
PostgreSQL enforces all of it: privileges first, and a trigger that not even the owner gets past
without disabling it.

``grant`` is idempotent; migration 0006 runs it, and so does each later migration that adds a table to
``APPEND_ONLY_TABLES`` (after creating the table and its guard). Tables created later by the owner get
the ordinary privileges by themselves (``ALTER DEFAULT PRIVILEGES``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from consent.models import APPEND_ONLY_TABLES

OWNER = "owner"  # the DATABASES alias of the owner role (nocrm_site/settings.py)
# The migration history, and the retention period the purge enforces: the app role may read them only.
READ_ONLY_TABLES = ("django_migrations", "consent_log_retention")
# Runs as the owner (SECURITY DEFINER): the one way for the app role to delete a consent record.
PURGE_FUNCTION = "consent_purge_expired(timestamptz, integer)"


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
        role, schema = quote(app), quote(schema)
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ]
        for tables, allowed in ((APPEND_ONLY_TABLES, "SELECT, INSERT"), (READ_ONLY_TABLES, "SELECT")):
            for table in (t for t in tables if t in existing):
                statements += [
                    f"REVOKE ALL ON {quote(table)} FROM {role}, PUBLIC",
                    f"GRANT {allowed} ON {quote(table)} TO {role}",
                ]
        # Functions are executable by PUBLIC unless revoked.
        statements += [
            f"REVOKE ALL ON FUNCTION {PURGE_FUNCTION} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {PURGE_FUNCTION} TO {role}",
        ]
        for statement in statements:
            cursor.execute(statement)
