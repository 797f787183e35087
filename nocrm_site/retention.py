"""The retention periods the privacy policy states, read from the settings that enforce them, so the
page cannot drift from the code."""

from __future__ import annotations

from django.conf import settings

DAY = 24 * 3600


def months(days: float) -> int:
    """A period in days as the policy says it, in whole months."""
    return round(days * 12 / 365)


def periods() -> dict[str, int]:
    """Each period by its name in the privacy policy's template."""
    return {
        "leads_months": months(settings.LEADS_RETENTION_DAYS),  # purge_leads
        "consent_months": months(settings.CONSENT_MAX_AGE / DAY),  # the consent cookie's Max-Age
        "consent_log_days": settings.CONSENT_LOG_RETENTION_DAYS,  # purge_consents
        "tracking_months": months(settings.TRACKING_EVENT_RETENTION_DAYS),  # purge_tracking_events
        "session_days": settings.SESSION_COOKIE_AGE // DAY,  # Django's session expiry
    }
