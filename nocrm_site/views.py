"""Site-level views: the cookie and privacy policies, robots.txt, the favicon and the health check
(marketing pages are templates)."""

from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from consent.models import Audience
from consent.visitor.snapshot import Snapshot, get_snapshot
from nocrm_site import retention, seo


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


@require_safe
def privacy_policy(request: HttpRequest) -> HttpResponse:
    """The retention periods are read from the settings that enforce them, so the page cannot drift."""
    context = {
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "receipt_keys_url": seo.absolute(reverse("consent:receipt-keys")),
        **retention.periods(),
    }
    return render(request, "pages/privacy.html", context)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every page; not the admin, the e-mail trackers or the consent endpoints."""
    private = ["/admin/", *_tracker_prefixes(), reverse("consent:update")]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            settings_page = reverse("cookie-settings")  # a visitor's own choice, not a page to index
        if not settings_page.startswith(tuple(private)):
            private.append(settings_page)
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in private)]
    lines.append(f"Sitemap: {seo.absolute(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _tracker_prefixes() -> list[str]:
    # "/o/<token>" -> "/o/": each tracker URL's fixed part, from its pattern.
    names = ("tracking:open-pixel", "tracking:click", "tracking:goto")
    paths = [reverse(name, kwargs={"token": "t"}).removesuffix("t") for name in names]
    return [*paths, reverse("tracking:unsubscribe")]


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for whatever the page links to."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")


@cache
def _favicon_bytes() -> bytes:
    return (settings.BASE_DIR / "static" / "img" / "favicon.ico").read_bytes()


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
