"""Site-level views: the cookie policy page and the health check (marketing pages are templates)."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consent.models import Audience
from consent.visitor.snapshot import Snapshot, get_snapshot


@require_safe
def cookie_policy(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    return render(
        request,
        "pages/cookies.html",
        {
            "consent": snapshot,
            "contact_trackers": snapshot.trackers_for(Audience.CONTACTS),
            "user_trackers": snapshot.trackers_for(Audience.USERS),
            # The sentence about Google Tag Manager says when it loads (README: GTM's two modes).
            "gtm_waits_for": _gtm_purposes(snapshot) if settings.GTM_CONSENT_MODE != "advanced" else "",
        },
    )


def _gtm_purposes(snapshot: Snapshot) -> str:
    """The names of the purposes that load GTM in basic mode, as the banner shows them."""
    names = {p.slug: p.name for p in snapshot.purposes}
    return " / ".join(str(names.get(slug, slug)) for slug in settings.CONSENT_GTM_REQUIRES)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})
