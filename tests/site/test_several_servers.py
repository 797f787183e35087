"""Two gunicorn servers, one PostgreSQL: what a deployment on several servers promises.

Each test starts two production servers (``gunicorn -c gunicorn.conf.py``, two workers each, no
shared cache) on 127.0.0.1 against the test database, so they see only committed rows.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from consent.models import ConsentRecord, Cookie, Provider, Purpose
from tests.html import script_text

ROOT = Path(__file__).resolve().parents[2]
CACHE_SECONDS = 2
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, *, body: dict | None = None, cookie: str = "") -> tuple[int, dict[str, list[str]], str]:
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers |= {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as answer:
            status, header_list, text = answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, header_list, text = error.code, error.headers, error.read().decode()
    return status, {"Set-Cookie": header_list.get_all("Set-Cookie") or []}, text


def page_banner(base: str) -> str:
    """The banner hash that the home page served by ``base`` shows (its #cc-config)."""
    return json.loads(script_text(request(base + "/")[2], "cc-config"))["banner"]


@pytest.fixture
def servers(transactional_db) -> Iterator[list[str]]:
    """Base URLs of two servers sharing the test database and nothing else; always stopped."""
    from consent.demo import load_demo

    load_demo()
    connection.ensure_connection()
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings['USER']}@/{settings['NAME']}?host={settings['HOST']}",
        "CONSENT_DECLARATIONS_CACHE_SECONDS": str(CACHE_SECONDS),
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CONSENT_RATE_LIMIT": "1000",  # every request comes from 127.0.0.1
    }
    env.pop("CACHE_URL", None)
    processes, bases = [], []
    with tempfile.TemporaryFile("w+") as log:
        try:
            for _ in range(2):
                port = free_port()
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "nocrm_site.wsgi"],
                        cwd=ROOT,
                        env={**env, "PORT": str(port)},
                        stdout=subprocess.DEVNULL,
                        stderr=log,
                    )
                )
                bases.append(f"http://127.0.0.1:{port}")
            for base, process in zip(bases, processes, strict=True):
                _wait_ready(base, process, log)
            yield bases
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_ready(base: str, process: subprocess.Popen, log, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if request(base + reverse("healthz"))[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"gunicorn at {base} not ready: {log.read()[-2000:]}")


def test_a_choice_made_through_one_server_is_honoured_by_the_other(servers):
    one, other = servers
    body = {"action": "accept_all", "banner": page_banner(one)}
    status, headers, _ = request(one + reverse("consent:update"), body=body)
    assert status == 200
    (cookie,) = [c.split(";", 1)[0] for c in headers["Set-Cookie"] if c.startswith("nocrm_consent=")]
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
