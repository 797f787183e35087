"""A timestamping authority for tests: OpenSSL's ``ts -reply`` behind a tiny HTTP server on 127.0.0.1.

Each ``Authority`` has a CA and a TSA certificate of its own (extended key usage timeStamping,
critical, as RFC 3161 requires), made with the ``openssl`` command in a temporary directory.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Authority:
    url: str
    directory: Path

    @property
    def ca(self) -> Path:
        return self.directory / "ca.pem"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_keys(directory: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", f"/CN={name} CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign", cwd=directory,
    )  # fmt: skip
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        f"/CN={name}",
        cwd=directory,
    )
    (directory / "ext.cnf").write_text("extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n")
    _openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "tsa.pem", "-days", "2", "-extfile", "ext.cnf", cwd=directory,
    )  # fmt: skip
    (directory / "serial").write_text("01\n")
    (directory / "openssl.cnf").write_text(CONFIG.format(dir=directory))


@contextmanager
def authority(name: str = "Test TSA") -> Iterator[Authority]:
    """A running authority; its URL answers timestamp queries until the block ends."""
    with tempfile.TemporaryDirectory(prefix="nocrm-tsa-") as scratch:
        directory = Path(scratch)
        make_keys(directory, name)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:  # one serial file
                    (directory / "query.tsq").write_bytes(query)
                    answered = subprocess.run(
                        [
                            "openssl",
                            "ts",
                            "-reply",
                            "-config",
                            "openssl.cnf",
                            "-queryfile",
                            "query.tsq",
                            "-out",
                            "reply.tsr",
                        ],
                        cwd=directory,
                        capture_output=True,
                    )
                    reply = (directory / "reply.tsr").read_bytes() if answered.returncode == 0 else b""
                self.send_response(200 if reply else 400)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Authority(url=f"http://127.0.0.1:{server.server_port}/tsr", directory=directory)
        finally:
            server.shutdown()
            server.server_close()
