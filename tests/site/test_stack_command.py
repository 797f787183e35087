"""``make stack``'s command as a person runs it: a process of its own that prints the front URL,
serves the site through Varnish and HAProxy, and stops every engine on SIGTERM or SIGINT (Ctrl-C),
also when started with SIGINT ignored, as a shell starts a background job."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import ROOT, owner_url, server_env
from tests.stack_helpers import call, skip_without_engines

pytestmark = pytest.mark.django_db(transaction=True)


def listening(url: str) -> bool:
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT (Ctrl-C)"])
def test_make_stack_serves_through_the_cache_and_stops_everything(stop):
    skip_without_engines()
    env = server_env(DATABASE_OWNER_URL=owner_url(), DEBUG="1")  # as .env has it: the servers still run without
    process = subprocess.Popen(
        [sys.executable, "manage.py", "stack"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 90
        while not any(line.startswith("Their logs") for line in lines) and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "manage.py stack exited:\n" + "".join(lines)
            lines.append(line)
        [front] = [line.rsplit(" ", 1)[1].strip() for line in lines if line.startswith("The site, through Varnish")]
        [others] = [line for line in lines if line.startswith("HAProxy ")]
        [logs] = [Path(line.split(": ", 1)[1].strip()) for line in lines if line.startswith("Their logs")]
        assert call(front).status == 200
        page = call(front)
        assert (page.status, page.header("x-cache")) == (200, "hit")
        # DEBUG off: an unknown path is the site's own 404 page, not Django's debug page.
        missing = call(front + "/no-such-page/")
        assert missing.status == 404 and "URLconf" not in missing.body
        engines = [word.strip(",") for word in others.split() if word.startswith("http://")]
        assert len(engines) == 3 and all(listening(url) for url in engines)
        process.send_signal(stop)
        assert process.wait(timeout=60) == 0
        assert not listening(front) and not any(listening(url) for url in engines)
        assert not logs.parent.exists()  # the temporary folder is gone with the stack
    finally:
        if process.poll() is None:  # a failed assertion: the command still stops what it started
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
