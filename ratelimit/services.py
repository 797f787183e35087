"""Counting a hit against a limit: one upsert per hit, expired windows deleted on the way."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from ratelimit.clients import NETWORK_FACTOR, client_key, network_key
from ratelimit.models import Window

# No limit counts over a longer window than this: older windows are over, whatever their limit.
LONGEST_WINDOW = 24 * 3600


def register_hit(*, scope: str, client: str, limit: int, window: int, now: datetime | None = None) -> bool:
    """Count one hit of ``client`` against ``scope``; False once it exceeds ``limit`` in a ``window`` of seconds."""
    if window > LONGEST_WINDOW:
        raise ValueError(f"a window of at most {LONGEST_WINDOW} s")
    timestamp = (now or timezone.now()).timestamp()
    window_start = datetime.fromtimestamp(timestamp // window * window, tz=UTC)
    table = Window._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # This limit's windows that are over, and those of every limit past the longest window
        # (POST /consent/ counts in the same statement as its INSERT and deletes nothing on its path).
        cursor.execute(
            f"DELETE FROM {table} WHERE (scope = %s AND window_start < %s) OR window_start < %s",
            [scope, window_start, datetime.fromtimestamp(timestamp - LONGEST_WINDOW, tz=UTC)],
        )
        cursor.execute(
            f"""
            INSERT INTO {table} (scope, client, window_start, hits) VALUES (%s, %s, %s, 1)
            ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = {table}.hits + 1
            RETURNING hits
            """,
            [scope, client, window_start],
        )
        (hits,) = cursor.fetchone()
    return hits <= limit


def register_client_hit(*, scope: str, request: HttpRequest, limit: int, window: int) -> bool:
    """Count a hit of the request's client, and of its IPv6 /48 (``NETWORK_FACTOR`` times the limit)."""
    allowed = register_hit(scope=scope, client=client_key(request), limit=limit, window=window)
    network = network_key(request)
    if network is not None:
        allowed = register_hit(scope=scope, client=network, limit=limit * NETWORK_FACTOR, window=window) and allowed
    return allowed
