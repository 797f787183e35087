"""A receipt's signature: a detached JWS (RFC 7515, appendix F) over its RFC 8785 canonical form.

The signed bytes are the receipt without its ``signature`` member, canonicalised by RFC 8785 (JCS):
anyone re-reading the JSON with any tool gets the same bytes back, whatever the key order or
spacing of the file. The JWS is compact and detached (``<header>..<signature>``): put the base64url
of those bytes between the two dots and any JOSE library verifies it with the key of the header's
``kid`` from ``/.well-known/consent-receipt-keys.json``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import rfc8785
from joserfc import jws
from joserfc.errors import JoseError

from consent.visitor.receipt_keys import ALGORITHM, Keyring

SIGNATURE = "signature"  # the member that carries the JWS; not part of what it signs


class NotSigned(ValueError):
    """The receipt carries no JWS we can read."""


class UnknownKey(ValueError):
    """The JWS names a key that is not one of the site's."""

    def __init__(self, kid: str) -> None:
        super().__init__(kid)
        self.kid = kid


def canonical(receipt: dict[str, Any]) -> bytes:
    """The RFC 8785 bytes of the receipt without its signature member: what the JWS covers."""
    return rfc8785.dumps({k: v for k, v in receipt.items() if k != SIGNATURE})


def sign(receipt: dict[str, Any], keys: Keyring, *, keys_url: str) -> dict[str, Any]:
    """The receipt with its ``signature`` member; raises ValueError when no signing key is configured."""
    if keys.signing is None:
        raise ValueError("CONSENT_RECEIPT_KEY is not set")
    header = {"alg": ALGORITHM, "kid": keys.signing_kid}
    compact = jws.serialize_compact(header, canonical(receipt), keys.signing, algorithms=[ALGORITHM])
    return {
        **receipt,
        SIGNATURE: {
            "jws": jws.detach_content(compact),
            "keys": keys_url,
            "canonicalization": "RFC 8785 (JCS) of this document without its signature member",
        },
    }


def signing_key_id(receipt: dict[str, Any]) -> str:
    """The ``kid`` of the receipt's JWS header; NotSigned when there is none."""
    value = _compact(receipt)
    try:
        header = json.loads(_b64(value.split(".", 1)[0]))
        kid = header["kid"]
    except (ValueError, KeyError, TypeError) as exc:
        raise NotSigned("the signature's header cannot be read") from exc
    if not isinstance(kid, str) or header.get("alg") != ALGORITHM:
        raise NotSigned(f"the signature is not an {ALGORITHM} JWS with a key ID")
    return kid


def verify(receipt: dict[str, Any], keys: Keyring) -> tuple[str, bool]:
    """The key ID and whether the JWS verifies over the receipt's canonical form with that key.

    Raises NotSigned (no readable JWS) or UnknownKey (a key the site does not publish).
    """
    kid = signing_key_id(receipt)
    key = keys.verifying.get(kid)
    if key is None:
        raise UnknownKey(kid)
    try:
        jws.deserialize_compact(_compact(receipt), key, payload=canonical(receipt), algorithms=[ALGORITHM])
    except JoseError:
        return kid, False
    except ValueError as exc:  # a JWS that is not three base64url parts
        raise NotSigned("the signature is not a compact JWS") from exc
    return kid, True


def _compact(receipt: dict[str, Any]) -> str:
    member = receipt.get(SIGNATURE)
    value = member.get("jws") if isinstance(member, dict) else None
    if not isinstance(value, str) or value.count(".") != 2 or value.split(".")[1]:
        raise NotSigned("the receipt has no detached JWS in signature.jws")
    return value


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
