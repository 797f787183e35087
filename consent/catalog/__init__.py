"""The vendor catalog: what a marketer needs to declare a vendor in one step, with where each fact comes from.

Data, reviewed like code: one ``Vendor`` per tool a B2B SaaS site uses, grouped by what it does
(``analytics``, ``advertising``, ``conversation``, ``media``, ``infrastructure``). Each entry names
the company that receives the data, the cookies and storage keys its code writes, the hosts it calls,
its snippet as the vendor publishes it (the account ID and the like as ``__PLACEHOLDER__``), the
consent signal it understands, whether the CNIL's audience-measurement exemption can apply, how to
ask it to delete a visitor's data, and the vendor's own pages the facts were read from.
tests/consent/test_catalog.py checks that every entry is complete and that every snippet passes
``{% consent %}``. The admin creates declarations from it (consent/catalog/services.py).
"""

from __future__ import annotations

from consent.catalog.advertising import VENDORS as _ADVERTISING
from consent.catalog.analytics import VENDORS as _ANALYTICS
from consent.catalog.conversation import VENDORS as _CONVERSATION
from consent.catalog.infrastructure import VENDORS as _INFRASTRUCTURE
from consent.catalog.media import VENDORS as _MEDIA
from consent.catalog.types import Placeholder, Signal, Tracker, Vendor

# The name to import beside django.dispatch.Signal.
VendorSignal = Signal

__all__ = [
    "CATALOG",
    "Placeholder",
    "Signal",
    "Tracker",
    "Vendor",
    "VendorSignal",
    "vendor_for_host",
    "vendor_for_tracker",
]

CATALOG: dict[str, Vendor] = {
    vendor.slug: vendor for vendor in (*_ANALYTICS, *_ADVERTISING, *_CONVERSATION, *_MEDIA, *_INFRASTRUCTURE)
}


def vendor_for_tracker(name: str) -> Vendor | None:
    """The catalog's vendor whose cookie or storage key this name is (``_clck``: Microsoft Clarity)."""
    for vendor in CATALOG.values():
        if any(tracker.matches(name) for tracker in vendor.trackers):
            return vendor
    return None


def vendor_for_host(host: str) -> Vendor | None:
    """The catalog's vendor whose scripts call this host (or a parent domain of it)."""
    host = host.lower().rstrip(".")
    for vendor in CATALOG.values():
        if any(host == known or host.endswith("." + known) for known in vendor.hosts):
            return vendor
    return None
