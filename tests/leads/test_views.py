"""The contact page: a lead is stored and announced once, or the visitor sees why not."""

import pytest
from django.urls import reverse
from django.utils import translation

from leads.models import CaptchaStatus, Lead, LeadSource
from tests.html import attribute_values, elements
from tests.leads.factories import lead_post

pytestmark = pytest.mark.django_db
CONTACT = "/contact/"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(data: dict, url: str = CONTACT, **extra: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **extra)

    return send


def test_valid_lead_is_stored_notified_once_and_confirmed(post, client, mailoutbox):
    response = post(lead_post(marketing_opt_in="on"))
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:thanks")
    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.company, lead.team_size) == (
        "Camille Martin",
        "camille@acme.example",
        "Acme",
        "6-20",
    )
    assert lead.marketing_opt_in is True
    assert lead.captcha_status == CaptchaStatus.DISABLED  # no keys in the test settings
    assert lead.language == "fr"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sales@nocrm.test"]
    assert "Merci, votre demande est bien envoyée" in client.get(response["Location"]).text


def test_marketing_opt_in_is_unticked_unless_the_visitor_ticks_it(post, client):
    page = client.get(CONTACT).text
    [checkbox] = elements(page, "input", type="checkbox", name="marketing_opt_in")
    assert "checked" not in checkbox.attrs
    post(lead_post())
    assert Lead.objects.get().marketing_opt_in is False


def test_english_page_confirms_in_english(post, client):
    response = post(lead_post(), url="/en/contact/")
    with translation.override("en"):
        assert response["Location"] == reverse("leads:thanks")
    assert response["Location"].startswith("/en/contact/")
    assert Lead.objects.get().language == "en"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "Ce champ est obligatoire."),
        ("name", "x" * 121, "au plus 120 caractères"),
        ("name", "Camille\r\nBcc: victim@example.com", "Une seule ligne"),
        ("email", "camille@", "Saisissez une adresse de courriel valide."),
        ("email", "", "Ce champ est obligatoire."),
        ("company", "", "Ce champ est obligatoire."),
        ("company", "A" * 121, "au plus 120 caractères"),
        ("team_size", "", "Ce champ est obligatoire."),
        ("team_size", "9000", "Sélectionnez un choix valide."),
        ("message", "m" * 3001, "au plus 3000 caractères"),
    ],
)
def test_each_invalid_field_gets_its_error_and_nothing_is_stored(post, mailoutbox, field, value, error):
    response = post(lead_post(**{field: value}))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert error in form.errors[field][0]
    # The error is shown next to its field and tied to it for screen readers.
    [errors] = elements(response.text, "ul", class_="errorlist", id=f"id_{field}_error")
    assert error in errors.children[0].text
    described_by = attribute_values(response.text, None, "aria-describedby")
    assert any(f"id_{field}_error" in (ids or "").split() for ids in described_by)
    if field != "company":
        assert 'value="Acme"' in response.text  # the visitor's other answers are kept
    assert not Lead.objects.exists()
    assert mailoutbox == []


def test_errors_are_in_english_on_the_english_page(post):
    response = post(lead_post(email="nope"), url="/en/contact/")
    assert "Enter a valid email address." in response.text
    assert not Lead.objects.exists()


def test_html_in_the_message_is_shown_escaped_after_an_error(post):
    response = post(lead_post(email="", message="<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_filled_honeypot_stores_nothing_and_answers_like_a_success(post, mailoutbox):
    response = post(lead_post(website="https://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:thanks")
    assert not Lead.objects.exists()
    assert mailoutbox == []


def test_honeypot_is_hidden_from_people(client):
    page = client.get(CONTACT).text
    hidden = [e for div in elements(page, "div") if "hidden" in div.attrs for e in div.iter()]
    assert any(e.attrs.get("name") == "website" for e in hidden)


def test_rate_limit_answers_429_and_stores_nothing_more(post, settings, mailoutbox):
    settings.LEADS_RATE_LIMIT = 2
    assert post(lead_post()).status_code == 302
    assert post(lead_post(email="bad")).status_code == 200  # invalid attempts count too
    response = post(lead_post(email="third@acme.example"))
    assert response.status_code == 429
    assert "Trop de demandes envoyées" in response.text
    assert Lead.objects.count() == 1
    assert len(mailoutbox) == 1


def test_rate_limit_is_per_client(post, settings):
    settings.LEADS_RATE_LIMIT = 1
    assert post(lead_post(), REMOTE_ADDR="203.0.113.1").status_code == 302
    assert post(lead_post(), REMOTE_ADDR="203.0.113.1").status_code == 429
    assert post(lead_post(), REMOTE_ADDR="203.0.113.2").status_code == 302


# --- With FriendlyCaptcha configured (its API played by a local server) -------------------------------


@pytest.mark.parametrize(
    ("token", "status"),
    [("valid", CaptchaStatus.VERIFIED), ("crash", CaptchaStatus.NOT_VERIFIED), ("garbled", CaptchaStatus.NOT_VERIFIED)],
)
def test_captcha_outcome_is_recorded_on_the_lead(post, captcha_on, mailoutbox, token, status):
    response = post({**lead_post(), "frc-captcha-response": token})
    assert response.status_code == 302
    assert Lead.objects.get().captcha_status == status
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("token", ["invalid", "expired", "duplicate"])
def test_refused_captcha_asks_to_retry_and_stores_nothing(post, captcha_on, mailoutbox, token):
    response = post({**lead_post(), "frc-captcha-response": token})
    assert response.status_code == 200
    assert "La vérification anti-robot a échoué ou a expiré" in response.text
    assert not Lead.objects.exists()
    assert mailoutbox == []


def test_missing_captcha_response_asks_to_wait(post, captcha_on):
    response = post(lead_post())
    assert "La vérification anti-robot n&#x27;est pas terminée" in response.text
    assert not Lead.objects.exists()
    assert captcha_on.received == []


def test_captcha_is_not_spent_on_a_form_with_field_errors(post, captcha_on):
    post({**lead_post(email="bad"), "frc-captcha-response": "valid"})
    assert captcha_on.received == []


def test_widget_and_script_only_with_keys_and_allowed_as_our_own_file(client, settings, captcha_on):
    response = client.get(CONTACT)
    scripts = [
        s
        for s in elements(response.text, "script", type="module")
        if (s.attrs.get("src") or "").startswith("/static/vendor/friendlycaptcha/") and "async" in s.attrs
    ]
    assert scripts, "the self-hosted widget script is loaded"
    policy = {name: values for name, *values in (d.split() for d in response["Content-Security-Policy"].split(";"))}
    assert "nonce" not in scripts[0].attrs and "'self'" in policy["script-src"]
    assert 'class="frc-captcha" data-sitekey="FCMTESTSITEKEY0000" data-api-endpoint="global"' in response.text
    assert "https://*.frcapi.com" in response["Content-Security-Policy"]
    settings.FRIENDLY_CAPTCHA_API_KEY = ""
    page = client.get(CONTACT).text
    assert not elements(page, "div", class_="frc-captcha")  # the styles name the class; no widget
    assert not [s for s in elements(page, "script") if "friendlycaptcha/" in (s.attrs.get("src") or "")]


def test_widget_script_is_not_on_pages_without_a_form(client, captcha_on):
    for name in ("home", "pricing", "features"):
        assert "friendlycaptcha" not in client.get(reverse(name)).text.lower()


def test_contact_page_carries_the_csrf_token(client):
    assert 'name="csrfmiddlewaretoken"' in client.get(CONTACT).text


PREFILL = "/contact/demande/"
SHORT_FORM = {"email": "camille@acme.example", "company": "Acme", "source": "home"}


def test_home_short_form_posts_to_the_prefilled_contact_form(client):
    home = client.get("/").text
    (form,) = elements(home, "form", action=PREFILL)
    assert form.attrs["method"] == "post"
    assert "csrfmiddlewaretoken" not in home  # the home page stays the same for every visitor
    page = client.post(PREFILL, SHORT_FORM, HTTP_SEC_FETCH_SITE="same-origin")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert page.context["form"].initial == SHORT_FORM
    (email,) = elements(page.text, "input", name="email")
    assert email.attrs["value"] == "camille@acme.example"
    # The full form posts to the contact page itself, with its CSRF token.
    (full,) = elements(page.text, "form", action=CONTACT)
    assert elements(page.text, "input", name="csrfmiddlewaretoken")
    assert full.attrs["method"] == "post"
    assert not Lead.objects.exists()


def test_the_english_short_form_posts_to_the_english_prefill_url(client):
    with translation.override("en"):
        assert reverse("leads:prefill") == "/en/contact/request/"
    assert elements(client.get("/en/").text, "form", action="/en/contact/request/")


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://evil.example"}, {}],
    ids=["fetch metadata cross-site", "foreign origin", "no origin at all"],
)
def test_the_prefill_refuses_other_sites(client, headers):
    response = client.post(PREFILL, SHORT_FORM, **headers)
    assert response.status_code == 403
    assert "camille@acme.example" not in response.text


def test_the_prefill_answers_only_posts(client):
    response = client.get(PREFILL, SHORT_FORM)
    assert response.status_code == 405
    assert "camille@acme.example" not in response.text


def test_the_contact_page_no_longer_takes_its_values_from_the_url(client):
    page = client.get(CONTACT, SHORT_FORM)
    assert page.context["form"].initial == {}
    assert "camille@acme.example" not in page.text


def test_lead_from_the_home_page_keeps_its_source(post):
    post(lead_post(source="home"))
    assert Lead.objects.get().source == LeadSource.HOME


def test_english_contact_url(client):
    with translation.override("en"):
        assert reverse("contact") == "/en/contact/"
    assert client.get("/en/contact/").status_code == 200


def test_the_tracking_box_is_unticked_and_apart_from_the_marketing_one(client):
    html = client.get(CONTACT).text
    [box] = elements(html, "input", name="email_tracking_opt_in")
    assert box.attrs["type"] == "checkbox" and "checked" not in box.attrs
    assert elements(html, "input", name="marketing_opt_in")


def test_a_ticked_tracking_box_records_the_leads_consent_with_its_text(post):
    from tracking.models import ConsentSource, TrackingConsent

    post(lead_post(email_tracking_opt_in="on"))
    consent = TrackingConsent.objects.get()
    assert (consent.recipient.email, consent.given, consent.source) == (
        "camille@acme.example",
        True,
        ConsentSource.FORM,
    )
    assert consent.text.startswith("J'accepte que noCRM.io mesure") and consent.language == "fr"


def test_without_the_tracking_box_no_consent_is_recorded(post):
    from tracking.models import Recipient, TrackingConsent

    post(lead_post(marketing_opt_in="on"))
    assert not TrackingConsent.objects.exists() and not Recipient.objects.exists()
