"""Properties over hostile input: whatever a client posts, a cookie holds or a tracker URL carries,
the answer is never a server error and nothing malformed (or unauthorised) is stored."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote, urlencode

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.models import OPTIONAL_PURPOSES, Action, ConsentRecord, Source
from consent.visitor import cookie
from consent.visitor.cookie import cookie_name
from consent.visitor.decision import BUTTONS, FORM_TRUE, JSON_FIELDS
from tests.consent.helpers import consent_post
from tests.tracking.factories import claims, make_message, make_recipient
from tracking.models import Event, Message, Recipient
from tracking.tokens import Claims, Purpose, make_token, url_digest

# Each property sends one request per example: a few hundred milliseconds to a few seconds each.
REQUESTS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PURE = settings(max_examples=400, deadline=None)

SLUGS = [str(slug) for slug in OPTIONAL_PURPOSES]
FORM = "application/x-www-form-urlencoded"

# Any JSON value, including the NaN and Infinity that Python's parser accepts.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=10,
)
# Any text, with what PostgreSQL text cannot hold (NUL, lone surrogates) drawn often; JSON escapes
# them as \u0000 and \ud800.
awkward_characters = st.sampled_from("\x00\ud800\udfff/%é") | st.characters(codec=None)
any_text = st.text(awkward_characters, max_size=300)
# What a form field or a header can carry (no surrogates: bodies are bytes, headers Latin-1), with a
# NUL in half of the values.
form_text = st.tuples(st.text(max_size=150), st.sampled_from(["", "\x00"]), st.text(max_size=150)).map("".join)
header_text = st.tuples(
    st.text(st.characters(codec="latin-1"), max_size=150),
    st.sampled_from(["", "\x00"]),
    st.text(st.characters(codec="latin-1"), max_size=150),
).map("".join)
# Bodies as consent.js sends them, with the free-form values (path, times, IDs) unconstrained: these
# pass validation and reach the database.
valid_decisions = st.fixed_dictionaries(
    {"action": st.sampled_from(BUTTONS)},
    optional={
        "choices": st.dictionaries(st.sampled_from(SLUGS), st.booleans()).map(lambda c: {**c, "necessary": True}),
        "source": st.sampled_from([Source.BANNER.value, Source.SETTINGS.value]),
        "decision_id": st.uuids().map(str),
        "decided_at": st.integers(min_value=-(2**70), max_value=2**70),
        "revision": st.integers(min_value=1, max_value=2**70),
        "gpc": st.booleans(),
        "path": any_text | st.text(max_size=700).map(lambda p: "/" + p),
    },
)
# The same fields with any JSON value in them.
decisions = st.fixed_dictionaries(
    {"action": st.sampled_from(BUTTONS) | json_values},
    optional=dict.fromkeys(sorted(JSON_FIELDS - {"action"}), json_values),
)
random_dicts = st.dictionaries(st.sampled_from(sorted(JSON_FIELDS)) | st.text(max_size=20), json_values, max_size=8)


def assert_records_well_formed() -> None:
    for record in ConsentRecord.objects.all():
        granted = (record.preferences, record.statistics, record.advertising)
        assert record.action in Action.values
        if record.action == Action.ACCEPT_ALL:
            assert record.preferences and record.statistics and (record.advertising or record.gpc)
        if record.action in (Action.REJECT_ALL, Action.CLOSE):
            assert not any(granted)
        assert record.source in Source.values
        assert record.language in ("fr", "en") and len(record.language) <= 8
        assert len(record.page_path) <= 512 and "\x00" not in record.page_path
        assert record.page_path == "" or record.page_path.startswith("/")
        assert len(record.user_agent) <= 256
        assert record.policy_revision >= 1


def _check_json_answer(response, stored_before: int) -> None:
    assert response.status_code < 500, response.content
    if response.status_code == 200:
        assert ConsentRecord.objects.filter(decision_id=response.json()["decision_id"]).exists()
    else:
        assert 400 <= response.status_code < 500
        assert ConsentRecord.objects.count() == stored_before
        assert cookie_name() not in response.cookies
    assert_records_well_formed()


@REQUESTS
@given(body=decisions | random_dicts | json_values)
def test_any_json_value_gets_a_client_answer_and_stores_only_well_formed_records(client, demo, body):
    stored_before = ConsentRecord.objects.count()
    _check_json_answer(consent_post(client, json.dumps(body), "application/json"), stored_before)


@REQUESTS
@given(body=valid_decisions, gpc_header=st.booleans(), user_agent=header_text)
def test_any_path_time_or_id_in_a_decision_is_stored_well_formed_or_refused(client, demo, body, gpc_header, user_agent):
    stored_before = ConsentRecord.objects.count()
    headers = {"HTTP_USER_AGENT": user_agent, **({"HTTP_SEC_GPC": "1"} if gpc_header else {})}
    _check_json_answer(consent_post(client, json.dumps(body), "application/json", **headers), stored_before)


@REQUESTS
@given(
    body=st.binary(max_size=5000),
    content_type=st.sampled_from(["application/json", FORM, "text/plain", "multipart/form-data; boundary=b"]),
)
def test_random_bytes_never_cause_a_server_error(client, demo, body, content_type):
    stored_before = ConsentRecord.objects.count()
    response = consent_post(client, body, content_type)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert ConsentRecord.objects.count() == stored_before
    assert_records_well_formed()


form_keys = st.sampled_from(["action", "next", "necessary", *SLUGS]) | st.text(max_size=12)
form_values = st.sampled_from([*BUTTONS, "on", "1", "true", "off", "", "/tarifs/", "//evil.example/"]) | form_text


# Forms as the no-JS pages send them, with any text to come back to.
valid_forms = st.fixed_dictionaries(
    {"action": st.sampled_from(BUTTONS)},
    optional={
        "next": form_text,
        "necessary": st.just("on"),
        **dict.fromkeys(SLUGS, st.sampled_from(sorted(FORM_TRUE))),
    },
).map(lambda form: list(form.items()))


@REQUESTS
@given(fields=valid_forms | st.lists(st.tuples(form_keys, form_values), max_size=6))
def test_any_form_gets_a_redirect_on_this_site_or_a_400(client, demo, fields):
    stored_before = ConsentRecord.objects.count()
    response = consent_post(client, urlencode(fields), FORM)
    assert response.status_code in (303, 400, 413)
    if response.status_code == 303:
        location = response["Location"]
        assert location.startswith("/") and url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})
        assert ConsentRecord.objects.count() == stored_before + 1
    else:
        assert ConsentRecord.objects.count() == stored_before
    assert_records_well_formed()


# --- The consent cookie ----------------------------------------------------------------------------


def assert_valid_state(state: cookie.ConsentState) -> None:
    assert isinstance(state.consent_id, uuid.UUID)
    assert list(state.choices) == SLUGS and all(type(v) is bool for v in state.choices.values())
    assert type(state.revision) is int and type(state.decided_at) is int
    assert -120 <= cookie.now() - state.decided_at < django_settings.CONSENT_MAX_AGE


# Text shaped like a cookie value.
cookie_shaped = st.builds(
    "{}.{}.{}.{}:{}".format,
    st.uuids() | st.text(max_size=40),
    st.text("01x", max_size=4),
    st.integers() | st.text(max_size=5),
    st.integers(min_value=0, max_value=2**40) | st.text(max_size=12),
    st.text(max_size=50),
)


@PURE
@given(value=any_text | cookie_shaped)
def test_loads_never_raises_and_returns_none_or_a_valid_state(value):
    state = cookie.loads(value)
    if state is not None:
        assert_valid_state(state)


@PURE
@given(payload=st.text(max_size=100) | cookie_shaped.map(lambda v: v.rsplit(":", 1)[0]))
def test_loads_of_any_payload_signed_with_our_key_returns_none_or_a_valid_state(payload):
    state = cookie.loads(cookie._signer().sign(payload))
    if state is not None:
        assert_valid_state(state)


states = st.builds(
    lambda consent_id, flags, revision, age: cookie.ConsentState(
        consent_id=consent_id,
        choices=dict(zip(SLUGS, flags, strict=True)),
        revision=revision,
        decided_at=cookie.now() - age,
    ),
    st.uuids(),
    st.tuples(*[st.booleans()] * len(SLUGS)),
    st.integers(min_value=1, max_value=2**31),
    st.integers(min_value=-100, max_value=180 * 24 * 3600),
)


@PURE
@given(state=states)
def test_loads_reads_back_what_dumps_wrote(state):
    assert cookie.loads(cookie.dumps(state)) == state


@PURE
@given(state=states, data=st.data())
def test_changing_any_character_of_a_cookie_makes_it_unreadable(state, data):
    value = cookie.dumps(state)
    index = data.draw(st.integers(min_value=0, max_value=len(value) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != value[index]))
    assert cookie.loads(value[:index] + replacement + value[index + 1 :]) is None


# --- Tracker URLs --------------------------------------------------------------------------------

tokens = (
    st.text(max_size=300)
    | st.from_regex(r"[A-Za-z0-9_\-.:]{0,300}", fullmatch=True)
    | st.text(max_size=5).map(lambda t: "e30." + t)
)
SIGNED_URL = "https://app.nocrm.io/leads/42"


def _tracked_claims(target: str = "") -> Claims:
    """Claims naming a message and a recipient that exist, so that a wrongly accepted token would record."""
    message = Message.objects.first() or make_message()
    recipient = Recipient.objects.first() or make_recipient()
    return claims(message, recipient, target=target)


def _assert_nothing_recorded() -> None:
    assert not Event.objects.exists()
    assert not Recipient.objects.filter(unsubscribed_at__isnull=False).exists()


@REQUESTS
@given(token=tokens, clicked_url=st.text(max_size=200))
def test_random_tracker_tokens_record_nothing(client, db, token, clicked_url):
    _tracked_claims()
    quoted = quote(token, safe="")
    assert client.get(f"/o/{quoted}").status_code in (200, 404)
    assert client.get(f"/l/{quoted}").status_code in (400, 404)
    assert client.get(f"/goto/{quoted}?{urlencode({'clicked_url': clicked_url})}").status_code in (400, 404)
    unsubscribe = f"{reverse('tracking:unsubscribe')}?{urlencode({'signature': token})}"
    assert client.get(unsubscribe).status_code == 400
    assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 400
    _assert_nothing_recorded()


@REQUESTS
@given(clicked_url=st.text(max_size=200) | st.just(SIGNED_URL))
def test_a_valid_goto_token_records_a_click_only_for_the_url_it_signs(client, db, clicked_url):
    token = make_token(Purpose.GOTO, _tracked_claims(target=url_digest(SIGNED_URL)))
    response = client.get(f"/goto/{token}?{urlencode({'clicked_url': clicked_url})}")
    if clicked_url == SIGNED_URL:
        assert response.status_code == 302 and response["Location"] == SIGNED_URL
        assert Event.objects.filter(url=SIGNED_URL).exists()
    else:
        assert response.status_code == 400
        assert not Event.objects.exclude(url=SIGNED_URL).exists()
