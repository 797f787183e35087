"""What the test session does with the database roles (decision 0005): the flush after a transactional test."""

from __future__ import annotations

from collections.abc import Callable


def flush_with_append_only_guard_off(owner_alias: str) -> Callable:
    """Django's flush after a transactional test (TRUNCATE of every table), in one transaction of the
    owner role in which the append-only tables' triggers are off: the app role may not TRUNCATE, and
    the guard refuses it to everyone. Outside this transaction the triggers never stop."""
    from django.db import connections, transaction
    from django.test import TransactionTestCase

    from consent.models import APPEND_ONLY_TABLES

    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self) -> None:
        owner = connections[owner_alias]
        tables = [owner.ops.quote_name(table) for table in APPEND_ONLY_TABLES]
        with transaction.atomic(using=owner_alias), owner.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            flush(self)
            # Django's flush leaves unmanaged tables (the day seals) alone: these are emptied here.
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    return _fixture_teardown


# Tests need records decided long ago (sealed days, the retention purge), which the app role can no
# longer write: the database dates each record (recorded_at) and a CHECK keeps decided_at near it. This
# function, created in the test database only, lets the tests' factory (tests/consent/factories.py)
# write such a record as the owner, inside the test's own transaction (so it is rolled back with it).
# It exists nowhere else; tests/consent/test_red_team.py attacks through the app role's own privileges.
BACKDATE_FUNCTION = """
CREATE FUNCTION {schema}.tests_backdated_record(fields jsonb) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO {schema}.consent_consentrecord (id, {columns}, recorded_at)
    SELECT coalesce(p.id, nextval(pg_get_serial_sequence('{schema}.consent_consentrecord', 'id'))),
           {selected}, coalesce(p.recorded_at, now())
    FROM jsonb_populate_record(NULL::{schema}.consent_consentrecord, fields) AS p
    RETURNING id
$$;
GRANT EXECUTE ON FUNCTION {schema}.tests_backdated_record(jsonb) TO {app};
"""


def create_backdating_function(owner_alias: str, app: str) -> None:
    from django.db import connections

    from consent.privileges import LOG_INSERT_COLUMNS

    owner = connections[owner_alias]
    with owner.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        cursor.execute(
            BACKDATE_FUNCTION.format(
                schema=schema,
                columns=", ".join(LOG_INSERT_COLUMNS),
                selected=", ".join(f"p.{column}" for column in LOG_INSERT_COLUMNS),
                app=owner.ops.quote_name(app),
            )
        )
