"""The production shape started for real (nocrm_site/stack): Varnish with deploy/varnish.vcl in front
of HAProxy with deploy/haproxy.cfg, two gunicorn servers, Redis, the test database.

One stack for the module (starting it takes a few seconds); each test loads the demo declarations
into the test database, which the servers read committed.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse

from consent.models import Cookie, Provider, Purpose
from nocrm_site.stack.engines import free_port, start_varnish
from nocrm_site.stack.running import Stack, running
from tests.servers import page_banner, server_env
from tests.stack_helpers import call, mistaken_origin, skip_without_engines

pytestmark = pytest.mark.django_db(transaction=True)

NEVER_CACHED = [
    "/consent/", "/consent/parametres/", "/en/consent/settings/", "/consent/state.css", "/consent/report/",
    "/en/consent/", "/admin/", "/admin/login/?next=/admin/", "/o/token", "/l/token", "/goto/token",
    "/email-tracking/off/token", "/api/v2/transactional_emails/unsubscribe", "/contact/", "/en/contact/",
    "/contact/merci/", "/healthz",
]  # fmt: skip


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker) -> Iterator[Stack]:
    skip_without_engines()
    with django_db_blocker.unblock():
        env = server_env(CONSENT_DECLARATIONS_CACHE_SECONDS="60")
    with running(env) as started:
        yield started


@pytest.fixture
def site(stack, transactional_db) -> Iterator[Stack]:
    """The stack, with this process sharing its Redis and purging its Varnish as a server does."""
    from consent.demo import load_demo

    assert stack.redis is not None
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": f"redis://127.0.0.1:{stack.redis.port}/0"}}  # fmt: skip
    with override_settings(CACHES=cache, CDN_PURGE_URLS=[stack.front]):
        load_demo()
        yield stack


def add_cookie(name: str) -> None:
    Cookie.objects.create(
        provider=Provider.objects.get_or_create(name="Hotjar")[0],
        purpose=Purpose.objects.get(slug="statistics"),
        name=name,
        duration_fr="1 an",
        duration_en="1 year",
    )


def decide(base: str, action: str, cookie: str = "") -> tuple[int, str]:
    """POST /consent/ as a same-origin browser: the status and the consent cookie set."""
    body = json.dumps({"action": action, "banner": page_banner(base), "decision_id": str(uuid.uuid4())})
    headers = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
    answer = call(base + reverse("consent:update"), method="POST", data=body.encode(),
                  headers=headers | ({"Cookie": cookie} if cookie else {}))  # fmt: skip
    # The servers set it without __Host- (plain HTTP here: CONSENT_COOKIE_SECURE=0).
    set_cookies = [
        c.split(";", 1)[0] for c in answer.headers.get("set-cookie", []) if c.split("=", 1)[0].endswith("nocrm_consent")
    ]
    return answer.status, set_cookies[0] if set_cookies else ""


def test_pages_come_from_the_cache_for_new_and_returning_visitors(site):
    url = site.front + reverse("cookie-policy")
    call(url)
    _, returning = decide(site.front, "accept_all")
    assert returning
    new, again = call(url), call(url, headers={"Cookie": returning, "Accept-Encoding": "gzip"})
    assert (new.status, new.header("x-cache")) == (200, "hit")
    assert (again.status, again.header("x-cache")) == (200, "hit")
    assert "set-cookie" not in new.headers and "set-cookie" not in again.headers
    assert call(url + "?utm_source=newsletter").header("x-cache") == "hit"  # the query is no part of the key


def test_what_belongs_to_one_visitor_never_reaches_another_whatever_the_origin_says(stack, tmp_path):
    """Varnish in front of an origin that marks everything public: the VCL passes by path."""
    with mistaken_origin() as origin, tempfile.TemporaryFile("w+") as log:
        varnish = start_varnish(origin, port=free_port(), log=log, workdir=tmp_path)
        try:
            for path in NEVER_CACHED:
                for method in ("GET", "POST"):
                    data = b"{}" if method == "POST" else None
                    alice = call(varnish.url + path, method=method, data=data, headers={"Cookie": "alice"})
                    bob = call(varnish.url + path, method=method, data=data, headers={"Cookie": "bob"})
                    assert alice.body == "private to alice", (path, method)
                    assert bob.body == "private to bob", (path, method)
                    assert bob.headers["set-cookie"] == ["session=of-bob; Path=/"], (path, method)
            # A page that sets a cookie is not stored either, though its path is cacheable.
            call(varnish.url + "/", headers={"Cookie": "alice"})
            bob = call(varnish.url + "/", headers={"Cookie": "bob"})
            assert (bob.body, bob.headers["set-cookie"]) == ("private to bob", ["session=of-bob; Path=/"])
            # While a true public page is stored and shared, so the cache does work here.
            call(varnish.url + "/shared/", headers={"Cookie": "alice"})
            shared = call(varnish.url + "/shared/", headers={"Cookie": "bob"})
            assert (shared.body, shared.header("x-cache")) == ("the same for everyone", "hit")
        finally:
            varnish.stop()


def test_decisions_and_the_settings_page_through_the_stack_stay_each_visitors(site):
    status_a, alice = decide(site.front, "accept_all")
    status_b, bob = decide(site.front, "reject_all")
    assert (status_a, status_b) == (200, 200) and alice and bob and alice != bob
    settings_page = site.front + reverse("cookie-settings")
    for cookie in (alice, bob, ""):
        answer = call(settings_page, headers={"Cookie": cookie} if cookie else {})
        assert answer.status == 200 and answer.header("x-cache") == "pass"
        assert "no-store" in answer.header("cache-control")
    state = site.front + reverse("consent:state-css")
    assert call(state, headers={"Cookie": alice}).body == ""
    assert call(state).body == ".cc-banner{display:block}"


def test_an_admin_change_reaches_the_front_at_once(site):
    url = site.front + reverse("cookie-policy")
    assert call(url).status == 200 and call(url).header("x-cache") == "hit"
    add_cookie("_hjPurged_*")  # committed: purges go out from this process's worker thread
    changed = time.monotonic()
    while "_hjPurged_*" not in call(url).body:
        assert time.monotonic() - changed < 5, "the change did not reach the front"
        time.sleep(0.05)
    assert time.monotonic() - changed < 3
    assert call(url).header("x-cache") == "hit"  # stored again, new bytes


def test_redis_down_pages_keep_being_served_and_redis_back_means_at_once_again(site):
    direct = [server.url + reverse("cookie-policy") for server in site.servers]
    site.redis.stop()
    try:
        for url in direct * 4:
            assert call(url).status == 200
        assert call(site.front + "/").status == 200
        log = (site.workdir / "engines.log").read_text()
        assert "shared cache unreachable" in log
    finally:
        site.restart_redis()
    time.sleep(1.2)  # the servers ask Redis again at most every second
    for url in direct * 4:  # each worker finds the token again
        call(url)
    add_cookie("_hjAfterRedis_*")
    changed = time.monotonic()
    while not all("_hjAfterRedis_*" in call(url).body for url in direct * 4):
        assert time.monotonic() - changed < 5, "not shown at once after Redis came back"
        time.sleep(0.05)
    assert time.monotonic() - changed < 2
    assert "shared cache reachable again" in (site.workdir / "engines.log").read_text()


def test_a_server_lost_then_both_pages_keep_answering(site):
    # Pages that go stale within a second, so that the end of the test needs Varnish's grace.
    for index in range(2):
        site.restart_server(index, PAGE_SHARED_MAX_AGE="1", PAGE_STALE_WHILE_REVALIDATE="1")
    pages = [reverse(name) for name in ("home", "pricing", "cookie-policy")]
    for path in pages:
        call(site.front + path, method="PURGE")
        assert call(site.front + path).status == 200
    site.servers[0].kill()
    statuses = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # through HAProxy, bypassing the cache
        statuses += [call(site.haproxy.url + path).status for path in pages]
    assert set(statuses) == {200}, statuses
    assert decide(site.haproxy.url, "accept_all")[0] == 200
    site.servers[1].kill()
    time.sleep(2.5)  # every stored page is now past its max-age and stale-while-revalidate
    for path in pages:
        stale = call(site.front + path)
        assert stale.status == 200, path
        assert int(stale.header("age")) >= 2
    body = json.dumps({"action": "accept_all", "banner": "x" * 64}).encode()
    refused = call(site.front + reverse("consent:update"), method="POST", data=body,
                   headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})  # fmt: skip
    assert refused.status == 503
    for index in range(2):
        site.restart_server(index)
    back = time.monotonic()
    while call(site.front + pages[0], method="PURGE").status != 200 or call(site.front + pages[0]).status != 200:
        assert time.monotonic() - back < 10
        time.sleep(0.1)
    assert call(site.front + pages[0]).header("x-cache") == "hit"


def test_only_the_purgers_may_purge_or_ban(site):
    import http.client

    url = site.front + reverse("home")
    call(url)
    assert call(url).header("x-cache") == "hit"
    # Another address of this machine, outside the VCL's purgers ACL.
    port = int(site.front.rsplit(":", 1)[1])
    outsider = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.2", 0))
    outsider.request("PURGE", "/")
    assert outsider.getresponse().status == 405
    outsider.close()
    assert call(url).header("x-cache") == "hit"
    english = site.front + "/en/"
    call(english)
    assert call(english).header("x-cache") == "hit"
    assert call(site.front + "/en/", method="BAN").status == 200  # every path under /en/
    assert call(english).header("x-cache") == "miss"
    assert call(url).header("x-cache") == "hit"  # the French home page was not under /en/
