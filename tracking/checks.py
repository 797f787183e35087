"""System checks for the tracking settings (run by ``manage.py check`` and at server start)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

THIRTY_DAYS = 30 * 24 * 3600


@checks.register()
def check_link_lifetime(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    max_age = settings.TRACKING_LINK_MAX_AGE
    if max_age is not None and max_age < THIRTY_DAYS:
        return [
            checks.Error(
                f"TRACKING_LINK_MAX_AGE is {max_age} seconds: links in e-mails must work for at least 30 days.",
                hint="Set it to 2592000 or more, or leave it unset (links never expire).",
                id="tracking.E001",
            )
        ]
    return []


@checks.register()
def check_event_batching(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if not 0 <= settings.TRACKING_EVENT_FLUSH_SECONDS <= 60:
        errors.append(
            checks.Error(
                f"TRACKING_EVENT_FLUSH_SECONDS is {settings.TRACKING_EVENT_FLUSH_SECONDS}: events would wait too long"
                " in memory (a worker killed without warning loses them), or never be written.",
                hint="Between 0 (written in the request) and 60; 0.25 by default.",
                id="tracking.E002",
            )
        )
    if settings.TRACKING_EVENT_BACKLOG < 1:
        errors.append(
            checks.Error(
                "TRACKING_EVENT_BACKLOG must be at least 1: no event could be queued.",
                hint="20000 by default (a few MB per process).",
                id="tracking.E003",
            )
        )
    return errors
