"""Reusable pieces for benchmarks: a throwaway PostgreSQL, gunicorn on 127.0.0.1, wrk, medians.

Everything started here is stopped by the context managers, also on errors and Ctrl-C. Only
127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import contextlib
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
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK = shutil.which("wrk") or "/usr/bin/wrk"

# The production defaults, minus HTTPS redirection (wrk speaks plain HTTP to 127.0.0.1).
T = TypeVar("T")

BASE_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "ERROR",
}


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p99_ms: float
    requests: int = 0  # answered during the run


@dataclass(frozen=True)
class Comparison:
    figure: Result  # medians
    floor: Result
    ratio: float  # the median of the pairs' ratios
    figure_requests: int  # answered by the figure's URL in all its runs, warm-up included
    figure_runs: int


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
def gunicorn(env: dict[str, str], *, workers: int | None = None, ready_path: str = "/healthz") -> Iterator[str]:
    """gunicorn (sync workers) serving the project on 127.0.0.1; yields its base URL.

    Workers default to gunicorn.conf.py's production count (2 per CPU + 1): sync workers wait for
    PostgreSQL, and that many keep the CPUs busy meanwhile.
    """
    workers = workers or (os.cpu_count() or 1) * 2 + 1
    port = free_port()
    cmd = [
        PYTHON, "-m", "gunicorn", "nocrm_site.wsgi:application",
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


CONNECTIONS = 16


def wrk(url: str, *, seconds: int = 4, connections: int = CONNECTIONS, threads: int = 1) -> Result:
    """One wrk run; redirects are not followed, so a 302 is measured as such."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks only talk to 127.0.0.1")
    out = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


def parse_wrk(output: str) -> Result:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE)
    count = re.search(r"(\d+) requests in", output)
    if not rps or not p99 or not count:
        raise ValueError(f"cannot read wrk output:\n{output}")
    if re.search(r"Non-2xx or 3xx responses", output):
        raise ValueError(f"wrk saw error responses:\n{output}")
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99[2]]
    return Result(requests_per_second=float(rps[1]), p99_ms=float(p99[1]) * factor, requests=int(count[1]))


def median_of(runs: list[Result]) -> Result:
    return Result(
        requests_per_second=statistics.median(r.requests_per_second for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
    )


def measure(url: str, *, runs: int = 3, seconds: int = 4, warmup: int = 1) -> Result:
    """The median of ``runs`` wrk runs after a short warm-up."""
    if warmup:
        wrk(url, seconds=warmup)
    return median_of([wrk(url, seconds=seconds) for _ in range(runs)])


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


def compare(figure_url: str, floor_url: str, *, pairs: int = 6, seconds: int = 3) -> Comparison:
    """A URL against its floor over ``pairs`` back-to-back runs, after a one-second warm-up of each."""
    warmup = wrk(figure_url, seconds=1)
    wrk(floor_url, seconds=1)
    figures, floors = paired_runs(
        lambda: wrk(figure_url, seconds=seconds), lambda: wrk(floor_url, seconds=seconds), pairs=pairs
    )
    return Comparison(
        figure=median_of(figures),
        floor=median_of(floors),
        ratio=paired_ratio([r.requests_per_second for r in figures], [r.requests_per_second for r in floors]),
        figure_requests=warmup.requests + sum(r.requests for r in figures),
        figure_runs=pairs + 1,
    )


def table(rows: list[tuple[str, Comparison, float]]) -> str:
    """figure, floor, ratio, target, holds: one line per measured URL."""
    lines = [
        f"{'URL':<14}{'req/s':>10}{'p99 ms':>9}{'floor req/s':>13}{'floor p99':>11}{'ratio':>8}{'target':>8}  holds",
    ]
    for name, comparison, target in rows:
        figure, floor, ratio = comparison.figure, comparison.floor, comparison.ratio
        lines.append(
            f"{name:<14}{figure.requests_per_second:>10.0f}{figure.p99_ms:>9.2f}{floor.requests_per_second:>13.0f}"
            f"{floor.p99_ms:>11.2f}{ratio:>8.2f}{target:>8.2f}  {'yes' if ratio >= target else 'no'}"
        )
    return "\n".join(lines)
