"""Findings from observations, against the demo declarations (no browser: the visits are written here)."""

from __future__ import annotations

import pytest

from consent.visitor.cookie import cookie_name
from scanner.findings import find, load_declarations
from scanner.models import Kind, Severity


def cookie(name: str, days: float | None = 30.0, domain: str = "localhost") -> dict:
    return {
        "name": name,
        "domain": domain,
        "path": "/",
        "days": days,
        "party": "first" if domain == "localhost" else "third",
    }


def visit(state: str, page: str = "/", *, cookies=(), local=(), hosts=(), error: str = "", status: int = 200) -> dict:
    return {
        "state": state,
        "page": page,
        "status": status,
        "error": error,
        "cookies": list(cookies),
        "local_storage": list(local),
        "session_storage": [],
        "hosts": {h: f"https://{h}/x.js" for h in hosts},
    }


def kinds(found, kind):
    return {(f.name, f.state) for f in found if f.kind == kind}


@pytest.fixture
def declarations(demo):
    return load_declarations()


def test_a_family_of_names_covers_each_member(declarations):
    found = find([visit("statistics", cookies=[cookie("_ga_ABC123", 395.0), cookie("_ga", 395.5)])], declarations)
    assert kinds(found, Kind.UNDECLARED) == set()
    assert kinds(found, Kind.WITHOUT_CONSENT) == set()
    assert kinds(found, Kind.DURATION) == set()


def test_a_declared_cookie_where_its_purpose_is_refused_is_critical(declarations):
    found = find([visit("reject_all", "/tarifs/", cookies=[cookie("_fbp", 90.0)]), visit("advertising")], declarations)
    [critical] = [f for f in found if f.kind == Kind.WITHOUT_CONSENT]
    assert (critical.name, critical.state, critical.severity, critical.pages) == (
        "_fbp",
        "reject_all",
        Severity.CRITICAL,
        ["/tarifs/"],
    )
    assert critical.details == {"purpose": "advertising"}
    assert found[0] == critical  # the most severe first


def test_what_no_declaration_covers_is_undeclared_and_before_consent_critical(declarations):
    visits = [
        visit("none", local=["li_adsId"], cookies=[cookie("mystery", 1.0)]),
        visit("accept_all", cookies=[cookie("mystery", 1.0)]),
    ]
    found = find(visits, declarations)
    assert kinds(found, Kind.UNDECLARED) == {("li_adsId", ""), ("mystery", "")}
    assert kinds(found, Kind.WITHOUT_CONSENT) == {("li_adsId", "none"), ("mystery", "none")}
    mystery = next(f for f in found if f.kind == Kind.UNDECLARED and f.name == "mystery")
    assert (mystery.details["observed_fr"], mystery.details["observed_en"]) == ("1 jour", "1 day")


def test_a_third_party_cookie_is_attributed_to_the_provider_of_its_domain(declarations):
    found = find([visit("advertising", cookies=[cookie("lidc", 1.0, domain=".linkedin.com")])], declarations)
    [undeclared] = [f for f in found if f.kind == Kind.UNDECLARED]
    assert undeclared.details["provider"] == "LinkedIn"
    assert undeclared.details["party"] == "third"


def test_hosts_count_against_the_purposes_of_their_provider(declarations):
    visits = [visit("none", hosts=["www.googletagmanager.com", "region1.google-analytics.com", "cdn.inconnu.example"])]
    visits.append(visit("statistics", hosts=["region1.google-analytics.com", "cdn.inconnu.example"]))
    found = find(visits, declarations)
    # Google Tag Manager declares no cookie (it stores nothing): it may load before any choice.
    assert kinds(found, Kind.WITHOUT_CONSENT) == {
        ("region1.google-analytics.com", "none"),
        ("cdn.inconnu.example", "none"),
    }
    assert kinds(found, Kind.UNDECLARED_HOST) == {("cdn.inconnu.example", "")}


def test_a_declared_duration_that_differs_is_reported_once_with_both_durations(declarations):
    visits = [visit(s, p, cookies=[cookie("_ga", 400.0)]) for s in ("statistics", "accept_all") for p in ("/", "/en/")]
    [duration] = [f for f in find(visits, declarations) if f.kind == Kind.DURATION]
    assert (duration.name, duration.pages, duration.details["declared"]) == ("_ga", ["/", "/en/"], "13 mois")
    assert duration.details["observed_fr"] == "400 jours"
    assert duration.details["at_browser_cap"] is True


def test_a_session_cookie_declared_for_a_year_differs(declarations):
    found = find([visit("none", "/contact/", cookies=[cookie("csrftoken", None)])], declarations)
    assert kinds(found, Kind.DURATION) == {("csrftoken", "")}


def test_declarations_never_seen_are_listed_and_the_consent_cookie_never_reported(declarations):
    found = find([visit("accept_all", cookies=[cookie(cookie_name(), 183.0), cookie("_ga", 395.0)])], declarations)
    never = kinds(found, Kind.NEVER_SEEN)
    assert ("_ga", "") not in never
    assert {("sessionid", ""), ("_ga_*", ""), ("IDE", "")} <= never
    assert all(f.name != cookie_name() for f in found if f.kind != Kind.NEVER_SEEN)


def test_an_unreadable_declared_duration_is_a_finding(declarations):
    from consent.models import Cookie

    Cookie.objects.filter(name="_fbp").update(duration_fr="le temps d'une campagne", duration_en="a campaign")
    found = find([visit("advertising", cookies=[cookie("_fbp", 90.0)])], load_declarations())
    assert kinds(found, Kind.UNREADABLE_DURATION) == {("_fbp", "")}


def test_a_page_that_fails_is_a_finding_of_its_state(declarations):
    found = find(
        [visit("gpc", "/tarifs/", status=500), visit("none", "/x/", error="Timeout 15000ms exceeded.")], declarations
    )
    assert kinds(found, Kind.PAGE_ERROR) == {("/tarifs/", "gpc"), ("/x/", "none")}
