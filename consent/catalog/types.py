"""What a catalog entry holds; consent/catalog/__init__.py says why the catalog exists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase

from consent.models import PurposeSlug


class Signal(StrEnum):
    """The consent signal a vendor's code understands, sent before its script runs and on every change."""

    GOOGLE_CONSENT_MODE = "google-consent-mode"  # gtag('consent', 'default' | 'update', {...})
    MICROSOFT_UET = "microsoft-uet"  # uetq.push('consent', 'default' | 'update', {ad_storage})
    MICROSOFT_CLARITY = "microsoft-clarity"  # clarity('consentv2', {ad_Storage, analytics_Storage})
    META_PIXEL = "meta-pixel"  # fbq('consent', 'grant' | 'revoke')
    TIKTOK = "tiktok"  # ttq.grantConsent() / ttq.revokeConsent()
    HUBSPOT = "hubspot"  # _hsp.push(['revokeCookieConsent']) on withdrawal
    MATOMO = "matomo"  # _paq.push(['requireConsent']), ['setConsentGiven'], ['forgetConsentGiven']
    INTERCOM = "intercom"  # Intercom('shutdown') on withdrawal
    NONE = "none"  # the vendor has no signal: its script is held or released, nothing more


@dataclass(frozen=True)
class Tracker:
    """A cookie or storage key the vendor's code writes: its name or family (``_ga_*``) and lifetime."""

    name: str
    purpose: PurposeSlug
    duration_fr: str
    duration_en: str
    description_fr: str
    description_en: str
    storage: str = "cookie"  # or "localStorage", "sessionStorage"
    third_party: bool = False  # written on the vendor's own domain, not the site's

    def matches(self, name: str) -> bool:
        return fnmatchcase(name, self.name)


@dataclass(frozen=True)
class Placeholder:
    """A value the marketer fills in (an account ID): the marker in the snippet, and the shape it must have."""

    marker: str  # as written in the snippet, e.g. __MEASUREMENT_ID__
    label_fr: str
    label_en: str
    pattern: str  # a regular expression the whole value must match (no quote, no markup)
    example: str

    def is_valid(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class Vendor:
    slug: str
    name: str  # as the cookie policy shows it
    legal_name: str  # the company that receives the data
    country: str  # where that company is established (ISO 3166-1 alpha-2)
    privacy_url: str
    data_location: str  # where the data goes
    transfer_basis: str  # on what basis it leaves the EU, if it does (GDPR chapter V)
    purpose: PurposeSlug  # the purpose its snippet is gated on
    hosts: tuple[str, ...]  # domains its scripts call
    trackers: tuple[Tracker, ...]
    snippet: str  # as the vendor publishes it, with its placeholders
    placeholders: tuple[Placeholder, ...]
    signal: Signal
    audience_exemption: str  # whether the CNIL's audience-measurement exemption can apply, and how
    deletion: str  # how to ask the vendor to delete or stop using a visitor's data
    sources: tuple[str, ...]  # the vendor's own pages the facts above come from
    deletion_api: str = ""  # the API a nightly job can call (Google Analytics 4's User Deletion API)
    tags: tuple[str, ...] = field(default=())

    def filled(self, values: dict[str, str]) -> str:
        """The snippet with each placeholder replaced by its (validated) value."""
        html = self.snippet
        for placeholder in self.placeholders:
            html = html.replace(placeholder.marker, values[placeholder.marker])
        return html


def tracker(
    name: str,
    purpose: PurposeSlug,
    duration: tuple[str, str],
    description: tuple[str, str],
    *,
    storage: str = "cookie",
    third_party: bool = False,
) -> Tracker:
    """A ``Tracker`` written compactly: (French, English) pairs for the duration and the description."""
    return Tracker(
        name=name,
        purpose=purpose,
        duration_fr=duration[0],
        duration_en=duration[1],
        description_fr=description[0],
        description_en=description[1],
        storage=storage,
        third_party=third_party,
    )
