"""FriendlyCaptcha v2: the server-side verification of a widget's response.

The widget (``static/vendor/friendlycaptcha/site.min.js``) puts its response in the form field
``frc-captcha-response``; :func:`verify` sends it to the siteverify API and applies the vendor's
recommended rule: a definite "no" (HTTP 200, ``success: false``) refuses the submission, while an
API that cannot answer (other status, timeout, malformed body) must not cost us a lead, so the
submission is accepted as *not verified* and a warning is logged.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

import httpx
from django.conf import settings

log = logging.getLogger(__name__)

RESPONSE_FIELD = "frc-captcha-response"


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    error_code: str = ""

    @property
    def accepted(self) -> bool:
        return self.outcome is not Outcome.REFUSED


def is_enabled() -> bool:
    """True when both the sitekey and the API key are configured (production)."""
    return bool(settings.FRIENDLY_CAPTCHA_SITEKEY and settings.FRIENDLY_CAPTCHA_API_KEY)


def verify(response: str) -> Verification:
    """Ask FriendlyCaptcha whether ``response`` is a valid, fresh solution for our sitekey."""
    try:
        answer = httpx.post(
            settings.FRIENDLY_CAPTCHA_VERIFY_URL,
            json={"response": response, "sitekey": settings.FRIENDLY_CAPTCHA_SITEKEY},
            headers={"X-API-Key": settings.FRIENDLY_CAPTCHA_API_KEY},
            timeout=settings.FRIENDLY_CAPTCHA_TIMEOUT,
        )
    except httpx.HTTPError as error:  # timeouts, refused connections, TLS and protocol errors
        return _unverified(f"request failed: {type(error).__name__}")
    if answer.status_code != 200:
        return _unverified(f"HTTP {answer.status_code}", error_code=_error_code(answer))
    try:
        body = answer.json()
    except ValueError:
        return _unverified("malformed answer: not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
        return _unverified("malformed answer: no boolean 'success'")
    if body["success"]:
        return Verification(Outcome.ACCEPTED)
    return Verification(Outcome.REFUSED, error_code=_error_code(answer))


def _error_code(answer: httpx.Response) -> str:
    try:
        error = answer.json().get("error") or {}
        return str(error.get("error_code", ""))[:64]
    except (ValueError, AttributeError):
        return ""


def _unverified(reason: str, *, error_code: str = "") -> Verification:
    # A configuration mistake (401 auth_invalid, 400 sitekey_invalid) lands here too: the warning
    # is how operations learn that every lead is going through unverified.
    log.warning(
        "FriendlyCaptcha could not verify a response; lead accepted unverified",
        extra={"reason": reason, "error_code": error_code},
    )
    return Verification(Outcome.UNVERIFIED, error_code=error_code)
