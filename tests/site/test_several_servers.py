"""Two gunicorn servers, one PostgreSQL: what a deployment on several servers promises.

Each test starts two production servers (``gunicorn -c gunicorn.conf.py``, two workers each, no
shared cache) on 127.0.0.1 against the test database, so they see only committed rows.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from consent.models import ConsentRecord, Cookie, Provider, Purpose
from consent.visitor.cookie import cookie_name
from tests.servers import page_banner, request, server_env, start_gunicorn, stop, wait_ready

CACHE_SECONDS = 2
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def servers(transactional_db) -> Iterator[list[str]]:
    """Base URLs of two servers sharing the test database and nothing else; always stopped."""
    from consent.demo import load_demo

    load_demo()
    env = server_env(CONSENT_DECLARATIONS_CACHE_SECONDS=str(CACHE_SECONDS))
    env.pop("CACHE_URL", None)
    processes, bases = [], []
    with tempfile.TemporaryFile("w+") as log:
        try:
            for _ in range(2):
                base, process = start_gunicorn(env, log)
                processes.append(process)
                bases.append(base)
            for base, process in zip(bases, processes, strict=True):
                wait_ready(base, process, log)
            yield bases
        finally:
            stop(*processes)


def test_a_choice_made_through_one_server_is_honoured_by_the_other(servers):
    one, other = servers
    body = {"action": "accept_all", "banner": page_banner(one)}
    status, headers, _ = request(one + reverse("consent:update"), body=body)
    assert status == 200
    (cookie,) = [c.split(";", 1)[0] for c in headers["Set-Cookie"] if c.startswith(f"{cookie_name()}=")]
    state_css = other + reverse("consent:state-css")
    assert request(state_css, cookie=cookie)[2] == ""  # a valid choice: no banner
    assert request(state_css)[2] == ".cc-banner{display:block}"
    forged = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
    assert request(state_css, cookie=forged)[2] == ".cc-banner{display:block}"


def test_an_admin_change_shows_on_every_server_within_the_cache_delay(servers):
    policy = [base + reverse("cookie-policy") for base in servers]
    for url in policy * 4:  # every worker holds the declarations before the change
        assert "_hjSessionUser_*" not in request(url)[2]
    Cookie.objects.create(
        provider=Provider.objects.create(name="Hotjar"),
        purpose=Purpose.objects.get(slug="statistics"),
        name="_hjSessionUser_*",
        description_fr="Reconnaît un visiteur revenu.",
        description_en="Recognises a returning visitor.",
        duration_fr="1 an",
        duration_en="1 year",
    )
    changed = time.monotonic()
    shown_after = {}
    while len(shown_after) < len(policy) and time.monotonic() - changed < CACHE_SECONDS + 5:
        for url in policy:
            if url not in shown_after and "_hjSessionUser_*" in request(url)[2]:
                shown_after[url] = time.monotonic() - changed
        time.sleep(0.1)
    assert len(shown_after) == 2, f"not shown everywhere after {CACHE_SECONDS + 5} s: {shown_after}"
    time.sleep(max(0.0, CACHE_SECONDS + 0.5 - (time.monotonic() - changed)))
    for url in policy * 4:  # and by every worker of both servers once the delay has passed
        assert "_hjSessionUser_*" in request(url)[2]
    assert max(shown_after.values()) <= CACHE_SECONDS + 1.5, shown_after


def test_each_decision_is_logged_exactly_once_across_servers(servers):
    decisions = [str(uuid.uuid4()) for _ in range(40)]
    url = [base + reverse("consent:update") for base in servers]
    banner = page_banner(servers[0])

    def send(decision: str, server: int) -> int:
        return request(url[server], body={"action": "reject_all", "decision_id": decision, "banner": banner})[0]

    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(send, decisions, [i % 2 for i in range(40)]))
        # Re-sent decisions (a retry after a lost answer), to both servers at the same moment.
        again = list(pool.map(send, decisions[:10] * 2, [0] * 10 + [1] * 10))
    assert first == [200] * 40 and again == [200] * 20
    stored = list(ConsentRecord.objects.values_list("decision_id", flat=True))
    assert sorted(str(d) for d in stored) == sorted(decisions)
