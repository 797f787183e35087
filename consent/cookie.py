"""The consent cookie: who decided (a random consent ID), what, under which revision, and when.

Its value is Django's ``signing.dumps`` of a small JSON object, so the page's script can read it
(base64url JSON before the first ``:``) and the server can trust it (see
docs/decisions/0001-consent-cookie.md).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from consent.models import OPTIONAL_PURPOSES

SALT = "consent.cookie"


@dataclass(frozen=True)
class ConsentState:
    consent_id: uuid.UUID
    choices: dict[str, bool]  # optional purpose slug -> granted
    revision: int
    decided_at: int  # Unix time, seconds

    def granted(self, purpose: str) -> bool:
        return purpose == "necessary" or self.choices.get(purpose, False)


def dumps(state: ConsentState) -> str:
    payload = {
        "id": state.consent_id.hex,
        "p": {slug: int(state.choices[slug]) for slug in OPTIONAL_PURPOSES},
        "r": state.revision,
        "t": state.decided_at,
    }
    return signing.dumps(payload, salt=SALT)


def loads(value: str) -> ConsentState | None:
    """The state in a cookie value, or None when it is forged, expired or malformed."""
    try:
        payload = signing.loads(value, salt=SALT, max_age=settings.CONSENT_MAX_AGE)
        choices = payload["p"]
        return ConsentState(
            consent_id=uuid.UUID(hex=payload["id"]),
            choices={slug: choices[slug] == 1 for slug in OPTIONAL_PURPOSES},
            revision=int(payload["r"]),
            decided_at=int(payload["t"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def read(request: HttpRequest) -> ConsentState | None:
    """The visitor's verified state, parsed once per request."""
    if not hasattr(request, "_consent_state"):
        raw = request.COOKIES.get(settings.CONSENT_COOKIE_NAME)
        request._consent_state = loads(raw) if raw else None
    return request._consent_state


def write(response: HttpResponse, state: ConsentState) -> None:
    response.set_cookie(
        settings.CONSENT_COOKIE_NAME,
        dumps(state),
        max_age=settings.CONSENT_MAX_AGE,
        domain=settings.CONSENT_COOKIE_DOMAIN,
        secure=settings.CONSENT_COOKIE_SECURE,
        httponly=False,  # the page's script reads the choices
        samesite="Lax",
    )


def now() -> int:
    return int(time.time())
