"""Purposes, declarations and the policy revision, held in memory so that a page view costs no query.

Each process keeps one ``Snapshot``. A version token in the Django cache says whether it is current:
an admin change deletes the token (at once on every server with a shared cache; with the default
per-process cache, other servers rebuild when their token expires, within
``CONSENT_DECLARATIONS_CACHE_SECONDS``, which is also the delay while a shared cache is down:
consent/visitor/version.py). Once the change is committed, ``declarations_changed`` is sent (the
cached pages in front are purged on it: purge/).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, signals
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import translation

from consent.catalog import CATALOG, VendorSignal
from consent.models import (
    OPTIONAL_PURPOSES,
    Cookie,
    EmailTracker,
    PolicyRevision,
    Provider,
    Purpose,
    VendorTag,
)
from consent.visitor.cookie import ConsentState
from consent.visitor.version import (
    VERSION_KEY,
    Unreachable,
    current_version,
    forget_version,
    local_version,
    settle_version,
    shared,
)

__all__ = ["VERSION_KEY", "Snapshot", "declarations_changed", "get_snapshot", "invalidate"]
# Sent once a change to the declarations, cookie tables or policy revisions is committed.
declarations_changed = Signal()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeldTag:
    """A tag added from the vendor catalog, as the pages render it."""

    placement: str
    purpose: str
    provider: str
    html: str
    hosts: tuple[str, ...]  # its provider's domains, which the page's CSP allows
    signal: str  # its vendor's consent signal (consent.catalog.Signal), sent by vendor-signals.js
    vendor: str = ""  # its catalog entry's slug


@dataclass(frozen=True)
class Snapshot:
    purposes: list[Purpose]
    email_trackers: list[EmailTracker]
    revision: int
    revised_at: datetime | None
    version: str
    banner_hash: str = ""
    # First-party cookie names (or families such as _ga_*) and paths per optional purpose,
    # for the script and the server to delete when the purpose is withdrawn.
    cookie_rules: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Every declared cookie name or family, so that consent.js can report the undeclared ones.
    known_cookies: list[str] = field(default_factory=list)
    # What each optional purpose declares now (purpose_declarations), and what it declared when
    # the current revision was published (empty for revisions published before this was kept).
    declarations: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    published: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    # The last revision that asked everyone again, and per purpose the last that asked again the
    # visitors who had granted it: an older choice stands until one of them (choice_stands).
    reask_all: int = 1
    reask: dict[str, int] = field(default_factory=dict)
    vendor_tags: list[HeldTag] = field(default_factory=list)

    def trackers_for(self, audience: str) -> list[EmailTracker]:
        return [t for t in self.email_trackers if t.audience == audience]

    def choice_stands(self, state: ConsentState) -> bool:
        """Whether a choice made under ``state.revision`` is still the visitor's choice now.

        A revision asks again everyone, or only the visitors who had granted a purpose whose
        declarations changed: a refusal stands (the visitor is not asked again for it).
        """
        if state.revision == self.revision:
            return True
        if not self.reask_all <= state.revision < self.revision:
            return False
        return all(self.reask.get(purpose, 0) <= state.revision for purpose in state.choices if state.granted(purpose))

    def changed_purposes(self) -> list[str]:
        """The optional purposes whose declarations changed since the current revision was published."""
        if not self.published:
            return []
        return [slug for slug in OPTIONAL_PURPOSES if self.declarations.get(slug) != self.published.get(slug)]


class _State:
    snapshot: Snapshot | None = None
    built_at: float = 0.0  # time.monotonic() of the build, for the expiry while the shared cache is down


_state = _State()
_build_lock = threading.Lock()


def clear() -> None:
    """Forget this process's snapshot (the next page rebuilds it); for tests and fault injection."""
    _state.snapshot = None


def get_snapshot() -> Snapshot:
    """The current declarations; queries the database only when they changed or expired."""
    current = _state.snapshot
    try:
        version = current_version()
    except Unreachable:
        # The shared cache is down: the per-process expiry, as without a shared cache.
        if current is not None and time.monotonic() - _state.built_at < settings.CONSENT_DECLARATIONS_CACHE_SECONDS:
            return current
        return _rebuild(current, local_version)
    if current is not None and version == current.version:
        return current
    return _rebuild(current, (lambda: version) if version is not None else _settled_version)


def _settled_version() -> str:
    try:
        return settle_version()
    except Unreachable:
        return local_version()


def _rebuild(current: Snapshot | None, version: Callable[[], str]) -> Snapshot:
    with _build_lock:
        try:
            snapshot = build_snapshot(version())
        except DatabaseError:
            # The database is down: pages keep their last known declarations rather than fail.
            if current is None:
                raise
            logger.warning("declarations not refreshed: database unavailable")
            return current
        _state.snapshot, _state.built_at = snapshot, time.monotonic()
        return snapshot


def build_snapshot(version: str) -> Snapshot:
    cookies = Cookie.objects.select_related("provider")
    purposes = list(Purpose.objects.prefetch_related(Prefetch("cookies", queryset=cookies)))  # type: ignore[arg-type]
    trackers = list(EmailTracker.objects.select_related("provider"))
    revisions = list(
        PolicyRevision.objects.order_by("number").values(
            "number", "created_at", "declarations", "reasks_everyone", "reasked_purposes"
        )
    )
    latest = revisions[-1] if revisions else None
    tags = [
        HeldTag(
            t.placement,
            t.purpose.slug,
            t.provider.name,
            t.html,
            tuple(t.provider.domains()),
            signal_of(t.vendor),
            t.vendor,
        )
        for t in VendorTag.objects.filter(active=True).select_related("provider", "purpose")
    ]
    rules = {
        p.slug: [(c.name, c.path) for c in p.cookies.all() if c.party == "first"]
        for p in purposes
        if p.slug in OPTIONAL_PURPOSES
    }
    snapshot = Snapshot(
        purposes=purposes,
        email_trackers=trackers,
        revision=latest["number"] if latest else 1,
        revised_at=latest["created_at"] if latest else None,
        version=version,
        cookie_rules=rules,
        known_cookies=sorted({c.name for p in purposes for c in p.cookies.all()}),
        declarations=purpose_declarations(purposes),
        published=latest["declarations"] if latest else {},
        reask_all=max((r["number"] for r in revisions if r["reasks_everyone"]), default=1),
        reask={
            slug: max((r["number"] for r in revisions if slug in r["reasked_purposes"]), default=0)
            for slug in OPTIONAL_PURPOSES
        },
        vendor_tags=tags,
    )
    return dataclasses.replace(snapshot, banner_hash=banner_hash(snapshot))


def signal_of(vendor: str) -> str:
    entry = CATALOG.get(vendor)
    return entry.signal if entry else VendorSignal.NONE


def purpose_declarations(purposes: list[Purpose]) -> dict[str, object]:
    """For each optional purpose, what visitors are told about it in every language: its texts and
    its cookies. A policy revision keeps it, so that a later change shows (Snapshot.changed_purposes)."""
    declared: dict[str, object] = {}
    for purpose in purposes:
        if purpose.slug not in OPTIONAL_PURPOSES:
            continue
        texts = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                cookies = sorted(
                    [c.name, c.provider.name, c.party, c.path, str(c.duration), str(c.description)]
                    for c in purpose.cookies.all()
                )
                texts[code] = {"name": str(purpose.name), "description": str(purpose.description), "cookies": cookies}
        declared[purpose.slug] = texts
    return declared


def banner_hash(snapshot: Snapshot) -> str:
    """SHA-256 of the banner and modal texts in every language, and of the purposes shown.

    A policy revision keeps it to say which texts it published. The revision number itself is left
    out (rendered as 0), so that the hash is the same before and after the revision that publishes it;
    the banner versions the visitors are shown (consent.visitor.ui) have hashes of their own.
    """
    digest = hashlib.sha256()
    texts = dataclasses.replace(snapshot, revision=0)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            digest.update(render_to_string("consent/_ui.html", {"consent": texts}).encode())
            shown = [(p.slug, p.name, p.description, p.required) for p in snapshot.purposes]
            digest.update(json.dumps(shown, ensure_ascii=False).encode())
    return digest.hexdigest()


def invalidate(**_kwargs: object) -> None:
    """Forget the declarations on every server sharing the cache, once the transaction commits."""
    transaction.on_commit(_changed)


def _changed() -> None:
    forgotten = forget_version()
    if not forgotten:
        # Other servers see the change within their expiry; this one at once.
        _state.built_at = float("-inf")
        logger.warning("declarations changed while the shared cache is down: other servers follow within their expiry")
    # everywhere: every server serves the change from now on; otherwise only once their copies expire.
    declarations_changed.send(sender=Snapshot, everywhere=forgotten and shared())


def connect_invalidation() -> None:
    for model in (Purpose, Provider, Cookie, EmailTracker, PolicyRevision, VendorTag):
        signals.post_save.connect(invalidate, sender=model, dispatch_uid=f"consent-{model.__name__}-save")
        signals.post_delete.connect(invalidate, sender=model, dispatch_uid=f"consent-{model.__name__}-delete")
