"""A visitor's consent receipt, built on demand from the log: nothing is stored for it.

One receipt per decision, in the form of ISO/IEC TS 27560:2023 as the W3C Data Privacy Vocabulary
(DPV) writes it for the EU GDPR: a JSON-LD ``dpv:ConsentRecord`` whose identifier is the decision ID,
whose data subject is the consent ID, with the notice the visitor saw (the banner version's hash
and the URL where that exact version can be read), each purpose with its consent status, the
providers it declared, the controller, the record's retention, the jurisdiction, how to withdraw,
the time of the decision and until when it holds. Field by field: docs/decisions/0013-consent-receipts.md.

The receipt is the same for the same record, whoever builds it and when (no "issued at"): the back
office rebuilds it from the log to check a receipt that a visitor brings back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from consent.models import OPTIONAL_PURPOSES, Action, BannerVersion, ConsentRecord, Source

# The profile the receipt follows, and our version of its shape (a change of shape is a new version).
PROFILE = "https://w3id.org/dpv/guides/consent-27560"
SCHEMA_VERSION = "nocrm-consent-receipt/1"
CONTEXT = {
    "dpv": "https://w3id.org/dpv#",
    "dpv-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
GDPR = "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
# The data controller, as the legal notice and the cookie policy name it (templates/pages/_company.html).
CONTROLLER_NAME = "Positive Group Sales Solutions"
CONTROLLER_ADDRESS = "3 Avenue Antoine Pinay, P.A. des Quatre Vents, 59510 Hem, France"

# Our purposes as DPV purpose concepts.
DPV_PURPOSES = {
    "necessary": "dpv:ServiceProvision",
    "preferences": "dpv:ServicePersonalisation",
    "statistics": "dpv:ServiceOptimisation",
    "advertising": "dpv:Advertising",
}


class State:
    """A purpose's state in one decision, and its DPV consent status (none when consent is not asked)."""

    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NOT_ASKED = "not asked"


DPV_STATUS = {
    State.GIVEN: "dpv:ConsentGiven",
    State.REFUSED: "dpv:ConsentRefused",
    State.WITHDRAWN: "dpv:ConsentWithdrawn",
}
STATE_OF_STATUS = {status: state for state, status in DPV_STATUS.items()}


@dataclass(frozen=True)
class ShownVersion:
    """What a banner version listed: each purpose with its texts and declared cookies."""

    hash: str
    revision: int
    language: str
    declarations: tuple[dict[str, Any], ...]

    def purpose(self, slug: str) -> dict[str, Any] | None:
        return next((p for p in self.declarations if p.get("slug") == slug), None)


def history(consent_id: object) -> list[ConsentRecord]:
    """Every decision of one consent ID, oldest first: one read of the (consent_id, decided_at) index."""
    return list(ConsentRecord.objects.for_consent_id(consent_id))  # type: ignore[arg-type]


def shown_version(banner_hash: str) -> ShownVersion | None:
    """What a stored banner version listed; kept in memory once read, since it never changes."""
    known = _shown.get(banner_hash)
    if known is not None:
        return known
    row = BannerVersion.objects.filter(hash=banner_hash).values("revision", "language", "declarations").first()
    if row is None:
        return None  # not kept: a hash unknown now is never stored later under other content
    if len(_shown) >= 1024:  # versions change a few times a year; this bounds a long-lived process
        _shown.clear()
    _shown[banner_hash] = ShownVersion(banner_hash, row["revision"], row["language"], tuple(row["declarations"]))
    return _shown[banner_hash]


_shown: dict[str, ShownVersion] = {}


def states(record: ConsentRecord, previous: ConsentRecord | None, version: ShownVersion | None) -> dict[str, str]:
    """Each purpose's state: not asked when it is required or its banner did not list it; withdrawn
    when the decision before, under the same consent ID, had granted it."""
    result = {"necessary": State.NOT_ASKED}
    for slug in OPTIONAL_PURPOSES:
        if version is not None and version.purpose(slug) is None:
            result[slug] = State.NOT_ASKED
        elif getattr(record, slug):
            result[slug] = State.GIVEN
        elif previous is not None and getattr(previous, slug):
            result[slug] = State.WITHDRAWN
        else:
            result[slug] = State.REFUSED
    return result


def utc(moment: datetime) -> dict[str, str]:
    """A time as a typed JSON-LD literal, in UTC with microseconds (as the daily seals write it)."""
    return {"@type": "xsd:dateTime", "@value": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def asks_again(record: ConsentRecord) -> datetime:
    """When the site asks again at the latest: the choice's lifetime (a new policy revision may ask sooner)."""
    return record.decided_at + timedelta(seconds=settings.CONSENT_MAX_AGE)


def build_receipt(
    record: ConsentRecord, previous: ConsentRecord | None, version: ShownVersion | None
) -> dict[str, Any]:
    """The receipt of ``record`` (unsigned); ``previous`` is the decision before it under its consent ID."""
    with translation.override(record.language):
        return _document(record, previous, version)


def _document(record: ConsentRecord, previous: ConsentRecord | None, version: ShownVersion | None) -> dict[str, Any]:
    by_purpose = states(record, previous, version)
    methods = [{"dct:identifier": record.source, "dct:title": str(Source(record.source).label)}]
    if record.gpc:
        methods.append({"dct:identifier": "gpc", "dct:title": gettext("Signal Global Privacy Control du navigateur")})
    return {
        "@context": CONTEXT,
        "@id": f"urn:uuid:{record.decision_id}",
        "@type": "dpv:ConsentRecord",
        "dct:conformsTo": {"@id": PROFILE},
        "dct:hasVersion": SCHEMA_VERSION,
        "dct:identifier": str(record.decision_id),
        "dpv:hasDataSubject": {"@type": "dpv:DataSubject", "dct:identifier": str(record.consent_id)},
        "dct:language": record.language,
        "dpv:hasNotice": {
            "@id": notice_url(record.banner_hash),
            "@type": "dpv:ConsentNotice",
            "dct:identifier": record.banner_hash,
            "dct:hasVersion": str(record.policy_revision),
            "dct:language": record.language,
        },
        "dpv:isIndicatedAtTime": utc(record.decided_at),
        "dpv:isIndicatedBy": {"@type": "dpv:DataSubject", "dct:identifier": str(record.consent_id)},
        "dpv:hasIndicationMethod": methods,
        "dct:type": {"dct:identifier": record.action, "dct:title": str(Action(record.action).label)},
        "dpv:hasProcess": [_process(slug, by_purpose[slug], version) for slug in ("necessary", *OPTIONAL_PURPOSES)],
        "dpv:hasDataController": {
            "@type": "dpv:DataController",
            "dpv:hasName": CONTROLLER_NAME,
            "dpv:hasAddress": CONTROLLER_ADDRESS,
            "dpv:hasContact": f"mailto:{settings.PRIVACY_CONTACT_EMAIL}",
        },
        "dpv:hasStorageCondition": {
            "@type": "dpv:StorageDuration",
            "dpv:hasDuration": {"@type": "xsd:duration", "@value": f"P{settings.CONSENT_LOG_RETENTION_DAYS}D"},
            "dct:description": gettext("Cet enregistrement est effacé à la fin de cette durée."),
        },
        "dpv:hasJurisdiction": {"@id": "loc:FR"},
        "dpv:hasApplicableLaw": {"@id": GDPR},
        "dpv:hasRight": {
            "@id": "dpv-gdpr:A7-3",
            "dpv:isExercisedAt": {
                "@id": settings.SITE_URL + reverse("cookie-settings"),
                "@type": "dpv:RightExerciseNotice",
                "dct:title": gettext("Paramètres des cookies"),
                "dct:description": gettext("Le lien « Paramètres des cookies » en bas de chaque page."),
            },
        },
        "dct:valid": {
            "@type": "dct:Period",
            "dct:start": utc(record.decided_at),
            "dct:end": utc(asks_again(record)),
        },
    }


def _process(slug: str, state: str, version: ShownVersion | None) -> dict[str, Any]:
    shown = version.purpose(slug) if version else None
    process: dict[str, Any] = {
        "@type": "dpv:Process",
        "dct:identifier": slug,
        "dpv:hasPurpose": {
            "@type": DPV_PURPOSES[slug],
            "dct:title": str(shown["name"]) if shown else slug,
            "dct:description": str(shown["description"]) if shown else "",
        },
        "dpv:hasRecipient": [
            {"@type": "dpv:Recipient", "dpv:hasName": name}
            for name in sorted({str(c["provider"]) for c in (shown or {}).get("cookies", [])})
        ],
    }
    if state in DPV_STATUS:
        process["dpv:hasLegalBasis"] = {"@id": "dpv-gdpr:A6-1-a"}
        process["dpv:hasConsentStatus"] = {"@id": DPV_STATUS[state]}
    else:
        process["dct:description"] = gettext(
            "Consentement non demandé : finalité strictement nécessaire ou absente du bandeau."
        )
    return process


def notice_url(banner_hash: str) -> str:
    """Where anyone can read the banner version a decision was made on, exactly as it was shown."""
    return settings.SITE_URL + reverse("consent:banner-version", args=[banner_hash])


def receipt_state(process: dict[str, Any]) -> str:
    """A process's state, read back from its DPV status."""
    status = process.get("dpv:hasConsentStatus", {}).get("@id")
    return STATE_OF_STATUS.get(status, State.NOT_ASKED)


@dataclass(frozen=True)
class Readable:
    """A receipt's content for its printable page, read from the document itself (not the log)."""

    consent_id: str
    decision_id: str
    decided_at: datetime
    valid_until: datetime
    action: str
    methods: list[str]
    language: str
    notice_url: str
    notice_hash: str
    revision: str
    controller: dict[str, str]
    retention: str
    withdraw_url: str
    processes: list[dict[str, Any]]


def readable(receipt: dict[str, Any]) -> Readable:
    def moment(value: dict[str, str]) -> datetime:
        return datetime.strptime(value["@value"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)

    controller = receipt["dpv:hasDataController"]
    return Readable(
        consent_id=receipt["dpv:hasDataSubject"]["dct:identifier"],
        decision_id=receipt["dct:identifier"],
        decided_at=moment(receipt["dpv:isIndicatedAtTime"]),
        valid_until=moment(receipt["dct:valid"]["dct:end"]),
        action=receipt["dct:type"]["dct:title"],
        methods=[m["dct:title"] for m in receipt["dpv:hasIndicationMethod"]],
        language=receipt["dct:language"],
        notice_url=receipt["dpv:hasNotice"]["@id"],
        notice_hash=receipt["dpv:hasNotice"]["dct:identifier"],
        revision=receipt["dpv:hasNotice"]["dct:hasVersion"],
        controller={
            "name": controller["dpv:hasName"],
            "address": controller["dpv:hasAddress"],
            "contact": controller["dpv:hasContact"].removeprefix("mailto:"),
        },
        retention=receipt["dpv:hasStorageCondition"]["dpv:hasDuration"]["@value"].removeprefix("P").removesuffix("D"),
        withdraw_url=receipt["dpv:hasRight"]["dpv:isExercisedAt"]["@id"],
        processes=[
            {
                "slug": p["dct:identifier"],
                "title": p["dpv:hasPurpose"]["dct:title"],
                "state": receipt_state(p),
                "recipients": [r["dpv:hasName"] for r in p["dpv:hasRecipient"]],
            }
            for p in receipt["dpv:hasProcess"]
        ],
    )
