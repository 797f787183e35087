"""Starting and stopping Varnish, HAProxy, Redis and gunicorn as child processes on 127.0.0.1.

The Debian packages (varnish 7.1, haproxy 2.6, redis-server 7.0) are installed by the Makefile's
``system-packages``; ``missing()`` names those that are not, so that a caller can say so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
PROGRAMS = {"varnishd": "varnish", "haproxy": "haproxy", "redis-server": "redis-server"}
# The folders Debian installs them in are not on every user's PATH (sbin).
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def program(name: str) -> str | None:
    return shutil.which(name, path=SEARCH_PATH)


def missing() -> list[str]:
    """The Debian packages of the stack that are not installed."""
    return [package for name, package in PROGRAMS.items() if program(name) is None]


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Engine:
    """One child process listening on a port of 127.0.0.1."""

    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM to its process group (gunicorn's graceful stop), SIGKILL after ``timeout`` seconds."""
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the process and every child of it (a server lost at once)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def spawn(name: str, port: int, command: list[str], *, env: dict[str, str], log: IO[str], cwd: Path) -> Engine:
    # A process group of its own: Ctrl-C in the terminal reaches the stack, which stops each engine
    # in order; and a kill reaches a server's workers too.
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return Engine(name, port, process)


def wait_listening(engine: Engine, *, path: str | None = None, timeout: float = 30) -> None:
    """Returns once ``engine`` accepts connections (and answers 2xx at ``path`` when given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not engine.alive():
            raise RuntimeError(f"{engine.name} exited with status {engine.process.returncode}")
        if path is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", engine.port), timeout=1):
                return
        else:
            with contextlib.suppress(OSError), urllib.request.urlopen(engine.url + path, timeout=2) as answer:
                if answer.status < 300:
                    return
        time.sleep(0.1)
    raise RuntimeError(f"{engine.name} not ready on port {engine.port} after {timeout} s")


def start_redis(workdir: Path, *, log: IO[str], port: int | None = None) -> Engine:
    """Redis without persistence, its files in ``workdir``, on ``port`` or a free one."""
    port = port or free_port()
    command = [
        program("redis-server") or "redis-server",
        "--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir),
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
    ]  # fmt: skip
    engine = spawn("redis", port, command, env=dict(os.environ), log=log, cwd=workdir)
    wait_listening(engine)
    return engine


def start_gunicorn(env: dict[str, str], *, log: IO[str], name: str, port: int | None = None) -> Engine:
    """``gunicorn -c gunicorn.conf.py nocrm_site.wsgi``, as production runs it, on ``port`` or a free one."""
    port = port or free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "nocrm_site.wsgi"]
    return spawn(name, port, command, env={**env, "HOST": "127.0.0.1", "PORT": str(port)}, log=log,
                 cwd=Path(settings.BASE_DIR))  # fmt: skip


def start_haproxy(servers: list[Engine], *, health_host: str, log: IO[str], workdir: Path) -> Engine:
    """deploy/haproxy.cfg in front of ``servers`` (two), health-checked on /healthz."""
    port = free_port()
    env = {
        **os.environ,
        "HAPROXY_BIND": f"127.0.0.1:{port}",
        "HEALTH_HOST": health_host,
        **{f"WEB{i}": f"127.0.0.1:{server.port}" for i, server in enumerate(servers, start=1)},
    }
    command = [program("haproxy") or "haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")]
    engine = spawn("haproxy", port, command, env=env, log=log, cwd=workdir)
    wait_listening(engine)
    return engine


def start_varnish(origin: Engine, *, port: int, log: IO[str], workdir: Path, memory: str = "128m") -> Engine:
    """deploy/varnish.vcl in front of ``origin``; its own backend.vcl and working folder in ``workdir``."""
    reference = (DEPLOY / "backend.vcl").read_text()
    (workdir / "backend.vcl").write_text(reference.replace('"8080"', f'"{origin.port}"'))
    command = [
        program("varnishd") or "varnishd",
        "-F", "-n", str(workdir / "varnish"),
        "-a", f"127.0.0.1:{port}", "-T", "127.0.0.1:0",
        "-f", str(DEPLOY / "varnish.vcl"), "-p", f"vcl_path={workdir}:{DEPLOY}",
        "-s", f"malloc,{memory}",
        # Root in a container: the unix jail would hand the working folder to Debian's vcache user.
        "-j", "none",
    ]  # fmt: skip
    engine = spawn("varnish", port, command, env=dict(os.environ), log=log, cwd=workdir)
    wait_listening(engine)
    return engine


def varnish_counters(varnish: Engine, workdir: Path, *names: str) -> dict[str, int]:
    """Counters of the running Varnish (varnishstat), e.g. MAIN.cache_hit."""
    command = [program("varnishstat") or "varnishstat", "-n", str(workdir / "varnish"), "-1"]
    for name in names:
        command += ["-f", name]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=10).stdout
    return {line.split()[0]: int(line.split()[1]) for line in output.splitlines() if line.strip()}


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 5) -> int:
    """The status of one request (error statuses included)."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
