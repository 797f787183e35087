from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from leads.models import SubmissionWindow
from leads.ratelimit import client_key, register_attempt

pytestmark = pytest.mark.django_db


def test_allows_the_limit_then_refuses(settings):
    settings.LEADS_RATE_LIMIT = 3
    assert [register_attempt(client="a") for _ in range(4)] == [True, True, True, False]
    assert register_attempt(client="b")


def test_one_row_per_client_and_window_counted_by_upsert(settings, django_assert_num_queries):
    settings.LEADS_RATE_LIMIT = 5
    register_attempt(client="a")
    with django_assert_num_queries(4):  # savepoint, delete expired, upsert, release
        register_attempt(client="a")
    assert list(SubmissionWindow.objects.values_list("client", "attempts")) == [("a", 2)]


def test_a_new_window_starts_afresh_and_expired_rows_are_deleted(settings):
    settings.LEADS_RATE_LIMIT = 1
    settings.LEADS_RATE_LIMIT_WINDOW = 3600
    now = timezone.now()
    assert register_attempt(client="a", now=now)
    assert not register_attempt(client="a", now=now)
    assert register_attempt(client="a", now=now + timedelta(hours=1))
    assert SubmissionWindow.objects.count() == 1


def test_client_key_is_a_keyed_hash_never_the_address():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    key = client_key(request)
    assert len(key) == 64
    assert "203.0.113.7" not in key
    assert key == client_key(RequestFactory().post("/", REMOTE_ADDR="203.0.113.7"))
    assert key != client_key(RequestFactory().post("/", REMOTE_ADDR="203.0.113.8"))


def test_behind_a_proxy_the_last_forwarded_address_counts(settings):
    settings.LEADS_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    factory = RequestFactory()
    spoofed = factory.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    other_spoof = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert client_key(spoofed) == client_key(other_spoof)
    settings.LEADS_CLIENT_IP_HEADER = ""
    assert client_key(spoofed) != client_key(other_spoof)


def test_form_posts_store_no_raw_address(client, settings):
    client.post("/contact/", {"name": "x"}, REMOTE_ADDR="203.0.113.7")
    assert SubmissionWindow.objects.count() == 1
    assert not SubmissionWindow.objects.filter(client__contains="203.0.113.7").exists()
