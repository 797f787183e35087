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
