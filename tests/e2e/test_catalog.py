"""A marketer adds Microsoft Clarity from a scan's finding and LinkedIn Insight from the providers'
list, one form each, in Chromium; a revision is published and the cookie policy lists both."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from consent.models import VendorTag
from scanner import findings
from scanner.models import Finding, Scan, Status


def scan_that_saw_clarity() -> Scan:
    """A finished scan whose visits saw Clarity's _clck cookie, which nothing declares (the findings are
    computed by the scanner's own code from what a browser would report)."""
    visit = {
        "page": "/",
        "state": "accept_all",
        "status": 200,
        "error": "",
        "cookies": [
            {
                "name": "_clck",
                "domain": "localhost",
                "path": "/",
                "expires": None,
                "days": 365.0,
                "party": "first",
                "http_only": False,
                "secure": False,
                "same_site": "Lax",
            },
        ],
        "local_storage": [],
        "session_storage": [],
        "hosts": {"www.clarity.ms": "https://www.clarity.ms/tag/k2x7abcd9q"},
    }
    scan = Scan.objects.create(base_url="http://localhost", pages=["/"], states=["accept_all"], status=Status.DONE)
    found = findings.find([visit], findings.load_declarations())
    Finding.objects.bulk_create(Finding(scan=scan, **f.__dict__) for f in found)
    return scan


def log_in(page, live_server) -> None:
    admin = User.objects.create_superuser("admin", "admin@example.com", "x")
    client = Client()
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fill_and_confirm(page, label: str, value: str) -> None:
    page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Voir ce qui sera déclaré").click()
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url("**/consent/provider/*/change/")


def test_clarity_from_a_scan_and_linkedin_from_the_list_then_the_policy_lists_both(site, live_server):
    scan = scan_that_saw_clarity()
    log_in(site, live_server)

    site.goto(reverse("admin:scanner_scan_change", args=[scan.pk]))
    site.get_by_role("link", name="Microsoft Clarity : ajouter depuis le catalogue").first.click()
    fill_and_confirm(site, "ID du projet", "k2x7abcd9q")
    assert "Microsoft Clarity ajouté" in site.locator(".messagelist").inner_text()

    site.goto(reverse("admin:consent_provider_changelist"))
    site.get_by_role("link", name="Ajouter depuis le catalogue").click()
    site.get_by_label("Fournisseur").select_option("linkedin-insight")
    site.get_by_role("button", name="Choisir").click()
    fill_and_confirm(site, "ID partenaire", "1234567")

    assert set(VendorTag.objects.values_list("vendor", flat=True)) == {"microsoft-clarity", "linkedin-insight"}
    site.goto(reverse("admin:consent_policyrevision_bump"))
    site.get_by_label("Ce qui change").fill("Microsoft Clarity et LinkedIn Insight ajoutés depuis le catalogue")
    site.get_by_role("button", name="Publier").click()
    site.wait_for_url("**/consent/policyrevision/")

    site.goto("/cookies/")
    policy = site.locator("main").inner_text()
    for shown in ("Microsoft Clarity", "_clck", "_clsk", "LinkedIn Insight Tag", "li_fat_id"):
        assert shown in policy
