"""Purges of the cache in front: asked for when the declarations change, sent, retried, shown."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cdn import services
from cdn.models import Purge
from consent.models import Cookie, Provider, Purpose
from nocrm_site.purge import page_urls, purge_pages
from tests.cdn.stub import stub_server
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def make_cookie() -> Cookie:
    return Cookie.objects.create(
        provider=Provider.objects.create(name="Hotjar"),
        purpose=Purpose.objects.get(slug="statistics"),
        name="_hjSessionUser_*",
        duration_fr="1 an",
        duration_en="1 year",
    )


def test_the_pages_purged_are_the_sitemaps_in_each_language(settings):
    settings.SITE_URL = "https://www.example.org"
    urls = page_urls()
    assert "https://www.example.org/" in urls and "https://www.example.org/en/" in urls
    assert "https://www.example.org/cookies/" in urls and "https://www.example.org/en/pricing/" in urls
    assert len(urls) == len(set(urls)) == 14


def test_a_committed_change_asks_every_cache_once(demo, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.CDN_PURGE_URLS = ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    settings.CDN_CLOUDFLARE_ZONE_ID, settings.CDN_CLOUDFLARE_API_TOKEN = "zone123", "token"
    kicked = []
    monkeypatch.setattr("cdn.worker.kick", lambda: kicked.append(1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_cookie()
    assert not Purge.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    purges = list(Purge.objects.order_by("next_attempt_at", "id"))
    endpoints = [("http", "http://127.0.0.1:1"), ("http", "http://127.0.0.1:2"), ("cloudflare", "zone123")]
    # The per-process cache of the tests: now, and again once every server's copy has expired.
    assert [(p.backend, p.endpoint) for p in purges] == endpoints * 2
    assert all(p.urls == page_urls() and p.status == "pending" for p in purges)
    now, later = purges[0].next_attempt_at, purges[-1].next_attempt_at
    assert abs((later - now).total_seconds() - (settings.CONSENT_DECLARATIONS_CACHE_SECONDS + 1)) < 1
    assert kicked
    purge_pages(everywhere=False)  # a second save of the same transaction: the waiting purges cover it
    assert Purge.objects.count() == 6


def test_with_a_shared_cache_the_pages_are_purged_once(demo, settings, monkeypatch):
    settings.CDN_PURGE_URLS = ["http://127.0.0.1:1"]
    monkeypatch.setattr("cdn.worker.kick", lambda: None)
    purge_pages(everywhere=True)
    assert Purge.objects.count() == 1


def test_without_a_cache_configured_nothing_is_written(demo, settings):
    # A Cloudflare zone without its token is not configured (the API would refuse every call).
    settings.CDN_PURGE_URLS, settings.CDN_CLOUDFLARE_ZONE_ID, settings.CDN_CLOUDFLARE_API_TOKEN = [], "zone123", ""
    purge_pages()
    assert not Purge.objects.exists()


def test_an_http_purge_sends_purge_of_each_path_with_the_sites_host(settings):
    settings.SITE_URL = "https://www.example.org"
    with stub_server() as stub:
        settings.CDN_PURGE_URLS = [stub.url]
        [purge] = services.request_purge(urls=["https://www.example.org/", "https://www.example.org/en/cookies/"])
        assert services.send_due_purges() == 1
    purge.refresh_from_db()
    assert (purge.status, purge.attempts, purge.last_error) == ("done", 1, "")
    assert purge.done_at is not None
    assert [(r.method, r.path, r.headers["Host"]) for r in stub.requests] == [
        ("PURGE", "/", "www.example.org"),
        ("PURGE", "/en/cookies/", "www.example.org"),
    ]


def test_cloudflare_gets_the_urls_thirty_at_a_time_with_the_token(settings):
    with stub_server() as stub:
        settings.CDN_CLOUDFLARE_API_URL = stub.url + "/client/v4"
        settings.CDN_CLOUDFLARE_ZONE_ID, settings.CDN_CLOUDFLARE_API_TOKEN = "zone123", "secret-token"
        stub.body = {"success": True, "errors": [], "result": {"id": "x"}}
        urls = [f"https://www.nocrm.io/page-{i}/" for i in range(31)]
        [purge] = services.request_purge(urls=urls)
        services.send_due_purges()
    purge.refresh_from_db()
    assert purge.status == "done"
    assert [r.path for r in stub.requests] == ["/client/v4/zones/zone123/purge_cache"] * 2
    assert stub.requests[0].headers["Authorization"] == "Bearer secret-token"
    assert [json.loads(r.body)["files"] for r in stub.requests] == [urls[:30], urls[30:]]


def test_a_cloudflare_refusal_is_kept_with_its_reason_and_tried_again_later(settings):
    with stub_server() as stub:
        settings.CDN_CLOUDFLARE_API_URL, settings.CDN_CLOUDFLARE_ZONE_ID = stub.url, "zone123"
        settings.CDN_CLOUDFLARE_API_TOKEN = "revoked-token"
        stub.status, stub.body = 403, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]}
        [purge] = services.request_purge(urls=["https://www.nocrm.io/"])
        before = timezone.now()
        services.send_due_purges()
    purge.refresh_from_db()
    assert (purge.status, purge.attempts) == ("pending", 1)
    assert purge.last_error == "Cloudflare answered 403: Authentication error"
    assert purge.next_attempt_at >= before + timedelta(seconds=1)
    assert services.send_due_purges() == 0  # not due yet


def test_a_cache_down_is_retried_with_growing_delays_then_marked_failed(settings):
    settings.CDN_PURGE_URLS = [f"http://127.0.0.1:{free_port()}"]
    [purge] = services.request_purge(urls=["https://www.nocrm.io/"])
    delays = []
    for _ in range(services.MAX_ATTEMPTS):
        started = timezone.now()
        Purge.objects.filter(pk=purge.pk).update(next_attempt_at=started)
        assert services.send_due_purges() == 1
        purge.refresh_from_db()
        delays.append(round((purge.next_attempt_at - started).total_seconds()))
    assert (purge.status, purge.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert "ConnectError" in purge.last_error
    assert delays[:7] == [1, 2, 4, 8, 16, 32, 64]
    assert services.send_due_purges() == 0  # bounded: a failed purge is not tried again by itself


def test_the_admin_lists_failed_purges_and_sends_them_again(admin_client, settings, monkeypatch):
    kicked = []
    monkeypatch.setattr("cdn.worker.kick", lambda: kicked.append(1))
    failed = Purge.objects.create(
        backend="http", endpoint="http://127.0.0.1:9", urls=["https://www.nocrm.io/"], status="failed",
        attempts=8, next_attempt_at=timezone.now(), last_error="http://127.0.0.1:9: ConnectError refused",
    )  # fmt: skip
    listing = admin_client.get(reverse("admin:cdn_purge_changelist"))
    assert listing.status_code == 200
    assert "ConnectError refused" in listing.content.decode()
    answer = admin_client.post(
        reverse("admin:cdn_purge_changelist"), {"action": "retry", "_selected_action": [failed.pk]}
    )
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert kicked


def test_the_admin_save_does_not_wait_for_a_cache_that_hangs(demo, settings, admin_client):
    """A purge endpoint that accepts connections and never answers: the save returns at once; the
    purge is sent by the worker thread (transaction=False here: the callback runs via the capture)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    settings.CDN_PURGE_URLS = [f"http://127.0.0.1:{listener.getsockname()[1]}"]
    started = time.monotonic()
    purge_pages()
    assert time.monotonic() - started < 0.5
    assert Purge.objects.get().status == "pending"
    listener.close()
