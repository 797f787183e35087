import json
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from consent.models import ConsentRecord
from consent.visitor import cookie
from consent.visitor.cookie import cookie_name
from tests.consent.helpers import banner_hash, consent_post


def _state(client) -> cookie.ConsentState:
    state = cookie.loads(client.cookies[cookie_name()].value)
    assert state is not None
    return state


def test_reject_all_stores_a_refusal_and_a_cookie(client, demo):
    response = consent_post(client, {"action": "reject_all", "source": "banner", "path": "/tarifs/"})
    assert response.status_code == 200
    record = ConsentRecord.objects.get()
    assert (record.action, record.preferences, record.statistics, record.advertising) == (
        "reject_all",
        False,
        False,
        False,
    )
    assert record.source == "banner" and record.page_path == "/tarifs/" and record.language == "fr"
    assert len(record.banner_hash) == 64 and record.policy_revision == 1
    state = _state(client)
    assert state.consent_id == record.consent_id
    assert state.choices == {"preferences": False, "statistics": False, "advertising": False}
    morsel = client.cookies[cookie_name()]
    assert morsel["samesite"] == "Lax" and not morsel["httponly"] and morsel["secure"]
    assert int(morsel["max-age"]) == 183 * 24 * 3600


def test_accept_all_grants_every_purpose(client, demo):
    consent_post(client, {"action": "accept_all"})
    record = ConsentRecord.objects.get()
    assert record.choices() == {"necessary": True, "preferences": True, "statistics": True, "advertising": True}


def test_close_is_recorded_as_a_refusal(client, demo):
    consent_post(client, {"action": "close"})
    assert ConsentRecord.objects.get().action == "close"
    assert not any(_state(client).choices.values())


def test_gpc_header_keeps_advertising_off_on_accept_all_and_is_recorded(client, demo):
    consent_post(client, {"action": "accept_all"}, HTTP_SEC_GPC="1")
    record = ConsentRecord.objects.get()
    assert record.gpc and not record.advertising and record.statistics
    assert record.action == "accept_all"


def test_gpc_allows_an_explicit_opt_in(client, demo):
    consent_post(client, {"action": "save", "choices": {"advertising": True}, "gpc": True})
    record = ConsentRecord.objects.get()
    assert record.gpc and record.advertising and record.action == "custom"


def test_custom_then_withdrawal_keeps_the_consent_id(client, demo):
    consent_post(client, {"action": "save", "choices": {"statistics": True}})
    first = _state(client)
    consent_post(client, {"action": "save", "choices": {"statistics": False}, "source": "settings"})
    records = list(ConsentRecord.objects.order_by("id"))
    assert [r.action for r in records] == ["custom", "withdraw"]
    assert records[0].consent_id == records[1].consent_id == first.consent_id
    assert records[1].source == "settings"


def test_resent_decision_is_stored_once_with_its_original_time(client, demo):
    decided = int(time.time() * 1000) - 3_600_000
    body = {"action": "reject_all", "decision_id": str(uuid.uuid4()), "decided_at": decided}
    assert consent_post(client, body).status_code == 200
    assert consent_post(client, body).status_code == 200
    record = ConsentRecord.objects.get()
    assert abs(record.decided_at.timestamp() * 1000 - decided) < 1


def test_a_decision_costs_one_statement_with_its_insert(client, demo, django_assert_num_queries):
    client.get("/")  # warm declarations and the banner version
    body = {"action": "accept_all", "banner": banner_hash()}
    sent = []

    def spy(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with django_assert_num_queries(1), connection.execute_wrapper(spy):
        consent_post(client, body)
    # The rate limit's count and the record's INSERT travel in one call, one round trip.
    assert len(sent) == 1 and "consent_record_decision(" in sent[0]
    assert ConsentRecord.objects.count() == 1


def _runs_of_the_prepared_decision() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return [runs for statement, runs in cursor.fetchall() if "consent_record_decision(" in statement]


def test_the_decision_statement_is_prepared_once_per_connection(client, demo):
    client.get("/")
    consent_post(client, {"action": "accept_all", "banner": banner_hash()})
    (before,) = _runs_of_the_prepared_decision()
    for _ in range(3):
        assert consent_post(client, {"action": "accept_all", "banner": banner_hash()}).status_code == 200
    assert _runs_of_the_prepared_decision() == [before + 3]


def test_english_pages_rendered_before_the_move_still_reach_the_endpoints(client, demo):
    # Open tabs and cached English pages name the endpoints under /en/ (consent/urls.py).
    assert client.get("/en/consent/state.css").content == client.get(reverse("consent:state-css")).content
    report = client.post(
        "/en/consent/report/", "{}", content_type="application/json", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert report.status_code == 200
    assert client.get("/en/consent/").status_code == 405  # the decision endpoint: POST only


def test_english_page_records_english(client, demo):
    client.post(
        "/en/consent/",
        data=json.dumps({"action": "reject_all", "banner": banner_hash("en")}),
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert ConsentRecord.objects.get().language == "en"


def test_no_js_form_redirects_back_with_303(client, demo):
    response = client.post(
        reverse("consent:update"),
        {"action": "save", "statistics": "on", "next": "/cookies/", "revision": "1", "banner": banner_hash()},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 303 and response["Location"] == "/cookies/"
    record = ConsentRecord.objects.get()
    assert record.source == "nojs" and record.statistics and not record.advertising


@pytest.mark.parametrize("target", ["//evil.com/", "/\\evil.com"])
def test_no_js_form_never_redirects_off_site(client, demo, target):
    response = client.post(
        reverse("consent:update"),
        {"action": "reject_all", "next": target, "banner": banner_hash()},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 303 and response["Location"] == "/"


@pytest.mark.parametrize("target", ["https://evil.com/", "javascript:alert(1)", "http:/x"])
def test_no_js_form_with_a_return_address_that_is_not_a_path_is_refused(client, demo, target):
    response = client.post(
        reverse("consent:update"),
        {"action": "reject_all", "next": target, "banner": banner_hash()},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists() and cookie_name() not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {},
    ],
)
def test_cross_site_post_is_refused_and_stores_nothing(client, demo, headers):
    response = client.post(
        reverse("consent:update"), data=json.dumps({"action": "accept_all"}), content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists() and cookie_name() not in response.cookies


@pytest.mark.parametrize(
    "body",
    [
        {"action": "save", "choices": {"marketing": True}},
        {"action": "save", "choices": {"necessary": False}},
        {"action": "save", "choices": {"statistics": "yes"}},
        {"action": "save", "choices": {"statistics": 1}},
        {"action": "save", "choices": ["statistics"]},
        {"action": "maybe"},
        {},
        {"action": "accept_all", "extra": 1},
        {"action": "accept_all", "decision_id": "not-a-uuid"},
        {"action": "accept_all", "decided_at": "yesterday"},
        {"action": "accept_all", "revision": 0},
        {"action": "accept_all", "gpc": "1"},
        {"action": "accept_all", "source": "nojs"},
        {"action": "accept_all", "path": '=HYPERLINK("https://evil.example")'},
        {"action": "accept_all", "path": "https://evil.example/"},
        "{not json",
        "[1, 2]",
        '"accept_all"',
    ],
)
def test_bad_input_gets_400_and_stores_nothing(client, demo, body):
    response = consent_post(client, body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not ConsentRecord.objects.exists() and cookie_name() not in response.cookies


def test_oversized_body_is_refused(client, demo):
    response = consent_post(client, {"action": "accept_all", "path": "/" + "a" * 5000})
    assert response.status_code == 413
    assert not ConsentRecord.objects.exists()


def test_unknown_content_type_is_refused(client, demo):
    response = client.post(
        reverse("consent:update"),
        data="action=accept_all",
        content_type="text/plain",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "form",
    [
        {"action": "save", "statistics": "maybe"},
        {"action": "save", "other": "on"},
        {"action": "save", "revision": "one"},
        {"action": "save", "revision": "2"},  # not the revision of the banner
        {"action": "save", "banner": "f" * 64},  # a banner this site never showed
        {"action": "save", "banner": None},
    ],
)
def test_bad_form_gets_400(client, demo, form):
    form = {"banner": banner_hash(), **form}
    form = {key: value for key, value in form.items() if value is not None}
    response = client.post(reverse("consent:update"), form, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_duplicated_form_field_gets_400(client, demo):
    response = client.post(
        reverse("consent:update"),
        f"action=accept_all&action=reject_all&banner={banner_hash()}",
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 400


def test_get_is_not_allowed(client, demo):
    assert client.get(reverse("consent:update")).status_code == 405


def test_forged_cookie_gets_a_fresh_consent_id(client, demo):
    victim = uuid.uuid4()
    client.cookies[cookie_name()] = f"{victim}.111.1.{int(time.time())}:forged-signature"
    consent_post(client, {"action": "reject_all"})
    record = ConsentRecord.objects.get()
    assert record.consent_id != victim
    assert _state(client).consent_id == record.consent_id


def test_withdrawal_expires_declared_cookies_on_the_parent_domain(client, demo, settings):
    settings.ALLOWED_HOSTS = ["www.nocrm.io"]
    client.cookies["_ga"] = "GA1.1.1"
    client.cookies["_ga_ABC123"] = "GS1.1"
    client.cookies["unrelated"] = "1"
    response = client.post(
        reverse("consent:update"),
        data=json.dumps({"action": "reject_all", "banner": banner_hash()}),
        content_type="application/json",
        HTTP_HOST="www.nocrm.io",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    for name in ("_ga", "_ga_ABC123"):
        assert response.cookies[name]["max-age"] == 0
        assert response.cookies[name]["domain"] == "nocrm.io"
    assert "unrelated" not in response.cookies


def test_database_down_answers_503_and_the_choice_still_applies(client, postgres):
    from consent.demo import load_demo

    load_demo()
    client.get("/")  # the server knows the declarations
    postgres.stop()
    response = consent_post(client, {"action": "accept_all"})
    assert response.status_code == 503
    assert response.json()["stored"] is False
    assert all(_state(client).choices.values())
    postgres.start()
    assert consent_post(client, {"action": "accept_all"}).status_code == 200


def test_cold_server_with_database_down_answers_503_not_500(client, database_down):
    response = consent_post(client, {"action": "reject_all", "banner": "0" * 64})
    assert response.status_code == 503
    assert cookie_name() not in response.cookies


def _report(client):
    return client.post(reverse("consent:report"), HTTP_SEC_FETCH_SITE="same-origin")


def test_undeclared_cookie_names_are_kept_for_marketers(client, demo):
    from consent.models import UndeclaredCookie

    for name in ("_ga", "_ga_X1", "mystery_tracker", "csrftoken"):
        client.cookies[name] = "secret-value"
    response = _report(client)
    assert response.status_code == 200 and response.json() == {"undeclared": ["mystery_tracker"]}
    assert list(UndeclaredCookie.objects.values_list("name", flat=True)) == ["mystery_tracker"]
    _report(client)
    assert UndeclaredCookie.objects.get().reports == 2


def test_cookie_report_with_only_declared_cookies_writes_nothing(client, demo, django_assert_num_queries):
    client.cookies["_ga"] = "1"
    client.get("/")
    with django_assert_num_queries(0):
        assert _report(client).json() == {"undeclared": []}


def test_cookie_report_ignores_names_in_the_body_and_refuses_cross_site_calls(client, demo):
    from consent.models import UndeclaredCookie

    with_body = client.post(
        reverse("consent:report"),
        data='{"names": ["invented"]}',
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert with_body.json() == {"undeclared": []}
    client.cookies["mystery"] = "1"
    assert client.post(reverse("consent:report"), HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert not UndeclaredCookie.objects.exists()


def test_cookie_reports_are_rate_limited(client, demo, one_rate_window):
    from consent.models import UndeclaredCookie

    statuses = []
    for i in range(12):
        client.cookies[f"unknown_{i}"] = "1"
        statuses.append(_report(client).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    assert UndeclaredCookie.objects.count() == 10


def test_two_clients_behind_the_load_balancer_have_their_own_report_limit(client, demo, settings, one_rate_window):
    settings.RATELIMIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client.cookies["_undeclared_tracker"] = "1"

    def report(address: str) -> int:
        # Both arrive from the load balancer's own address; only the forwarded one tells them apart.
        forwarded = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": address}
        return client.post(reverse("consent:report"), HTTP_SEC_FETCH_SITE="same-origin", **forwarded).status_code

    first = [report("203.0.113.7") for _ in range(11)]
    assert first == [200] * 10 + [429]
    assert report("198.51.100.9") == 200


def test_the_consent_cookie_is_a_host_only_prefixed_cookie(client, demo, settings):
    response = consent_post(client, {"action": "reject_all"})
    morsel = response.cookies["__Host-nocrm_consent"]
    assert morsel["secure"] and morsel["path"] == "/" and not morsel["domain"]


def test_with_a_shared_cookie_domain_the_cookie_cannot_carry_the_prefix(client, demo, settings):
    settings.CONSENT_COOKIE_DOMAIN = ".nocrm.io"
    response = consent_post(client, {"action": "reject_all"})
    assert response.cookies["nocrm_consent"]["domain"] == ".nocrm.io"
    assert "__Host-nocrm_consent" not in response.cookies


def test_the_undeclared_cookie_list_is_capped_but_listed_names_keep_counting(client, demo, monkeypatch):
    from consent.models import UndeclaredCookie
    from consent.visitor import services

    monkeypatch.setattr(services, "UNDECLARED_COOKIES_CAP", 3)
    services.report_undeclared_cookies(names=["a1", "a2"])
    services.report_undeclared_cookies(names=["a3", "a4", "a5"])  # one more fits, then the list is full
    assert UndeclaredCookie.objects.count() == 3
    services.report_undeclared_cookies(names=["a1", "b9"])
    assert UndeclaredCookie.objects.get(name="a1").reports == 2
    assert not UndeclaredCookie.objects.filter(name="b9").exists()
