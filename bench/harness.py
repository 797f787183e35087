"""What every benchmark here shares: the site as production serves it, wrk, and paired runs against floors.

Everything started here is stopped by the context managers, also on errors and Ctrl-C. Only
127.0.0.1 is ever contacted. Each figure is compared with a floor (bench/floor_urls.py) run next to it
in the same server, because on a shared machine throughput drifts more between runs than the gap
being measured.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA = ROOT / "bench" / "post_consent.lua"

SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))  # per wrk run; BENCH_SECONDS=1 for a quick, noisy run
PAIRS = 6  # runs of each figure, each next to a run of its floor
CONNECTIONS = 16

# The production defaults, minus HTTPS redirection (wrk speaks plain HTTP to 127.0.0.1).
BASE_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "ERROR",
}
# Production-like: a GTM container is configured (its script is a local stub in the browser step).
SERVER_ENV = {
    "ENV_FILE": os.devnull,
    "ROOT_URLCONF": "bench.floor_urls",
    "GTM_CONTAINER_ID": "GTM-BENCH01",
    # wrk plays many visitors: each decision names its client (bench/post_consent.lua).
    "RATELIMIT_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
}

TABLE_HEAD = [
    "| figure | measured | floor, same run | ratio | target | holds |",
    "| --- | --- | --- | --- | --- | --- |",
]

T = TypeVar("T")


# --- the site ------------------------------------------------------------------------------------


def build(env: dict[str, str]) -> None:
    """What a release runs before serving: compiled messages and collected, compressed static files."""
    manage("compilemessages", "--ignore=.venv", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)


@contextlib.contextmanager
def postgres() -> Iterator[dict[str, str]]:
    """A PostgreSQL 18 cluster in a temporary directory, migrated by the owner role; yields the
    environment of a web server (the app role's DATABASE_URL; EMBEDDED_PGDATA for stopping it)."""
    from nocrm_site.embedded_pg import ensure_running

    workdir = Path(tempfile.mkdtemp(prefix="nocrm-bench-pg-"))
    pgdata = workdir / "data"
    try:
        socket_dir = ensure_running(pgdata, database="nocrm", owner="nocrm_owner", app="nocrm_app", cleanup="delete")
        env = {
            **BASE_ENV,
            "DATABASE_URL": f"postgres://nocrm_app@/nocrm?host={socket_dir}",
            "EMBEDDED_PGDATA": str(pgdata),  # ignored by the settings while DATABASE_URL is set
        }
        owner = {**env, "DATABASE_OWNER_URL": f"postgres://nocrm_owner@/nocrm?host={socket_dir}"}
        manage("migrate", "--database", "owner", "--noinput", "-v0", env=owner)
        yield env
    finally:
        with contextlib.suppress(Exception):
            from nocrm_site.embedded_pg import stop

            stop(pgdata)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def demo_site() -> Iterator[dict[str, str]]:
    """The release built, a throwaway database with the demo declarations, and Django set up in this
    process against it (to check what the server stored); yields the server's environment."""
    build({**BASE_ENV, "ENV_FILE": os.devnull})
    with postgres() as env:
        env = {**env, **SERVER_ENV}
        manage("load_demo", env=env)
        setup_django(env)
        try:
            yield env
        finally:
            from django.db import connections

            connections.close_all()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "nocrm_site.settings"
    import django

    django.setup()


def manage(*args: str, env: dict[str, str]) -> str:
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True
    )
    return completed.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int | None = None,
    ready_path: str = "/healthz",
    app: str = "nocrm_site.wsgi:application",
) -> Iterator[str]:
    """gunicorn (sync workers) serving the project on 127.0.0.1; yields its base URL.

    Workers default to gunicorn.conf.py's production count (2 per CPU + 1): sync workers wait for
    PostgreSQL, and that many keep the CPUs busy meanwhile.
    """
    workers = workers or (os.cpu_count() or 1) * 2 + 1
    port = free_port()
    cmd = [
        PYTHON, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning",
        # gunicorn.conf.py (read from the working directory) recycles workers every ~10,000
        # requests: a restart in the middle of one run would weigh on that run alone.
        "--max-requests", "0",
    ]  # fmt: skip
    process = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base + ready_path, process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read() if process.stderr else ''}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready after {timeout}s at {url}")


def gunicorn_pids(port: int) -> tuple[int, list[int]]:
    """The gunicorn master this process started on ``port``, and its workers."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    for pid, parent in parents.items():
        with contextlib.suppress(OSError):
            cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes()
            if parent == os.getpid() and f"127.0.0.1:{port}".encode() in cmdline:
                return pid, sorted(p for p, q in parents.items() if q == pid)
    raise RuntimeError(f"no gunicorn of ours on port {port}")


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, Message, bytes]:
    """(status, headers, body) of one request; error statuses are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class _ConsentConfig(HTMLParser):
    """Reads the text of ``<script id="cc-config">`` from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "script" and ("id", "cc-config") in attrs

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


def page_banner(base: str) -> str:
    """The hash of the banner version that the home page of ``base`` shows: decisions name it."""
    parser = _ConsentConfig()
    parser.feed(fetch(base + "/")[2].decode())
    return json.loads(parser.text)["banner"]


# --- wrk -----------------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk run: throughput, latency and what came back."""

    rps: float
    p99_ms: float
    statuses: dict[int, int] = field(default_factory=dict)  # only with the Lua script
    socket_errors: int = 0
    bad_answers: int = 0  # wrk's "Non-2xx or 3xx responses"
    requests: int = 0  # answered during the run


@dataclass
class Compared:
    """A figure against its floor: medians of the runs, and the median of the pairs' ratios."""

    figure: Load
    floor: Load
    ratio: float
    figure_requests: int  # answered by the figure in all its runs


def wrk(url: str, *, seconds: int = SECONDS, headers: tuple[str, ...] = (), lua: list[str] | None = None) -> Load:
    """One wrk run; redirects are not followed, so a 302 is measured as such."""
    return parse(run_wrk(wrk_command(url, seconds=seconds, headers=headers, lua=lua), seconds))


def wrk_command(url: str, *, seconds: int, headers: tuple[str, ...] = (), lua: list[str] | None = None) -> list[str]:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks only talk to 127.0.0.1")
    cmd = [WRK, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    if lua is None:
        return [*cmd, url]
    return [*cmd, "-s", str(LUA.relative_to(ROOT)), url, "--", *lua]


def run_wrk(cmd: list[str], seconds: int) -> str:
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, timeout=seconds + 30).stdout


def parse(output: str) -> Load:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE)
    if not rps or not p99:
        raise ValueError(f"cannot read wrk output:\n{output}")
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    count = re.search(r"(\d+) requests in", output)
    return Load(
        rps=float(rps[1]),
        p99_ms=float(p99[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99[2]],
        statuses={int(s): int(n) for s, n in re.findall(r"^status (\d+): (\d+)$", output, re.MULTILINE)},
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
        bad_answers=int(bad[1]) if bad else 0,
        requests=int(count[1]) if count else 0,
    )


# --- paired runs ---------------------------------------------------------------------------------


def alternate(figure: Callable[[], Load], floor: Callable[[], Load]) -> Compared:
    """A figure's runs, each next to a run of its floor."""
    figures, floors = paired_runs(figure, floor, pairs=PAIRS)
    return Compared(
        figure=median(figures),
        floor=median(floors),
        ratio=paired_ratio([x.rps for x in figures], [x.rps for x in floors]),
        figure_requests=sum(x.requests for x in figures),
    )


def median(loads: list[Load]) -> Load:
    return Load(
        rps=statistics.median(x.rps for x in loads),
        p99_ms=statistics.median(x.p99_ms for x in loads),
        socket_errors=sum(x.socket_errors for x in loads),
        bad_answers=sum(x.bad_answers for x in loads),
    )


def paired_runs(figure: Callable[[], T], floor: Callable[[], T], *, pairs: int) -> tuple[list[T], list[T]]:
    """``pairs`` runs of a figure, each next to a run of its floor, the order swapped every time."""
    figures, floors = [], []
    for i in range(pairs):
        if i % 2:
            floors.append(floor())
            figures.append(figure())
        else:
            figures.append(figure())
            floors.append(floor())
    return figures, floors


def paired_ratio(figures: list[float], floors: list[float]) -> float:
    """The median of each pair's ratio. On a shared machine throughput drifts between runs far more
    than within a pair of back-to-back runs (seen here: a floor at 1,500 then 2,100 req/s), so the
    ratio of two medians taken apart would carry that drift."""
    return statistics.median(a / b for a, b in zip(figures, floors, strict=True))


# --- figures against targets ---------------------------------------------------------------------


def holds(ok: bool) -> str:
    return "yes" if ok else "**no**"


def rate_row(name: str, compared: Compared, target: float, floor_name: str) -> str:
    figure, floor, ratio = compared.figure, compared.floor, compared.ratio
    return (
        f"| {name} | {figure.rps:,.0f} req/s, p99 {figure.p99_ms:.1f} ms | {floor_name}: {floor.rps:,.0f} req/s,"
        f" p99 {floor.p99_ms:.1f} ms | {ratio:.2f} | ≥ {target} | {holds(ratio >= target and not figure.bad_answers)} |"
    )


def print_figures(rows: list[str], *, started: float, load_before: float) -> None:
    """A benchmark run alone: its rows of bench/RESULTS.md's table, then how long and how loaded."""
    print("\n".join([*TABLE_HEAD, *rows]))
    print(
        f"total time {time.monotonic() - started:.0f}s; load average before/after: "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
