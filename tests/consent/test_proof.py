"""The proof a record gives: the revision and banner the visitor really saw, one client's rate, lost answers."""

import json
import uuid

import pytest
from django.urls import reverse

from consent.backoffice.revisions import bump_policy_revision
from consent.models import BannerVersion, ConsentRecord
from consent.visitor import cookie
from consent.visitor.cookie import cookie_name
from tests.consent.helpers import banner_hash, consent_post
from tests.html import script_text


def _cookie(response) -> cookie.ConsentState:
    state = cookie.loads(response.cookies[cookie_name()].value)
    assert state is not None
    return state


def test_the_banner_a_page_shows_is_stored_before_the_page_is_served(client, demo):
    html = client.get("/").content.decode()
    config = json.loads(script_text(html, "cc-config"))
    version = BannerVersion.objects.get(hash=config["banner"])
    assert version.revision == config["rev"] == 1 and version.language == "fr"
    # The stored HTML is the banner and the dialog the page carries, byte for byte (but the page path).
    assert 'id="cc-banner"' in version.html and 'id="cc-modal"' in version.html
    assert version.html.replace("__consent_next_path__", "/") in html
    assert [p["slug"] for p in version.declarations] == ["necessary", "preferences", "statistics", "advertising"]
    assert any(c["name"] == "_ga" for c in version.declarations[2]["cookies"])


def test_each_language_has_its_own_version_and_the_record_names_the_one_shown(client, demo):
    fr, en = banner_hash("fr"), banner_hash("en")
    assert fr != en
    response = client.post(
        "/en/consent/",
        data=json.dumps({"action": "reject_all", "banner": en}),
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 200
    record = ConsentRecord.objects.get()
    assert record.banner_hash == en and record.language == "en"


def test_a_page_of_an_older_revision_is_recorded_under_that_revision_and_asked_again(
    client, demo, django_capture_on_commit_callbacks
):
    old = banner_hash()  # the tab was opened under revision 1
    with django_capture_on_commit_callbacks(execute=True):
        bump_policy_revision(author=None, note="nouveau fournisseur publicitaire")
    response = consent_post(client, {"action": "accept_all", "banner": old, "revision": 1})
    assert response.status_code == 200 and response.json()["current"] is False
    record = ConsentRecord.objects.get()
    assert (record.policy_revision, record.banner_hash) == (1, old)  # no record mixes two revisions
    assert _cookie(response).revision == 1
    # The cookie of revision 1 is not a valid choice under revision 2: the banner shows again.
    assert client.get(reverse("consent:state-css")).content == b".cc-banner{display:block}"
    new = banner_hash()
    assert new != old and BannerVersion.objects.get(hash=new).revision == 2
    again = consent_post(client, {"action": "reject_all", "banner": new})
    assert again.json()["current"] is True and _cookie(again).revision == 2


@pytest.mark.parametrize(
    "body",
    [
        {"action": "accept_all", "banner": "f" * 64},
        {"action": "accept_all", "banner": "F" * 64},
        {"action": "accept_all", "banner": "abc"},
        {"action": "accept_all", "banner": 12},
        {"action": "accept_all", "banner": None},
    ],
)
def test_a_banner_the_site_never_showed_is_refused(client, demo, body):
    response = consent_post(client, body)
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists() and cookie_name() not in response.cookies


def test_a_revision_that_is_not_the_banners_is_refused(client, demo):
    response = consent_post(client, {"action": "accept_all", "revision": 2})
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_the_no_js_forms_send_the_revision_and_banner_of_their_page(client, demo):
    from tests.html import elements

    html = client.get("/").content.decode()
    config = json.loads(script_text(html, "cc-config"))
    for form in ("cc-banner", "cc-modal"):
        [container] = [e for e in elements(html) if e.attrs.get("id") == form]
        hidden = {e.attrs["name"]: e.attrs["value"] for e in _descendants(container) if e.tag == "input"}
        assert hidden["banner"] == config["banner"] and hidden["revision"] == str(config["rev"])
    settings_page = client.get(reverse("cookie-settings")).content.decode()
    values = {e.attrs.get("name"): e.attrs.get("value") for e in elements(settings_page, "input")}
    assert values["banner"] == config["banner"] and values["revision"] == "1"
    response = client.post(
        reverse("consent:update"),
        {"action": "reject_all", "banner": values["banner"], "revision": values["revision"]},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 303
    assert ConsentRecord.objects.get().banner_hash == config["banner"]


def _descendants(element):
    for child in element.children:
        yield child
        yield from _descendants(child)


def test_over_the_rate_limit_a_client_gets_429_and_nothing_is_stored(client, demo, settings, one_rate_window):
    settings.CONSENT_RATE_LIMIT = 3
    statuses = [consent_post(client, {"action": "reject_all"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert ConsentRecord.objects.count() == 3
    response = consent_post(client, {"action": "reject_all"})
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert cookie_name() not in response.cookies


def test_an_ipv6_client_hopping_64s_meets_its_48s_decision_limit(client, demo, settings, one_rate_window):
    from ratelimit.clients import NETWORK_FACTOR

    settings.CONSENT_RATE_LIMIT = 1

    def decide(line: int, network: int = 1) -> int:
        address = f"2001:db8:{network:x}:{line:x}::1"
        return consent_post(client, {"action": "reject_all"}, REMOTE_ADDR=address).status_code

    assert [decide(line) for line in range(NETWORK_FACTOR)] == [200] * NETWORK_FACTOR
    assert decide(NETWORK_FACTOR) == 429  # a fresh /64, its /48 over the limit: nothing stored
    assert ConsentRecord.objects.count() == NETWORK_FACTOR
    assert decide(0, network=2) == 200  # another /48


def test_two_clients_behind_the_load_balancer_have_their_own_decision_limit(client, demo, settings, one_rate_window):
    settings.CONSENT_RATE_LIMIT = 2
    settings.RATELIMIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

    def decide(address: str) -> int:
        body = {"action": "reject_all"}
        return consent_post(client, body, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address).status_code

    assert [decide("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert decide("2001:db8:1:2::1") == 200
    assert decide("2001:db8:1:2::ff") == 200
    assert decide("2001:db8:1:2:aaaa::3") == 429  # the same /64
    assert decide("198.51.100.9") == 200


def test_a_decision_sent_again_after_its_answer_was_lost_gets_the_stored_consent_id(client, demo):
    decision = {"action": "accept_all", "decision_id": str(uuid.uuid4())}
    first = consent_post(client, decision)
    stored = ConsentRecord.objects.get().consent_id
    assert _cookie(first).consent_id == stored
    client.cookies.clear()  # the answer, and so its cookie, never reached the browser
    retry = consent_post(client, decision)
    assert retry.status_code == 200
    assert _cookie(retry).consent_id == stored and retry.json()["consent_id"] == str(stored)
    assert ConsentRecord.objects.count() == 1


def test_the_lookup_shows_the_banner_each_decision_was_made_on_and_the_json_carries_it(client, demo):
    from tests.consent.helpers import login

    consent_post(client, {"action": "reject_all"})
    record = ConsentRecord.objects.get()
    login(client, "DPO")
    lookup = reverse("admin:consent_consentrecord_lookup") + f"?consent_id={record.consent_id}"
    page = client.get(lookup).content.decode()
    link = reverse("admin:consent_consentrecord_banner", args=[record.banner_hash])
    assert link in page
    shown = client.get(link)
    assert shown.status_code == 200 and "sandbox" in shown["Content-Security-Policy"]
    version = BannerVersion.objects.get(hash=record.banner_hash)
    assert version.html in shown.content.decode()
    assert client.get(reverse("admin:consent_consentrecord_banner", args=["f" * 64])).status_code == 404
    document = client.get(lookup + "&format=json").json()
    [stored] = document["banner_versions"]
    assert stored["hash"] == record.banner_hash and stored["html"] == version.html
    assert stored["declarations"] == version.declarations and stored["revision"] == 1


def test_banner_versions_are_append_only(demo):
    from django.db import DatabaseError, connection, transaction

    banner_hash()
    for statement in ("UPDATE consent_bannerversion SET revision = 9", "DELETE FROM consent_bannerversion"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert BannerVersion.objects.filter(revision=1).exists()


def _publish(capture, **options) -> None:
    with capture(execute=True):
        bump_policy_revision(author=None, note="changement", **options)


def _choose(client, action: str) -> str:
    """A visitor decides under the current revision; their cookie."""
    client.cookies.clear()
    response = consent_post(client, {"action": action})
    return response.cookies[cookie_name()].value


def _banner_shown(client, cookie_value: str) -> bool:
    client.cookies.clear()
    client.cookies[cookie_name()] = cookie_value
    return client.get(reverse("consent:state-css")).content == b".cc-banner{display:block}"


def _add_advertising_cookie(capture) -> None:
    from consent.models import Cookie, Provider, Purpose

    with capture(execute=True):
        Cookie.objects.create(
            provider=Provider.objects.get(name="LinkedIn"),
            purpose=Purpose.objects.get(slug="advertising"),
            name="li_gc",
            description_fr="LinkedIn : consentement",
            description_en="LinkedIn: consent",
            duration_fr="6 mois",
            duration_en="6 months",
        )


def test_a_changed_purpose_shows_in_the_admin_until_a_revision_is_published(
    client, demo, django_capture_on_commit_callbacks
):
    from tests.consent.helpers import login

    login(client, None, superuser=True)
    cookies_list = reverse("admin:consent_cookie_changelist")
    assert "Déclarations modifiées" not in client.get(cookies_list).content.decode()
    _add_advertising_cookie(django_capture_on_commit_callbacks)
    page = client.get(cookies_list).content.decode()
    assert "Déclarations modifiées" in page and "li_gc" in page
    assert reverse("admin:consent_policyrevision_bump") in page
    bump = client.get(reverse("admin:consent_policyrevision_bump"))
    assert bump.context["form"].initial == {"reask": "purposes", "purposes": ["advertising"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consent_policyrevision_bump"),
            {"note": "nouveau traceur LinkedIn", "reask": "purposes", "purposes": ["advertising"]},
        )
    assert response.status_code == 302
    assert "Déclarations modifiées" not in client.get(cookies_list).content.decode()


def test_a_revision_for_one_purpose_asks_again_only_those_who_had_granted_it(
    client, demo, django_capture_on_commit_callbacks
):
    refused, accepted = _choose(client, "reject_all"), _choose(client, "accept_all")
    _add_advertising_cookie(django_capture_on_commit_callbacks)
    _publish(django_capture_on_commit_callbacks, reask_purposes=["advertising"])
    assert not _banner_shown(client, refused)  # a refusal stands: not asked again within its life
    assert _banner_shown(client, accepted)  # never saw the new advertising cookie
    # The page's script and the Consent Mode script decide the same way.
    config = json.loads(script_text(client.get("/").content.decode(), "cc-config"))
    assert config["rev"] == 2 and config["reaskAll"] == 1 and config["reask"]["advertising"] == 2


def test_a_revision_for_everyone_asks_again_refusals_too(client, demo, django_capture_on_commit_callbacks):
    refused = _choose(client, "reject_all")
    _publish(django_capture_on_commit_callbacks)
    assert _banner_shown(client, refused)


def test_the_bump_form_refuses_to_ask_again_for_no_purpose(client, demo):
    from tests.consent.helpers import login

    login(client, None, superuser=True)
    response = client.post(reverse("admin:consent_policyrevision_bump"), {"note": "x", "reask": "purposes"})
    assert response.status_code == 200 and response.context["form"].errors
    from consent.models import PolicyRevision

    assert PolicyRevision.objects.count() == 1
