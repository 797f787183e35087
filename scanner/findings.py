"""What a scan found: its observations (scanner/browser.py) compared with the declarations.

- a cookie or storage key that no declaration covers (by name, or a family such as ``_ga_*``), and a
  third-party host that no provider's domains cover;
- a declared cookie that no visit saw;
- a declared duration that differs from the expiry the browser kept (scanner/durations.py);
- most severe: a cookie, storage key or third-party call in a state that does not grant its purpose
  (before any choice, after "Tout refuser", advertising under GPC). What no declaration explains
  counts as such in every state that grants no optional purpose at all.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from consent.catalog import Vendor, vendor_for_host, vendor_for_tracker
from consent.models import Cookie, Provider, PurposeSlug
from consent.visitor.cookie import cookie_name
from scanner import durations
from scanner.models import ItemType, Kind, Severity
from scanner.states import VisitState, state_named


@dataclass
class Found:
    kind: str
    severity: int
    item_type: str
    name: str
    state: str = ""
    pages: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


@dataclass
class Seen:
    """One cookie, storage key or host, with where it was seen: state -> pages."""

    item_type: str
    name: str
    where: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cookie: dict | None = None  # the longest-lived occurrence of a cookie

    def pages(self) -> list[str]:
        return sorted({p for pages in self.where.values() for p in pages})


@dataclass(frozen=True)
class Declarations:
    cookies: list[Cookie]
    providers_by_domain: dict[str, tuple[int, str, frozenset[str]]]  # domain -> (id, name, optional purposes)

    def cookie_for(self, name: str, party: str | None = None) -> Cookie | None:
        covering = [c for c in self.cookies if fnmatch.fnmatchcase(name, c.name)]
        return next((c for c in covering if c.party == party), covering[0] if covering else None)

    def provider_for(self, host: str) -> tuple[int, str, frozenset[str]] | None:
        """The provider whose domains cover ``host`` (the most specific one)."""
        host = host.lstrip(".").lower()
        matching = [d for d in self.providers_by_domain if host == d or host.endswith("." + d)]
        return self.providers_by_domain[max(matching, key=len)] if matching else None


def load_declarations() -> Declarations:
    cookies = list(Cookie.objects.select_related("provider", "purpose").order_by("pk"))
    purposes: dict[int, set[str]] = defaultdict(set)
    for c in cookies:
        if c.purpose.slug != PurposeSlug.NECESSARY:
            purposes[c.provider_id].add(c.purpose.slug)
    by_domain = {
        domain: (p.pk, p.name, frozenset(purposes[p.pk]))
        for p in Provider.objects.order_by("pk")
        for domain in p.domains()
    }
    return Declarations(cookies=cookies, providers_by_domain=by_domain)


def collect(visits: Iterable[dict]) -> tuple[dict[tuple[str, str], Seen], list[Found]]:
    """Everything seen, by (type, name), and a finding for each page that did not load."""
    seen: dict[tuple[str, str], Seen] = {}
    errors = []

    def note(item_type: str, name: str, visit: dict) -> Seen:
        item = seen.setdefault((item_type, name), Seen(item_type, name))
        item.where[visit["state"]].append(visit["page"])
        return item

    for visit in visits:
        if visit["error"] or (visit["status"] or 0) >= 400:
            errors.append(
                Found(
                    Kind.PAGE_ERROR,
                    Severity.HIGH,
                    ItemType.PAGE,
                    visit["page"],
                    state=visit["state"],
                    pages=[visit["page"]],
                    details={"status": visit["status"], "error": visit["error"]},
                )
            )
        for c in visit["cookies"]:
            item = note(ItemType.COOKIE, c["name"], visit)
            if item.cookie is None or (c["days"] or 0) > (item.cookie["days"] or 0):
                item.cookie = c
        for key in visit["local_storage"]:
            note(ItemType.LOCAL_STORAGE, key, visit)
        for key in visit["session_storage"]:
            note(ItemType.SESSION_STORAGE, key, visit)
        for host in visit["hosts"]:
            note(ItemType.HOST, host, visit)
    return seen, errors


def find(visits: list[dict], declarations: Declarations) -> list[Found]:
    """Every finding of a scan, the most severe first."""
    seen, found = collect(visits)
    own = cookie_name()
    for item in seen.values():
        if item.item_type == ItemType.COOKIE and item.name == own:
            continue  # the consent cookie: the scan sets it itself, in every state with a choice
        if item.item_type == ItemType.HOST:
            found += _host_findings(item, declarations)
        else:
            found += _tracker_findings(item, declarations)
    names = [item.name for item in seen.values() if item.item_type != ItemType.HOST]
    for declared in declarations.cookies:
        if declared.name != own and not any(fnmatch.fnmatchcase(n, declared.name) for n in names):
            found.append(
                Found(
                    Kind.NEVER_SEEN,
                    Severity.LOW,
                    ItemType.COOKIE,
                    declared.name,
                    details={"provider": declared.provider.name, "purpose": declared.purpose.slug},
                )
            )
    return sorted(found, key=lambda f: (-f.severity, f.kind, f.name, f.state))


def _refusing(item: Seen, allowed: frozenset[str] | None) -> list[str]:
    """The states ``item`` was seen in that grant none of ``allowed`` (None: grant no optional purpose)."""
    states = [state_named(slug) for slug in item.where]
    return [
        s.slug
        for s in states
        if isinstance(s, VisitState)
        and (not s.granted if allowed is None else not any(s.grants(purpose) for purpose in allowed))
    ]


def _without_consent(item: Seen, states: list[str], details: dict) -> list[Found]:
    return [
        Found(
            Kind.WITHOUT_CONSENT,
            Severity.CRITICAL,
            item.item_type,
            item.name,
            state,
            sorted(set(item.where[state])),
            details,
        )
        for state in states
    ]


def _tracker_findings(item: Seen, declarations: Declarations) -> list[Found]:
    party = item.cookie["party"] if item.cookie else "first"
    declared = declarations.cookie_for(item.name, party)
    if declared is None:
        provider = declarations.provider_for(item.cookie["domain"]) if item.cookie and party == "third" else None
        details = {"states": sorted(item.where), **(_observed(item.cookie) if item.cookie else {})}
        if provider:
            details |= {"provider_id": provider[0], "provider": provider[1]}
        details |= _in_catalog(vendor_for_tracker(item.name))
        return [
            Found(Kind.UNDECLARED, Severity.HIGH, item.item_type, item.name, pages=item.pages(), details=details),
            *_without_consent(item, _refusing(item, None), {"purpose": None}),
        ]
    found = []
    purpose = declared.purpose.slug
    if purpose != PurposeSlug.NECESSARY:
        found += _without_consent(item, _refusing(item, frozenset({purpose})), {"purpose": purpose})
    if item.cookie:
        found += _duration_findings(item, declared)
    return found


def _in_catalog(vendor: Vendor | None) -> dict:
    """The catalog's vendor of an undeclared cookie or host, which the admin offers to add in one step."""
    return {"catalog": vendor.slug, "catalog_name": vendor.name} if vendor else {}


def _observed(cookie: dict) -> dict:
    lifetime = durations.SESSION if cookie["days"] is None else cookie["days"]
    return {
        "domain": cookie["domain"],
        "party": cookie["party"],
        "observed_days": cookie["days"],
        "observed_fr": durations.describe(lifetime, "fr"),
        "observed_en": durations.describe(lifetime, "en"),
    }


def _duration_findings(item: Seen, declared: Cookie) -> list[Found]:
    assert item.cookie is not None
    texts = [t for t in (declared.duration_fr, declared.duration_en) if t]  # type: ignore[attr-defined]
    parsed = []
    for text in texts:
        try:
            parsed.append(durations.parse_duration(text))
        except durations.UnreadableDuration:
            continue
    details = {"declared": texts[0] if texts else "", "declaration": declared.name, **_observed(item.cookie)}
    if not parsed:
        return [Found(Kind.UNREADABLE_DURATION, Severity.LOW, item.item_type, declared.name, details=details)]
    observed = durations.SESSION if item.cookie["days"] is None else item.cookie["days"]
    if durations.matches(parsed[0], observed):
        return []
    details["at_browser_cap"] = (
        item.cookie["days"] is not None and item.cookie["days"] >= durations.BROWSER_CAP_DAYS - 1
    )
    return [Found(Kind.DURATION, Severity.MEDIUM, item.item_type, item.name, pages=item.pages(), details=details)]


def _host_findings(item: Seen, declarations: Declarations) -> list[Found]:
    provider = declarations.provider_for(item.name)
    if provider is None:
        return [
            Found(
                Kind.UNDECLARED_HOST,
                Severity.HIGH,
                item.item_type,
                item.name,
                pages=item.pages(),
                details={"states": sorted(item.where), **_in_catalog(vendor_for_host(item.name))},
            ),
            *_without_consent(item, _refusing(item, None), {"purpose": None}),
        ]
    _pk, name, purposes = provider
    if not purposes:
        return []  # a provider that declares no optional cookie (a tag manager) may be called before consent
    return _without_consent(item, _refusing(item, purposes), {"provider": name, "purposes": sorted(purposes)})
