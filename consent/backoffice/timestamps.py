"""RFC 3161 timestamps of the seals: a timestamping authority (TSA) signs that a seal existed at a time.

Each night ``manage.py seal_consents`` asks the authority of ``SEAL_TSA_URL`` to timestamp the last
seal, checks the answer and stores its token beside the seal (``SealTimestamp``). The seal is itself a
SHA-256 digest (of its own fields, docs/decisions/0006-daily-seals.md), so it is the token's message
imprint as it is: ``openssl ts -verify -digest <seal> -in token.tsr -CAfile tsa.pem`` checks a token
without the site. Even someone who rewrites the whole database and recomputes every seal cannot make
a token that vouches for the new ones at an earlier time.

A token is good when its CMS signature verifies with the certificate that signed it, that certificate
is one of ``SEAL_TSA_CERTIFICATES`` or issued by one of them, valid at the signed time and meant for
timestamping, the signed attributes name the TSTInfo and its digest, the TSTInfo's imprint is the
seal (SHA-256), and the signed time is after the seal was made and not in the future. The ASN.1 is
read and written by asn1crypto, the signatures checked by cryptography.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import httpx
from asn1crypto import algos, cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.conf import settings
from django.utils import timezone

from consent.policy import CLOCK_SKEW

HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class BadToken(ValueError):
    """A token that does not vouch for its seal; the message says why, in one sentence."""


@dataclass(frozen=True)
class Stamp:
    time: datetime  # the authority's signed time
    authority: str  # the signing certificate's subject


def request_token(digest: str, *, url: str | None = None, timeout: float | None = None) -> bytes:
    """Ask the authority to timestamp ``digest`` (a seal, 64 hex digits); the token's DER.

    Raises ``BadToken`` when the authority refuses or answers something else than what was asked.
    """
    nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": _imprint(digest),
            "nonce": nonce,
            "cert_req": True,  # the signing certificate in the token: it verifies on its own
        }
    )
    try:
        answer = httpx.post(
            url or settings.SEAL_TSA_URL,
            content=request.dump(),
            headers={"Content-Type": "application/timestamp-query"},
            timeout=timeout or settings.SEAL_TSA_TIMEOUT,
        )
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise BadToken(f"the timestamping authority did not answer: {exc}") from exc
    try:
        response = tsp.TimeStampResp.load(answer.content)
        status = response["status"]["status"].native
        token = response["time_stamp_token"]
    except (ValueError, TypeError, KeyError) as exc:
        raise BadToken(f"the timestamping authority's answer is not a timestamp response: {exc}") from exc
    if status not in ("granted", "granted_with_mods") or not token:
        raise BadToken(f"the timestamping authority refused the request ({status})")
    if _tst_info(token)["nonce"].native != nonce:
        raise BadToken("the timestamping authority answered another request (its nonce differs)")
    return token.dump()


def verify_token(
    token: bytes, digest: str, *, sealed_at: datetime | None = None, trusted: list[x509.Certificate] | None = None
) -> Stamp:
    """Check that ``token`` timestamps the seal ``digest``; its signed time and authority, or BadToken."""
    trusted = trusted if trusted is not None else trusted_certificates()
    try:
        info = cms.ContentInfo.load(token)
        if info["content_type"].native != "signed_data":
            raise BadToken("the token is not a CMS signed-data")
        signed = info["content"]
        tst = _tst_info(info)
        signer = signed["signer_infos"][0]
        imprint = tst["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        gen_time = tst["gen_time"].native
    except BadToken:
        raise
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise BadToken(f"the token cannot be read: {exc}") from exc
    if algorithm != "sha256" or hashed != bytes.fromhex(digest):
        raise BadToken("the token timestamps another seal (its message imprint is not this seal)")
    certificate = _signing_certificate(signed, signer)
    _check_signature(signed, signer, certificate)
    authority = _check_authority(certificate, trusted, gen_time)
    if sealed_at is not None and gen_time < sealed_at - CLOCK_SKEW:
        raise BadToken(f"the token's time ({gen_time.isoformat()}) is before the seal was made")
    if gen_time > timezone.now() + CLOCK_SKEW:
        raise BadToken(f"the token's time ({gen_time.isoformat()}) is in the future")
    return Stamp(time=gen_time, authority=authority)


def trusted_certificates() -> list[x509.Certificate]:
    """The authority's certificates (or its CA's) of ``SEAL_TSA_CERTIFICATES``, a PEM file."""
    return _load_certificates(settings.SEAL_TSA_CERTIFICATES)


@cache
def _load_certificates(path: str) -> list[x509.Certificate]:
    if not path:
        return []
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def _imprint(digest: str) -> tsp.MessageImprint:
    return tsp.MessageImprint(
        {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}), "hashed_message": bytes.fromhex(digest)}
    )


def _tst_info(info: cms.ContentInfo) -> tsp.TSTInfo:
    encapsulated = info["content"]["encap_content_info"]
    if encapsulated["content_type"].native != "tst_info":
        raise BadToken("the token does not hold a TSTInfo")
    return encapsulated["content"].parsed


def _signing_certificate(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            matches = (
                candidate.issuer == sid.chosen["issuer"]
                and candidate.serial_number == sid.chosen["serial_number"].native
            )
        else:
            matches = candidate.key_identifier == sid.chosen.native
        if matches:
            return x509.load_der_x509_certificate(candidate.dump())
    raise BadToken("the token does not carry the certificate that signed it")


def _check_signature(signed: cms.SignedData, signer: cms.SignerInfo, certificate: x509.Certificate) -> None:
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in HASHES:
        raise BadToken(f"the token is signed with an unsupported digest ({digest_name})")
    attributes = signer["signed_attrs"]
    found = {attribute["type"].native: attribute["values"][0].native for attribute in attributes}
    content = signed["encap_content_info"]["content"].contents
    if found.get("content_type") != "tst_info":
        raise BadToken("the token's signed attributes do not name a TSTInfo")
    if found.get("message_digest") != hashlib.new(digest_name, content).digest():
        raise BadToken("the token's signature does not cover its TSTInfo (message digest differs)")
    # The signature covers the attributes as a SET OF (RFC 5652, 5.4), not their [0]-tagged form.
    data = attributes.untag().dump()
    signature = signer["signature"].native
    chosen_hash = HASHES[digest_name]()
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if signer["signature_algorithm"].signature_algo == "rsassa_pss":
                pss = padding.PSS(mgf=padding.MGF1(chosen_hash), salt_length=padding.PSS.AUTO)
                key.verify(signature, data, pss, chosen_hash)
            else:
                key.verify(signature, data, padding.PKCS1v15(), chosen_hash)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(chosen_hash))
        else:
            raise BadToken("the token is signed with an unsupported kind of key")
    except InvalidSignature as exc:
        raise BadToken("the token's signature does not verify: forged or altered") from exc


def _check_authority(certificate: x509.Certificate, trusted: list[x509.Certificate], at: datetime) -> str:
    subject = certificate.subject.rfc4514_string()
    if not trusted:
        raise BadToken("no authority to check the token against: set SEAL_TSA_CERTIFICATES")
    if not any(certificate == ca or _issued_by(certificate, ca) for ca in trusted):
        raise BadToken(f"the token is signed by {subject}, which is not an authority of SEAL_TSA_CERTIFICATES")
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        raise BadToken(f"the certificate of {subject} was not valid at the token's time")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise BadToken(f"the certificate of {subject} is not meant for timestamping")
    return subject


def _issued_by(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
