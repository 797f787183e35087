"""Hostile requests (oversized, mistyped, repeated, badly encoded, with huge headers) get a clear 4xx,
or the normal page for a harmless GET, never a server error, and store nothing."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from consent.models import ConsentRecord, UndeclaredCookie
from consent.visitor import cookie
from consent.visitor.cookie import cookie_name
from leads.models import Lead
from tests.consent.helpers import banner_hash, consent_post
from tests.leads.factories import lead_post
from tests.tracking.factories import goto_path, make_message, make_recipient, pixel_path, unsubscribe_path
from tracking.models import Event, Recipient

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
FORM = "application/x-www-form-urlencoded"
CONTACT = "/contact/"
BIG = 3 * 1024 * 1024  # over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


def assert_nothing_stored() -> None:
    assert not ConsentRecord.objects.exists()
    assert not UndeclaredCookie.objects.exists()
    assert not Lead.objects.exists()
    assert not Event.objects.exists()
    assert not Recipient.objects.filter(unsubscribed_at__isnull=False).exists()


@pytest.fixture
def tracked(db):
    return make_message(), make_recipient()


# --- Oversized bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f"action=accept_all&next=/{'a' * 5000}", FORM),
        (json.dumps({"action": "accept_all", "path": "/" + "a" * BIG}), "application/json"),
    ],
    ids=["form", "json-over-django-limit"],
)
def test_consent_bodies_over_the_limit_get_413(client, demo, body, content_type):
    response = consent_post(client, body, content_type)
    assert response.status_code == 413
    assert cookie_name() not in response.cookies
    assert_nothing_stored()


def test_cookie_report_with_an_oversized_body_gets_413(client, demo):
    client.cookies["mystery_tracker"] = "1"
    response = client.post(reverse("consent:report"), data="x" * 5000, content_type="text/plain", **SAME_ORIGIN)
    assert response.status_code == 413
    assert_nothing_stored()


def test_contact_form_over_the_upload_limit_gets_400(client, db, mailoutbox):
    response = client.post(CONTACT, lead_post(message="m" * BIG))
    assert response.status_code == 400
    assert_nothing_stored()
    assert mailoutbox == []


def test_contact_form_with_too_many_fields_gets_400(client, db):
    fields = "&".join(f"f{i}=x" for i in range(1200))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000
    response = client.post(CONTACT, data=f"name=Camille&{fields}", content_type=FORM)
    assert response.status_code == 400
    assert_nothing_stored()


def test_one_click_unsubscribe_with_an_oversized_body_unsubscribes_nobody(client, tracked):
    body = "List-Unsubscribe=One-Click&pad=" + "x" * BIG
    response = client.post(unsubscribe_path(*tracked), data=body, content_type=FORM)
    assert response.status_code == 400
    assert_nothing_stored()


# --- Wrong content types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"action": "accept_all"}', "text/plain"),
        ("<action>accept_all</action>", "application/xml"),
        ('{"action": "accept_all"}', FORM),  # JSON where a form is expected: one unknown field
        ("action=accept_all", "application/json"),
        ("action=accept_all", f"{FORM}; charset=latin-1"),  # forms are UTF-8 only
        ("action=accept_all", "multipart/form-data"),  # no boundary
        ("--b\r\nContent-Disposition: form-data\r\n\r\naccept_all", "multipart/form-data; boundary=b"),
        ("", "application/json"),
    ],
)
def test_consent_endpoint_refuses_what_is_not_a_json_object_or_a_form(client, demo, body, content_type):
    response = consent_post(client, body, content_type)
    assert response.status_code == 400
    assert cookie_name() not in response.cookies
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"List-Unsubscribe": "One-Click"}', "application/json"),
        ("List-Unsubscribe=One-Click", "text/plain"),
        ("List-Unsubscribe=One-Click", "multipart/form-data"),
        ("List-Unsubscribe=One-Click", f"{FORM}; charset=utf-16"),
    ],
)
def test_one_click_unsubscribe_needs_a_form_body(client, tracked, body, content_type):
    response = client.post(unsubscribe_path(*tracked), data=body, content_type=content_type)
    assert response.status_code == 400
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("name=Camille", "multipart/form-data", 400),  # no boundary
        ("name=Camille", f"{FORM}; charset=latin-1", 400),
        ("--b\r\nbroken", "multipart/form-data; boundary=b", 200),  # read as an empty form: asked again
    ],
)
def test_contact_form_refuses_unparsable_bodies(client, db, body, content_type, status):
    response = client.post(CONTACT, data=body, content_type=content_type)
    assert response.status_code == status
    assert_nothing_stored()


def test_contact_form_sent_as_json_stores_nothing_and_asks_again(client, db):
    response = client.post(CONTACT, data=json.dumps(lead_post()), content_type="application/json")
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"name", "email", "company", "team_size"}
    assert_nothing_stored()


# --- Repeated fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"action": "reject_all", "action": "accept_all"}',
        '{"action": "save", "choices": {"statistics": false, "statistics": true}}',
    ],
)
def test_json_with_a_repeated_field_is_refused(client, demo, body):
    response = consent_post(client, body)
    assert response.status_code == 400
    assert "more than once" in response.json()["error"]
    assert_nothing_stored()


def test_repeated_signature_or_clicked_url_is_an_invalid_link(client, tracked):
    goto = goto_path(*tracked, "https://app.nocrm.io/leads/1")
    unsubscribe = unsubscribe_path(*tracked)
    assert client.get(f"{goto}&clicked_url=https://app.nocrm.io/leads/1").status_code == 400
    signature = unsubscribe.split("signature=")[1]
    assert client.post(f"{unsubscribe}&signature={signature}", {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert_nothing_stored()


# --- Invalid UTF-8 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"action": "accept_all", "path": "/\xff"}',
        b'{"action": "accept_\xc3\x28all"}',
        b"\xef\xbb\xbf\xff\xfe",
    ],
)
def test_json_that_is_not_utf8_is_refused(client, demo, body):
    response = consent_post(client, body)
    assert response.status_code == 400
    assert_nothing_stored()


@pytest.mark.parametrize("body", [b"action=accept_\xffall", b"action=accept_%FFall", b"action=save&statistics=o%C3n"])
def test_form_with_invalid_utf8_in_a_choice_is_refused(client, demo, body):
    response = consent_post(client, body, FORM)
    assert response.status_code == 400
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("body", "location"),
    [(b"action=reject_all&next=/\xff", "/%C3%BF"), (b"action=reject_all&next=/%FF", "/%EF%BF%BD")],
)
def test_form_with_invalid_utf8_in_next_still_goes_back_to_a_path_of_this_site(client, demo, body, location):
    # Django decodes form bodies leniently (raw bytes as Latin-1, bad escapes as U+FFFD).
    response = consent_post(client, body + f"&banner={banner_hash()}".encode(), FORM)
    assert response.status_code == 303 and response["Location"] == location


@pytest.mark.parametrize("query", ["next=%FF%FE", "name=%C3%28&email=%FF", "next=/%ED%A0%80"])
def test_pages_with_invalid_utf8_in_the_query_answer_normally(client, demo, query):
    for url in (reverse("cookie-settings"), CONTACT, "/"):
        assert client.get(f"{url}?{query}").status_code == 200


def test_raw_non_utf8_bytes_in_the_query_string_are_harmless(client, demo):
    # A WSGI server hands over the raw query as Latin-1 text.
    raw = b"next=/\xff\xfe&name=\xc3\x28".decode("latin-1")
    assert client.get(reverse("cookie-settings"), QUERY_STRING=raw).status_code == 200
    assert client.get(CONTACT, QUERY_STRING=raw).status_code == 200


def test_tracker_links_with_invalid_utf8_record_nothing(client, tracked):
    url = "https://app.nocrm.io/leads/1"
    goto = goto_path(*tracked, url).split("?")[0]
    assert client.get(f"{goto}?clicked_url=https://app.nocrm.io/leads/%FF").status_code == 400
    assert client.get(f"{reverse('tracking:unsubscribe')}?signature=%FF%FE").status_code == 400
    for prefix in ("/o/", "/l/", "/goto/"):
        assert client.get(f"{prefix}%FF%C3%28").status_code < 500
    assert_nothing_stored()


# --- Characters PostgreSQL cannot store ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"action": "accept_all", "path": "/tarifs/\\u0000"}', "application/json"),
        ('{"action": "accept_all", "path": "/\\ud800"}', "application/json"),
        ("action=accept_all&next=/tarifs/%00", FORM),
    ],
    ids=["json-nul", "json-lone-surrogate", "form-nul"],
)
def test_a_path_the_database_cannot_hold_is_refused_not_reported_as_an_outage(client, demo, body, content_type):
    response = consent_post(client, body, content_type)
    assert response.status_code == 400
    assert cookie_name() not in response.cookies
    assert_nothing_stored()


def test_a_nul_in_the_user_agent_does_not_lose_the_proof(client, demo):
    body = json.dumps({"action": "reject_all", "banner": banner_hash()})
    response = consent_post(client, body, HTTP_USER_AGENT="Mozilla/5.0\x00evil")
    assert response.status_code == 200
    assert ConsentRecord.objects.get().user_agent == "Mozilla/5.0evil"


def test_json_nested_deeper_than_python_can_parse_is_refused(client, demo):
    response = consent_post(client, "[" * 2000 + "]" * 2000)
    assert response.status_code == 400
    assert_nothing_stored()


@pytest.mark.parametrize("field", ["name", "email", "company", "message", "team_size"])
def test_contact_form_field_with_a_nul_stores_nothing(client, db, field):
    data = lead_post()
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    response = client.post(CONTACT, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert_nothing_stored()


# --- Very long headers and paths ---------------------------------------------------------------------

HUGE = "A" * 16 * 1024


@pytest.mark.parametrize("url", ["/", "/cookies/", CONTACT, "/consent/parametres/", "/consent/state.css"])
def test_pages_answer_normally_with_a_16_kb_user_agent_or_cookie_header(client, demo, url):
    assert client.get(url, HTTP_USER_AGENT=HUGE).status_code == 200
    garbage = "; ".join(f"c{i}={'v' * 30}" for i in range(450))  # about 16 KB
    assert client.get(url, HTTP_COOKIE=garbage).status_code == 200
    client.cookies[cookie_name()] = HUGE
    assert client.get(url).status_code == 200
    assert_nothing_stored()


def test_a_16_kb_user_agent_is_stored_cut_to_256_characters(client, demo):
    response = consent_post(client, json.dumps({"action": "reject_all", "banner": banner_hash()}), HTTP_USER_AGENT=HUGE)
    assert response.status_code == 200
    assert ConsentRecord.objects.get().user_agent == HUGE[:256]


def test_a_16_kb_forged_consent_cookie_is_replaced_by_a_fresh_one(client, demo):
    client.cookies[cookie_name()] = f"{HUGE}.111.1.{int(time.time())}:signature"
    response = consent_post(client, json.dumps({"action": "reject_all", "banner": banner_hash()}))
    assert response.status_code == 200
    state = cookie.loads(response.cookies[cookie_name()].value)
    assert state is not None and state.consent_id == ConsentRecord.objects.get().consent_id


def test_cookie_report_keeps_at_most_30_plausible_names_from_a_huge_cookie_header(client, demo):
    names = [f"tracker_{i:03}" for i in range(500)] + ["x" * 200, "bad name", "a,b"]
    header = "; ".join(f"{name}=1" for name in names)
    response = client.post(reverse("consent:report"), HTTP_COOKIE=header, **SAME_ORIGIN)
    assert response.status_code == 200
    stored = list(UndeclaredCookie.objects.values_list("name", flat=True))
    assert len(stored) == 30 and all(name.startswith("tracker_") for name in stored)


def test_a_3_kb_path_gets_the_404_page(client, demo):
    response = client.get("/" + "a" * 3 * 1024 + "/")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in response.text


def test_tracker_urls_with_3_and_13_kb_tokens_record_nothing(client, tracked):
    for size in (3 * 1024, 13 * 1024):  # 13 KB: over tracking.tokens.MAX_TOKEN_LENGTH
        token = "A" * size
        assert client.get(f"/o/{token}").status_code == 200
        assert client.get(f"/l/{token}").status_code == 400
        assert client.get(f"/goto/{token}?clicked_url=https://app.nocrm.io/").status_code == 400
        unsubscribe = f"{reverse('tracking:unsubscribe')}?signature={token}"
        assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert_nothing_stored()


def test_tracker_pages_answer_with_a_16_kb_accept_language(client, tracked):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en;q=0.9," * 2000, "HTTP_USER_AGENT": HUGE}
    assert client.get(reverse("tracking:unsubscribe"), **headers).status_code == 400
    assert client.get(unsubscribe_path(*tracked), **headers).status_code == 200
    assert client.get(pixel_path(*tracked), **headers).status_code == 200
    assert Event.objects.count() == 1  # the valid pixel's open, nothing else
    assert Recipient.objects.get().is_subscribed
