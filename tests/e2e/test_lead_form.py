"""The demo-request form in Chromium, with JavaScript on and the FriendlyCaptcha widget running.

The widget is the self-hosted vendor bundle. Its iframes, which it opens on global.frcapi.com, are
answered by Playwright with a stub that speaks the SDK's postMessage protocol (announce, then a
"completed" state with a response token); siteverify is the local fake API of the leads tests.
The page's real CSP applies throughout, and any violation fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from playwright.sync_api import expect

from leads.models import CaptchaStatus, Lead
from tests.e2e.helpers import CSP_LISTENER
from tests.leads.fake_frcapi import API_KEY, SITEKEY, FakeFrcApi

STUB_FRAME = """<!doctype html><html><body>{body}<script>
const q = new URLSearchParams(location.search), id = q.get("comm_id"), origin = q.get("origin");
const send = (message) => parent.postMessage(Object.assign({_frc: 1, from_id: id, to_id: ""}, message), origin);
send({type: "{kind}_announce"});
{after}
</script></body></html>"""
AGENT = STUB_FRAME.replace("{body}", "").replace("{kind}", "agent").replace("{after}", "")
WIDGET = (
    STUB_FRAME.replace("{body}", "<p>Stub FriendlyCaptcha</p>")
    .replace("{kind}", "widget")
    .replace("{after}", 'send({type: "root_set_response", widget_id: id, state: "completed", response: "valid"});')
)


@pytest.fixture
def frcapi(settings) -> Iterator[FakeFrcApi]:
    with FakeFrcApi() as api:
        settings.FRIENDLY_CAPTCHA_SITEKEY = SITEKEY
        settings.FRIENDLY_CAPTCHA_API_KEY = API_KEY
        settings.FRIENDLY_CAPTCHA_VERIFY_URL = api.url
        settings.SALES_NOTIFY_EMAIL = ["sales@nocrm.test"]
        yield api


@pytest.fixture
def widget_frames(page) -> list[str]:
    """Serve the widget's iframes from a stub instead of FriendlyCaptcha; returns the URLs asked for."""
    requested: list[str] = []

    def answer(route) -> None:
        url = route.request.url
        requested.append(url)
        path = urlsplit(url).path
        body = {"/api/v2/captcha/agent": AGENT, "/api/v2/captcha/widget": WIDGET}.get(path)
        if body is None:
            route.fulfill(status=404, body="")
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route("https://global.frcapi.com/**", answer)
    return requested


def refuse_all_cookies(page) -> None:
    banner = page.locator("#cc-banner")
    banner.get_by_role("button", name="Tout refuser").click()
    expect(banner).to_be_hidden()


@pytest.mark.django_db(transaction=True)
def test_visitor_requests_a_demo_with_the_captcha_widget(page, live_server, demo, frcapi, widget_frames, mailoutbox):
    page.add_init_script(CSP_LISTENER)
    script_requests: list[str] = []
    page.on("request", lambda r: script_requests.append(r.url) if r.resource_type == "script" else None)

    page.goto("/contact/")
    refuse_all_cookies(page)  # the captcha is a necessary service: it works with every purpose refused
    # The widget ran: it opened its frames on the vendor's host with our sitekey, then filled in its field.
    expect(page.locator('input[name="frc-captcha-response"]')).to_have_value("valid", timeout=10_000)
    widget_url = next(url for url in widget_frames if "/api/v2/captcha/widget" in url)
    assert parse_qs(urlsplit(widget_url).query)["sitekey"] == [SITEKEY]
    # The script itself came from our own origin.
    assert any("/static/vendor/friendlycaptcha/site" in url for url in script_requests)
    assert all(url.startswith(live_server.url) for url in script_requests)

    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("E-mail professionnel").fill("camille@acme.example")
    page.get_by_label("Entreprise").fill("Acme <b>SAS</b>")
    page.get_by_label("Taille de l'équipe commerciale").select_option("6-20")
    page.get_by_label("Message").fill("Une démo jeudi ?")
    page.get_by_label("J'accepte de recevoir").check()
    page.get_by_role("button", name="Envoyer ma demande").click()

    page.get_by_role("heading", name="Merci, votre demande est bien envoyée").wait_for()
    assert urlsplit(page.url).path.startswith("/contact/")

    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.company, lead.team_size) == (
        "Camille Martin",
        "camille@acme.example",
        "Acme <b>SAS</b>",
        "6-20",
    )
    assert lead.marketing_opt_in is True
    assert lead.captcha_status == CaptchaStatus.VERIFIED
    (verification,) = frcapi.received
    assert verification.body == {"response": "valid", "sitekey": SITEKEY}
    assert len(mailoutbox) == 1
    assert page.evaluate("window.__csp") == []


@pytest.mark.django_db(transaction=True)
def test_field_errors_show_next_to_the_fields_in_the_browser(page, demo, frcapi, widget_frames):
    page.add_init_script(CSP_LISTENER)
    page.goto("/contact/")
    refuse_all_cookies(page)  # the captcha is a necessary service: it works with every purpose refused
    expect(page.locator('input[name="frc-captcha-response"]')).to_have_value("valid", timeout=10_000)
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("E-mail professionnel").fill("camille@")
    page.get_by_role("button", name="Envoyer ma demande").click()
    email = page.get_by_label("E-mail professionnel")
    email.wait_for()
    assert email.get_attribute("aria-invalid") == "true"
    assert "adresse de courriel valide" in page.locator("#id_email_error").inner_text()
    assert "obligatoire" in page.locator("#id_company_error").inner_text()
    assert email.input_value() == "camille@"
    assert not Lead.objects.exists()
    assert frcapi.received == []
    assert page.evaluate("window.__csp") == []


@pytest.mark.django_db(transaction=True)
def test_what_a_visitor_types_never_lands_in_a_url(page, live_server, demo, mailoutbox):
    """Both forms (the home page's short form, then the contact form) without the captcha's keys."""
    typed = {"email": "camille.url@acme.example", "company": "AcmeUrlTest", "name": "Camille Urltest"}
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto("/")
    refuse_all_cookies(page)
    page.locator("#short-email").fill(typed["email"])
    page.locator("#short-company").fill(typed["company"])
    page.get_by_role("button", name="Demander une démo").first.click()
    expect(page.get_by_label("E-mail professionnel")).to_have_value(typed["email"])
    expect(page.get_by_label("Entreprise")).to_have_value(typed["company"])
    page.get_by_label("Nom et prénom").fill(typed["name"])
    page.get_by_label("Taille de l'équipe commerciale").select_option("6-20")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_role("heading", name="Merci, votre demande est bien envoyée").wait_for()

    lead = Lead.objects.get()
    assert (lead.email, lead.company, lead.name) == (typed["email"], typed["company"], typed["name"])
    history = page.evaluate("() => history.length")
    assert history >= 3 and len(urls) > 3  # home, prefilled contact, thanks, and their files
    for url in [*urls, page.url]:
        decoded = unquote_plus(url).lower()
        assert not [value for value in typed.values() if value.lower() in decoded], url
