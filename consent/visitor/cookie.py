"""The consent cookie: who decided (a random consent ID), what, under which revision, and when.

Its value is ``<consent id>.<purposes>.<revision>.<unix time>:<signature>``, where ``<purposes>`` is
one digit per optional purpose in ``OPTIONAL_PURPOSES`` order ("1" granted, "0" refused), e.g.
``1b4e…9f.010.3.1764160000:Xyz…``. The page's script reads it with a split; the server trusts only
what Django's signer verifies (see docs/decisions/0001-consent-cookie.md).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from consent.models import OPTIONAL_PURPOSES
from consent.policy import CLOCK_SKEW

SALT = "consent.cookie"  # part of the cookie's format (decision 0001): a new salt voids every cookie


@dataclass(frozen=True)
class ConsentState:
    consent_id: uuid.UUID
    choices: dict[str, bool]  # optional purpose slug -> granted
    revision: int
    decided_at: int  # Unix time, seconds

    def granted(self, purpose: str) -> bool:
        return purpose == "necessary" or self.choices.get(purpose, False)


def dumps(state: ConsentState) -> str:
    purposes = "".join("1" if state.choices[slug] else "0" for slug in OPTIONAL_PURPOSES)
    return _signer().sign(f"{state.consent_id}.{purposes}.{state.revision}.{state.decided_at}")


def loads(value: str) -> ConsentState | None:
    """The state in a cookie value, or None when it is forged, expired or malformed."""
    try:
        consent_id, purposes, revision, decided_at = _signer().unsign(value).split(".")
        state = ConsentState(
            consent_id=uuid.UUID(consent_id),
            choices={slug: flag == "1" for slug, flag in zip(OPTIONAL_PURPOSES, purposes, strict=True)},
            revision=int(revision),
            decided_at=int(decided_at),
        )
    except (signing.BadSignature, TypeError, ValueError):
        return None
    age = now() - state.decided_at
    if not -CLOCK_SKEW.total_seconds() <= age < settings.CONSENT_MAX_AGE or not set(purposes) <= {"0", "1"}:
        return None
    return state


def _signer() -> signing.Signer:
    # Signer() verifies with SECRET_KEY, then each of SECRET_KEY_FALLBACKS, in constant time.
    return signing.Signer(salt=SALT)


def cookie_name() -> str:
    """The consent cookie's name: with the ``__Host-`` prefix when it is host-only and secure.

    Browsers accept a ``__Host-`` cookie only from a secure page, host-only and on path "/", so no
    sibling subdomain (``Domain=.nocrm.io``) can plant or overwrite it. With ``CONSENT_COOKIE_DOMAIN``
    set (one choice shared by several subdomains) the prefix is impossible; see the README.
    """
    prefix = "__Host-" if settings.CONSENT_COOKIE_SECURE and not settings.CONSENT_COOKIE_DOMAIN else ""
    return prefix + settings.CONSENT_COOKIE_NAME


def read(request: HttpRequest) -> ConsentState | None:
    """The visitor's verified state, parsed once per request."""
    if not hasattr(request, "_consent_state"):
        raw = request.COOKIES.get(cookie_name())
        request._consent_state = loads(raw) if raw else None  # type: ignore[attr-defined]
    state: ConsentState | None = request._consent_state  # type: ignore[attr-defined]
    return state


def write(response: HttpResponse, state: ConsentState) -> None:
    response.set_cookie(
        cookie_name(),
        dumps(state),
        max_age=settings.CONSENT_MAX_AGE,
        domain=settings.CONSENT_COOKIE_DOMAIN,
        path="/",
        secure=settings.CONSENT_COOKIE_SECURE,
        httponly=False,  # the page's script reads the choices
        samesite="Lax",
    )


def now() -> int:
    return int(time.time())
