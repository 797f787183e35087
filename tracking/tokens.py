"""Signed tokens carried by tracker URLs: everything a tracker view needs, so it reads no database.

A token is ``django.core.signing`` output (URL-safe base64, compressed when that is shorter, an
HMAC-SHA256 checked in constant time), with one salt per purpose: a pixel token cannot be replayed as
an unsubscribe signature. Keys listed in ``SECRET_KEY_FALLBACKS`` still verify, so a key rotation
leaves the links of e-mails already sent working. The payload is a compact JSON list:
``[message_id, recipient_id, sent_at, target]`` (target: the URL for /l/, a digest of it for /goto/).
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

# Longer than any token the builder makes (see mailer.MAX_TRACKED_URL); checked before the HMAC.
MAX_TOKEN_LENGTH = 12_000


class Purpose(StrEnum):
    OPEN = "open"
    LINK = "link"
    GOTO = "goto"
    UNSUBSCRIBE = "unsubscribe"
    # The recipient's consent to tracking: the withdrawal link of every e-mail, the consent e-mail's link.
    TRACKING_OFF = "tracking-off"
    TRACKING_ON = "tracking-on"


@dataclass(frozen=True)
class Claims:
    message_id: int
    recipient_id: int | None
    sent_at: int  # Unix time, seconds
    target: str = ""


def _signer(purpose: Purpose) -> signing.Signer:
    # Built per call: Signer reads SECRET_KEY and SECRET_KEY_FALLBACKS when it is created.
    return signing.Signer(salt=f"{settings.TRACKING_SIGNING_SALT}.{purpose}", sep=".")


def make_token(purpose: Purpose, claims: Claims) -> str:
    payload: list[object] = [claims.message_id, claims.recipient_id, claims.sent_at]
    if claims.target:
        payload.append(claims.target)
    return _signer(purpose).sign_object(payload, compress=True)


def read_token(purpose: Purpose, token: str, *, max_age: int | None = None) -> Claims | None:
    """The claims of a token signed for ``purpose``; None when forged, truncated, foreign or expired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _signer(purpose).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(payload, list) and 3 <= len(payload) <= 4):
        return None
    message_id, recipient_id, sent_at, *rest = payload
    if not (_is_id(message_id) and (recipient_id is None or _is_id(recipient_id)) and type(sent_at) is int):
        return None
    target = rest[0] if rest else ""
    if not isinstance(target, str):
        return None
    if max_age is not None and time.time() - sent_at > max_age:
        return None
    return Claims(message_id=message_id, recipient_id=recipient_id, sent_at=sent_at, target=target)


def _is_id(value: object) -> bool:
    return type(value) is int and value > 0


def url_digest(url: str) -> str:
    """What a /goto/ token signs in place of the URL: 128 bits of SHA-256, URL-safe base64."""
    return base64.urlsafe_b64encode(hashlib.sha256(url.encode()).digest()[:16]).decode().rstrip("=")


def digest_matches(claims: Claims, url: str) -> bool:
    return constant_time_compare(claims.target, url_digest(url))
