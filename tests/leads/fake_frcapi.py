"""A stand-in for FriendlyCaptcha's v2 siteverify API: a real HTTP server on 127.0.0.1.

It answers as the vendor documents, picking the case from the ``response`` token it is sent, and
keeps every request it received so that tests can check what our client sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-api-key"
SITEKEY = "FCMTESTSITEKEY0000"
SLOW_SECONDS = 2.0

SUCCESS = {
    "success": True,
    "data": {
        "event_id": "ev_test",
        "challenge": {"timestamp": "2026-01-01T12:00:00Z", "origin": "http://localhost"},
    },
}


def _error(code: str, detail: str) -> dict:
    return {"success": False, "error": {"error_code": code, "detail": detail}}


# token -> (status, body); a str body is sent as is (with a JSON content type, as a broken proxy would).
CASES: dict[str, tuple[int, dict | str]] = {
    "valid": (200, SUCCESS),
    "invalid": (200, _error("response_invalid", "the response is invalid")),
    "expired": (200, _error("response_timeout", "the response has expired")),
    "duplicate": (200, _error("response_duplicate", "the response has already been used")),
    "crash": (500, "Internal Server Error"),
    "garbled": (200, '{"success": tru'),
    "no-success": (200, {"data": {}}),
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class FakeFrcApi:
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v2/captcha/siteverify"

    def __enter__(self) -> FakeFrcApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                api.received.append(Received(self.path, dict(self.headers), body))
                token = body.get("response", "")
                if self.headers.get("X-API-Key") != API_KEY:
                    self._answer(401, _error("auth_invalid", "invalid API key"))
                elif not token:
                    self._answer(400, _error("response_missing", "the response field is missing"))
                elif token == "slow":
                    time.sleep(SLOW_SECONDS)
                    self._answer(200, SUCCESS)
                else:
                    self._answer(*CASES.get(token, (200, _error("response_invalid", "unknown response"))))

            def _answer(self, status: int, body: dict | str) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
