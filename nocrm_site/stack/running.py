"""The whole stack, started in order and stopped in the reverse order, also on errors and Ctrl-C."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from nocrm_site.stack.engines import (
    Engine,
    free_port,
    start_gunicorn,
    start_haproxy,
    start_redis,
    start_varnish,
    varnish_counters,
    wait_listening,
)

# Production settings but plain HTTP on 127.0.0.1 (no TLS in front here).
STACK_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "CONSENT_COOKIE_SECURE": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    # Varnish appends the visitor's address; HAProxy adds nothing (deploy/haproxy.cfg).
    "RATELIMIT_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
    "WEB_CONCURRENCY": "2",
}


@dataclass
class Stack:
    workdir: Path
    varnish: Engine
    haproxy: Engine
    servers: list[Engine]
    redis: Engine | None
    env: dict[str, str] = field(repr=False)
    log: IO[str] = field(repr=False)
    # Everything started, in order, restarted servers included: stopped in the reverse order.
    engines: list[Engine] = field(default_factory=list, repr=False)

    @property
    def front(self) -> str:
        return self.varnish.url

    def counters(self, *names: str) -> dict[str, int]:
        return varnish_counters(self.varnish, self.workdir, *names)

    def restart_server(self, index: int, **env: str) -> Engine:
        """Starts again, on its port (with ``env`` added), a server that was stopped or killed."""
        old = self.servers[index]
        old.stop()
        server = start_gunicorn({**self.env, **env}, log=self.log, name=old.name, port=old.port)
        wait_listening(server, path="/healthz", timeout=60)
        self.servers[index] = server
        self.engines.insert(self.engines.index(old) + 1, server)
        return server

    def restart_redis(self) -> Engine:
        """Starts again, on its port, the Redis that was stopped."""
        assert self.redis is not None
        old = self.redis
        old.stop()
        self.redis = start_redis(self.workdir, log=self.log, port=old.port)
        self.engines.insert(self.engines.index(old) + 1, self.redis)
        return self.redis


@contextlib.contextmanager
def running(
    env: dict[str, str], *, log: IO[str] | None = None, redis: bool = True, servers: int = 2
) -> Iterator[Stack]:
    """Redis (unless ``redis`` is false), ``servers`` gunicorn servers with ``env``, HAProxy, Varnish.
    Their output goes to ``log``, or to ``engines.log`` in the stack's temporary folder."""
    workdir = Path(tempfile.mkdtemp(prefix="nocrm-stack-"))
    engines: list[Engine] = []
    own_log = log is None
    log = log or (workdir / "engines.log").open("w")
    try:
        cache = start_redis(workdir, log=log) if redis else None
        if cache is not None:
            engines.append(cache)
        front_port = free_port()
        server_env = {
            **STACK_ENV,
            **env,
            "CDN_PURGE_URLS": f"http://127.0.0.1:{front_port}",
            **({"CACHE_URL": f"redis://127.0.0.1:{cache.port}/0"} if cache else {}),
        }
        if cache is None:
            server_env.pop("CACHE_URL", None)
        web = [start_gunicorn(server_env, log=log, name=f"web{i}") for i in range(1, servers + 1)]
        engines += web
        for server in web:
            wait_listening(server, path="/healthz", timeout=60)
        health_host = server_env["ALLOWED_HOSTS"].split(",")[0]
        haproxy = start_haproxy(web, health_host=health_host, log=log, workdir=workdir)
        engines.append(haproxy)
        varnish = start_varnish(haproxy, port=front_port, log=log, workdir=workdir)
        engines.append(varnish)
        yield Stack(workdir, varnish, haproxy, web, cache, server_env, log, engines)
    finally:
        for engine in reversed(engines):  # Stack.restart_* keep this list
            engine.stop()
        if own_log:
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)
