"""The keys that sign consent receipts, and the JWKS that lets anyone check them.

``CONSENT_RECEIPT_KEY`` is the current private key: an Ed25519 seed, 32 random bytes in unpadded
base64url (``make run`` writes one into ``.env``). ``CONSENT_RECEIPT_OLD_KEYS`` lists the public keys
of retired ones (the ``x`` of their JWK, same encoding), so that a receipt signed before a rotation
still verifies. A key's ID is its RFC 7638 thumbprint: derived, never configured, so it cannot name
the wrong key. See docs/decisions/0013-consent-receipts.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from joserfc.jwk import OKPKey

# RFC 9864's fully specified name for EdDSA over Ed25519 ("EdDSA" alone is deprecated by it).
ALGORITHM = "Ed25519"
SEED_BYTES = 32


class BadKey(ValueError):
    """A configured key is not 32 bytes of unpadded base64url."""


@dataclass(frozen=True)
class Keyring:
    signing: OKPKey | None  # None: receipts are not offered
    verifying: dict[str, OKPKey]  # key ID -> public key, the current one first

    @property
    def signing_kid(self) -> str | None:
        return self.signing.thumbprint() if self.signing else None

    def jwks(self) -> dict[str, object]:
        """The public keys as a JWK Set (RFC 7517), each with its ID, use and algorithm."""
        return {
            "keys": [
                {**key.as_dict(private=False), "kid": kid, "use": "sig", "alg": ALGORITHM}
                for kid, key in self.verifying.items()
            ]
        }


def _decode(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadKey(f"{what} is not base64url") from exc
    if len(raw) != SEED_BYTES:
        raise BadKey(f"{what} is {len(raw)} bytes, not {SEED_BYTES}")
    return raw


def private_key(text: str) -> OKPKey:
    return OKPKey.import_key(Ed25519PrivateKey.from_private_bytes(_decode(text, "CONSENT_RECEIPT_KEY")))


def public_key(text: str) -> OKPKey:
    return OKPKey.import_key(Ed25519PublicKey.from_public_bytes(_decode(text, "a key of CONSENT_RECEIPT_OLD_KEYS")))


def public_value(key: OKPKey) -> str:
    """What goes into CONSENT_RECEIPT_OLD_KEYS once ``key`` is retired."""
    return str(key.as_dict(private=False)["x"])


def keyring() -> Keyring:
    """The configured keys; raises BadKey when one is malformed (a system check says so at start-up)."""
    return _keyring(settings.CONSENT_RECEIPT_KEY, tuple(settings.CONSENT_RECEIPT_OLD_KEYS))


@functools.lru_cache(maxsize=4)  # keyed by the settings' values, so a changed setting is read afresh
def _keyring(current: str, old: tuple[str, ...]) -> Keyring:
    signing = private_key(current) if current else None
    keys = [signing] if signing else []
    keys += [public_key(value) for value in old if value.strip()]
    return Keyring(signing=signing, verifying={key.thumbprint(): key for key in keys})


def receipts_enabled() -> bool:
    """Whether receipts can be signed: a valid current key is configured."""
    try:
        return keyring().signing is not None
    except BadKey:
        return False
