"""Proof that one of a visitor's decisions is in its sealed day (decision 0006, "two levels").

Once the record's Paris day is sealed, the visitor who holds the consent cookie can download the
record's own text and hash, the hashes of every record of that day in seal order, and the seal:
``sha256sum`` then shows that the day's hashes give the sealed records digest, that their record's
hash is among them, and that the seal follows from its fields. The other records' hashes reveal
nothing (each covers two random UUIDs). Only the cookie's consent ID is ever answered, as receipts.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from consent.backoffice.seals import COLUMNS, TIME_ZONE, record_hash_sql, seal_fields
from consent.models import ConsentRecord, DaySeal
from consent.visitor import cookie
from consent.visitor.receipt_views import RATE_SCOPE, RATE_WINDOW_SECONDS
from ratelimit.clients import client_key
from ratelimit.services import register_hit


def day_hashes(day: date, version: int) -> list[tuple[int, str, str]]:
    """(record id, record text, record hash) of each record of a Paris day, in seal order."""
    text = "concat_ws(E'\\t', {})".format(", ".join(expr for _, expr in COLUMNS[version]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.id, {text}, {record_hash_sql(version)}
            FROM {ConsentRecord._meta.db_table} AS r
            WHERE r.decided_at >= (%(day)s::timestamp AT TIME ZONE %(tz)s)
              AND r.decided_at < (%(next)s::timestamp AT TIME ZONE %(tz)s)
            ORDER BY r.decided_at, r.id
            """,
            {"day": day, "next": day + timedelta(days=1), "tz": TIME_ZONE},
        )
        return cursor.fetchall()


@require_safe
def inclusion_proof(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    """The proof file of one of this browser's decisions, once its day is sealed; 404 otherwise."""
    state = cookie.read(request)
    if state is None:
        raise Http404
    if not register_hit(
        scope=RATE_SCOPE, client=client_key(request), limit=settings.CONSENT_RATE_LIMIT, window=RATE_WINDOW_SECONDS
    ):
        return HttpResponse("Too many requests.", status=429, headers={"Retry-After": str(RATE_WINDOW_SECONDS)})
    record = ConsentRecord.objects.filter(decision_id=decision_id, consent_id=state.consent_id).first()
    if record is None:
        raise Http404
    day = timezone.localdate(record.decided_at, ZoneInfo(TIME_ZONE))
    seal = DaySeal.objects.filter(day=day).first()
    if seal is None or seal.version not in COLUMNS:
        raise Http404("That day is not sealed yet.")
    rows = day_hashes(day, seal.version)
    mine = next(((i, text, digest) for i, (pk, text, digest) in enumerate(rows) if pk == record.pk), None)
    if mine is None:
        raise Http404
    response = JsonResponse(
        {
            "definition": "docs/decisions/0006-daily-seals.md",
            "decision_id": str(record.decision_id),
            "day": day.isoformat(),
            "time_zone": TIME_ZONE,
            "record_text": mine[1],
            "record_hash": mine[2],
            "position": mine[0] + 1,
            "record_hashes": [digest for _pk, _text, digest in rows],
            "seal": seal_fields(seal),
        },
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="inclusion-{record.decision_id}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
