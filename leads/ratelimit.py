"""Per-client limit on form submissions, counted in PostgreSQL so that it holds across servers.

Why the database and not the cache: the default cache is per process (locmem), so a limit kept
there would multiply by the number of workers and servers. One upsert per submission into a small
table (one row per client and fixed window, expired rows deleted on the way) needs no extra
service. Clients are identified by an HMAC of their address (keyed with ``SECRET_KEY``): the raw
address is never stored or logged.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from leads.models import SubmissionWindow


def client_key(request: HttpRequest) -> str:
    """The hashed address of the client (behind a proxy, the last hop of ``LEADS_CLIENT_IP_HEADER``)."""
    address = request.META.get("REMOTE_ADDR", "")
    if header := settings.LEADS_CLIENT_IP_HEADER:
        # The trusted proxy appends the address it saw: the last entry is the one a client cannot forge.
        forwarded = request.META.get(header, "").split(",")[-1].strip()
        address = forwarded or address
    return salted_hmac("leads.ratelimit", address, algorithm="sha256").hexdigest()


def register_attempt(*, client: str, now: datetime | None = None) -> bool:
    """Count one submission for ``client``; False once it exceeds ``LEADS_RATE_LIMIT`` in the window."""
    seconds = settings.LEADS_RATE_LIMIT_WINDOW
    timestamp = (now or timezone.now()).timestamp()
    window_start = datetime.fromtimestamp(timestamp // seconds * seconds, tz=UTC)
    table = SubmissionWindow._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE window_start < %s", [window_start])
        cursor.execute(
            f"""
            INSERT INTO {table} (client, window_start, attempts) VALUES (%s, %s, 1)
            ON CONFLICT (client, window_start) DO UPDATE SET attempts = {table}.attempts + 1
            RETURNING attempts
            """,
            [client, window_start],
        )
        (attempts,) = cursor.fetchone()
    return attempts <= settings.LEADS_RATE_LIMIT
