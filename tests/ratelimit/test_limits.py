from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from ratelimit.clients import NETWORK_FACTOR, client_address, client_key, network_key
from ratelimit.models import Window
from ratelimit.services import register_client_hit, register_hit

pytestmark = pytest.mark.django_db


def hit(client: str, *, limit: int = 3, window: int = 3600, scope: str = "test", **kwargs) -> bool:
    return register_hit(scope=scope, client=client, limit=limit, window=window, **kwargs)


def test_allows_the_limit_then_refuses():
    assert [hit("a") for _ in range(4)] == [True, True, True, False]
    assert hit("b")


def test_each_scope_counts_apart():
    assert [hit("a", limit=1, scope="one") for _ in range(2)] == [True, False]
    assert hit("a", limit=1, scope="two")


def test_one_row_per_client_and_window_counted_by_upsert(django_assert_num_queries):
    hit("a", limit=5)
    with django_assert_num_queries(4):  # savepoint, delete expired, upsert, release
        hit("a", limit=5)
    assert list(Window.objects.values_list("client", "hits")) == [("a", 2)]


def test_a_new_window_starts_afresh_and_expired_rows_are_deleted():
    now = timezone.now()
    assert hit("a", limit=1, now=now)
    assert not hit("a", limit=1, now=now)
    assert hit("a", limit=1, now=now + timedelta(hours=1))
    assert Window.objects.count() == 1


def test_client_key_is_a_keyed_hash_never_the_address():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    key = client_key(request)
    assert len(key) == 64
    assert "203.0.113.7" not in key
    assert key == client_key(RequestFactory().post("/", REMOTE_ADDR="203.0.113.7"))
    assert key != client_key(RequestFactory().post("/", REMOTE_ADDR="203.0.113.8"))


def test_behind_a_proxy_the_last_forwarded_address_counts(settings):
    settings.RATELIMIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    factory = RequestFactory()
    spoofed = factory.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    other_spoof = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert client_key(spoofed) == client_key(other_spoof)
    settings.RATELIMIT_CLIENT_IP_HEADER = ""
    assert client_key(spoofed) != client_key(other_spoof)


def test_an_ipv6_client_is_keyed_by_its_64():
    factory = RequestFactory()
    assert client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    same_line = factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    other_line = factory.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    first = client_key(factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1"))
    assert client_key(same_line) == first
    assert client_key(other_line) != first
    assert client_address(factory.get("/", REMOTE_ADDR="::ffff:203.0.113.7")) == "203.0.113.7"


def test_form_posts_store_no_raw_address(client):
    client.post("/contact/", {"name": "x"}, REMOTE_ADDR="203.0.113.7")
    assert Window.objects.filter(scope="leads").count() == 1
    assert not Window.objects.filter(client__contains="203.0.113.7").exists()


def test_an_ipv6_clients_48_is_counted_too_and_an_ipv4_client_has_no_network():
    factory = RequestFactory()
    first = network_key(factory.get("/", REMOTE_ADDR="2001:db8:1:2::1"))
    assert first is not None and len(first) == 64 and "2001" not in first
    assert network_key(factory.get("/", REMOTE_ADDR="2001:db8:1:ffff::1")) == first  # another /64, same /48
    assert network_key(factory.get("/", REMOTE_ADDR="2001:db8:2:2::1")) != first
    assert network_key(factory.get("/", REMOTE_ADDR="203.0.113.7")) is None
    assert network_key(factory.get("/", REMOTE_ADDR="::ffff:203.0.113.7")) is None


def test_a_client_hopping_64s_in_one_48_meets_the_networks_limit():
    factory = RequestFactory()

    def post(line: int) -> bool:
        request = factory.post("/", REMOTE_ADDR=f"2001:db8:1:{line:x}::1")
        return register_client_hit(scope="test", request=request, limit=1, window=3600)

    assert [post(line) for line in range(NETWORK_FACTOR)] == [True] * NETWORK_FACTOR  # one each, all fresh
    assert not post(NETWORK_FACTOR)  # a fresh /64, but its /48 is over NETWORK_FACTOR x the limit
    assert register_client_hit(
        scope="test", request=factory.post("/", REMOTE_ADDR="2001:db8:2::1"), limit=1, window=3600
    )
