"""What the stack's tests share: the stack on the test database, requests through it, and an origin
that gets its caching headers wrong on purpose."""

from __future__ import annotations

import contextlib
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nocrm_site.stack.engines import Engine, missing


def skip_without_engines() -> None:
    if absent := missing():
        pytest.skip(f"Debian packages not installed: {' '.join(absent)} (make system-packages installs them)")


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        return ", ".join(self.headers.get(name.lower(), []))


def call(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, data: bytes | None = None) -> Answer:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, raw, body = error.code, error.headers, error.read()
    headers: dict[str, list[str]] = {}
    for name, value in raw.items():
        headers.setdefault(name.lower(), []).append(value)
    return Answer(status, headers, body.decode(errors="replace"))


@contextlib.contextmanager
def mistaken_origin() -> Iterator[Engine]:
    """An origin that answers every path as public and cacheable for five minutes, with a body and a
    Set-Cookie naming the client's own cookie: what a bug in the site could send. ``/shared/`` alone
    is a true public page (no cookie set), ``/lb-health`` the balancer's probe."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            client = self.headers.get("Cookie", "nobody")
            shared = self.path in ("/shared/", "/lb-health")
            body = b"the same for everyone" if shared else f"private to {client}".encode()
            self.send_response(200)
            self.send_header("Cache-Control", "public, max-age=300, s-maxage=300")
            if not shared:
                self.send_header("Set-Cookie", f"session=of-{client}; Path=/")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # Only its port is read by start_varnish.
        yield Engine("mistaken-origin", server.server_address[1], process=None)  # type: ignore[arg-type]
    finally:
        server.shutdown()
        server.server_close()
