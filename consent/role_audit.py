"""What the app role may do beyond its privileges (docs/decisions/0005-database-roles.md, issue 27).

The guards of the consent log hold only while the web servers' role has exactly the privileges that
``consent.privileges.grant`` gives it. A privilege granted by hand later (CREATE on a schema, a
membership of the owner role, TRUNCATE "to make a script work"), or left over from a dump restored on a
managed database, reopens what the guards close. ``excess_privileges`` reads the catalog and returns
one sentence per privilege too many; the system check consent.E004 (``manage.py check --deploy``) and
``migrate --database owner`` report them. It reads only the catalog, so either role may run it.
"""

from __future__ import annotations

from typing import Any

from consent.privileges import LOG, LOG_INSERT_COLUMNS, RESTRICTED_TABLES

ORDINARY = ("SELECT", "INSERT", "UPDATE", "DELETE")
NEVER = ("TRUNCATE", "REFERENCES", "TRIGGER")
ATTRIBUTES = {
    "rolsuper": "is a superuser",
    "rolcreaterole": "may create roles (CREATEROLE)",
    "rolcreatedb": "may create databases (CREATEDB)",
    "rolbypassrls": "bypasses row-level security (BYPASSRLS)",
    "rolreplication": "may start replication (REPLICATION)",
}


def excess_privileges(cursor: Any, role: str) -> list[str]:
    """One sentence for each thing ``role`` may do that the app role must not; empty when none."""
    found: list[str] = []
    cursor.execute(f"SELECT {', '.join(ATTRIBUTES)} FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    if row is None:
        return [f"The app role {role} does not exist."]
    found += [f"The app role {role} {text}." for text, held in zip(ATTRIBUTES.values(), row, strict=True) if held]

    # The owner is whoever owns the log (the owner role of DATABASE_OWNER_URL, unknown to web servers).
    cursor.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass(%s)", [LOG])
    owner = (cursor.fetchone() or [None])[0]
    if owner is not None and owner != role:
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
        if cursor.fetchone()[0]:
            found.append(f"The app role {role} is a member of the owner role {owner}, and may act as it.")

    cursor.execute(
        """SELECT nspname FROM pg_namespace
           WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' AND has_schema_privilege(%s, oid, 'CREATE')
           ORDER BY nspname""",
        [role],
    )
    found += [
        f"The app role {role} may CREATE objects in schema {name}, where they could stand in for the owner's."
        for (name,) in cursor.fetchall()
    ]

    cursor.execute(
        """SELECT kind, name FROM (
               SELECT 'relation' AS kind, relname::text AS name FROM pg_class WHERE relowner = %(role)s::regrole
               UNION ALL SELECT 'function', oid::regprocedure::text FROM pg_proc WHERE proowner = %(role)s::regrole
               UNION ALL SELECT 'schema', nspname::text FROM pg_namespace WHERE nspowner = %(role)s::regrole
           ) AS owned ORDER BY kind, name""",
        {"role": role},
    )
    found += [f"The app role {role} owns the {kind} {name}." for kind, name in cursor.fetchall()]
    found += _table_privileges(cursor, role)
    return found


def _table_privileges(cursor: Any, role: str) -> list[str]:
    privileges = (*ORDINARY, *NEVER)
    held = ", ".join(f"has_table_privilege(%(role)s, c.oid, '{p}')" for p in privileges)
    any_column = ", ".join(f"has_any_column_privilege(%(role)s, c.oid, '{p}')" for p in ("INSERT", "UPDATE"))
    cursor.execute(
        f"""SELECT c.relname, {held}, {any_column} FROM pg_class AS c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            ORDER BY c.relname""",
        {"role": role},
    )
    found = []
    for name, *flags in cursor.fetchall():
        table = dict(zip(privileges, flags[: len(privileges)], strict=True))
        column_insert, column_update = flags[len(privileges) :]
        allowed = RESTRICTED_TABLES.get(name, ORDINARY)
        excess = [p for p, on in table.items() if on and p not in allowed]
        if "UPDATE" not in allowed and column_update and "UPDATE" not in excess:
            excess.append("UPDATE (of some columns)")
        if name == LOG:
            excess = [p for p in excess if p != "INSERT"]  # reported by column below
            excess += _log_columns(cursor, role)
        elif "INSERT" not in allowed and column_insert and "INSERT" not in excess:
            excess.append("INSERT (of some columns)")
        found += [f"The app role {role} has {p} on table {name}." for p in excess]
    return found


def _log_columns(cursor: Any, role: str) -> list[str]:
    cursor.execute(
        """SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped
           AND has_column_privilege(%s, attrelid, attnum, 'INSERT') ORDER BY attnum""",
        [LOG, role],
    )
    return [f"INSERT of column {name}" for (name,) in cursor.fetchall() if name not in LOG_INSERT_COLUMNS]
