"""Servers the live tests start and talk to: production gunicorn processes on free ports, using the
test database, plain HTTP requests to them, and the wait for what another process, thread or browser
does meanwhile."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from django.db import connection, connections
from django.urls import reverse

from tests.html import script_text

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, *, body: dict | None = None, cookie: str = "") -> tuple[int, dict[str, list[str]], str]:
    """GET ``url``, or POST ``body`` as a same-origin browser's JSON: the status, Set-Cookie headers and text."""
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


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a server on 127.0.0.1 using the test database (it sees only committed rows)."""
    connection.ensure_connection()
    settings = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings['USER']}@/{settings['NAME']}?host={settings['HOST']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CONSENT_RATE_LIMIT": "1000",  # every request of a test comes from 127.0.0.1
        **overrides,
    }


def owner_url() -> str:
    """The test database as the owner role (what a release job's DATABASE_OWNER_URL names)."""
    from consent.privileges import OWNER

    owner = connections[OWNER]
    owner.ensure_connection()
    return f"postgres://{owner.settings_dict['USER']}@/{owner.settings_dict['NAME']}?host={owner.settings_dict['HOST']}"


def start_gunicorn(env: dict[str, str], log: IO[str]) -> tuple[str, subprocess.Popen]:
    """``gunicorn -c gunicorn.conf.py``, as in production, on a free port: its base URL and its process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "nocrm_site.wsgi"],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    return f"http://127.0.0.1:{port}", process


def wait_ready(base: str, process: subprocess.Popen, log: IO[str], timeout: float = 20) -> None:
    """Returns once the server answers /healthz; fails with the end of its log if it exits or takes longer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if _answers(base + reverse("healthz")):
            return
        time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"gunicorn at {base} not ready: {log.read()[-2000:]}")


def _answers(url: str) -> bool:
    try:
        return request(url)[0] == 200
    except OSError:
        return False


def stop(*processes: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM to each, then SIGKILL to any still running ``timeout`` seconds later."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(
    condition: Callable[[], object],
    timeout: float = 10,
    *,
    what: str = "",
    pause: Callable[[float], object] = time.sleep,
) -> None:
    """Polls ``condition`` until it holds; fails the test after ``timeout`` seconds.

    Browser tests wait with tests/e2e/helpers.py's wait_in, which pauses in the page instead of sleeping.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {timeout} s" + (f": {what}" if what else ""))
        pause(0.05)


def page_banner(base: str) -> str:
    """The hash of the banner version that the home page served by ``base`` shows (its #cc-config)."""
    return json.loads(script_text(request(base + "/")[2], "cc-config"))["banner"]
