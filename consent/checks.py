"""System checks: the two database roles (docs/decisions/0005-database-roles.md), GTM's settings, and
the consent receipts' keys.

Without ``DATABASE_OWNER_URL`` (the web servers) there is no owner alias and nothing to check: those
servers never migrate. With it, the owner must be another role on the same database.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from consent.models import OPTIONAL_PURPOSES
from consent.privileges import OWNER, app_role, revoke_create_on_schemas
from consent.role_audit import excess_privileges
from consent.visitor.receipt_keys import BadKey, keyring


@checks.register()
def check_database_roles(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    if OWNER not in settings.DATABASES:
        return []
    app, owner = settings.DATABASES[DEFAULT_DB_ALIAS], settings.DATABASES[OWNER]
    # The embedded cluster's HOST (its socket directory) is known only once a connection has opened.
    where = ("EMBEDDED_PGDATA", "NAME") if "EMBEDDED_PGDATA" in app else ("NAME", "HOST", "PORT")
    if any(app.get(key) != owner.get(key) for key in where):
        return [
            checks.Error(
                "DATABASE_OWNER_URL and DATABASE_URL name different databases: migrations would change"
                " another database than the one the site uses.",
                hint="Give both URLs the same host, port and database name; only the user differs.",
                id="consent.E001",
            )
        ]
    if app_role() is None or app_role() == owner.get("USER"):
        return [
            checks.Warning(
                "The web servers connect to PostgreSQL as the owner of the tables (DATABASE_URL and"
                " DATABASE_OWNER_URL have the same user): that role can disable or drop the consent log's"
                " append-only trigger, and migrations grant no separate role anything.",
                hint="Create a role for the web servers and put it in DATABASE_URL (docs/deployment.md).",
                id="consent.W001",
            )
        ]
    return []


@checks.register(deploy=True)
def check_app_role_privileges(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """The web servers' role has exactly its privileges: each one too many is an error of its own."""
    try:
        excess = app_role_excess()
    except DatabaseError as exc:
        # check --deploy also runs where the database is out of reach (a build step): say so, pass.
        return [
            checks.Info(
                f"The app role's privileges were not checked: the database did not answer ({exc}).".strip(),
                id="consent.I004",
            )
        ]
    return [
        checks.Error(
            sentence,
            hint='Revoke it as the owner or the database\'s administrator (docs/deployment.md, "Database roles").',
            id="consent.E004",
        )
        for sentence in excess
    ]


def app_role_excess(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What the app role may do beyond its privileges, read through ``alias``'s connection."""
    role = app_role()
    connection = connections[alias]
    with connection.cursor() as cursor:
        if role is None:
            cursor.execute("SELECT current_user")
            (role,) = cursor.fetchone()
        if alias != DEFAULT_DB_ALIAS and role == connection.settings_dict.get("USER"):
            return []  # one role for both: consent.W001 says what that leaves open
        return excess_privileges(cursor, role)


@checks.register()
def check_gtm_settings(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """GTM's mode and the purposes that load it in basic mode (README, "For the people who build …")."""
    errors: list[checks.CheckMessage] = []
    if settings.GTM_CONSENT_MODE not in ("basic", "advanced"):
        errors.append(
            checks.Error(
                f"GTM_CONSENT_MODE is {settings.GTM_CONSENT_MODE!r}.",
                hint='Use "basic" or "advanced".',
                id="consent.E002",
            )
        )
    unknown = [p for p in settings.CONSENT_GTM_REQUIRES if p not in OPTIONAL_PURPOSES]
    if settings.GTM_CONSENT_MODE == "basic" and (unknown or not settings.CONSENT_GTM_REQUIRES):
        errors.append(
            checks.Error(
                f"CONSENT_GTM_REQUIRES must name optional purposes; it holds {settings.CONSENT_GTM_REQUIRES!r}.",
                hint=f"Any of {', '.join(OPTIONAL_PURPOSES)} (GTM loads once one of them is granted).",
                id="consent.E003",
            )
        )
    return errors


def after_migrate(*, using: str, **kwargs: object) -> None:
    """``post_migrate`` receiver: every owner's migrate revokes CREATE on the schemas (a database restored
    from an old dump brings PUBLIC's back), then fails when the app role holds a privilege too many."""
    if using != OWNER:
        return
    app = app_role()
    if app is not None and app != settings.DATABASES[OWNER].get("USER"):
        revoke_create_on_schemas(connections[OWNER], app)
    excess = app_role_excess(OWNER)
    if excess:
        raise CommandError(
            "The migrations ran, but the app role has privileges it must not have:\n"
            + "\n".join(f"- {sentence}" for sentence in excess)
            + '\nRevoke them (docs/deployment.md, "Database roles"), then migrate again.'
        )


@checks.register()
def check_receipt_keys(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """The receipts' keys must be readable (docs/decisions/0013-consent-receipts.md)."""
    try:
        keyring()
    except BadKey as exc:
        return [
            checks.Error(
                f"A consent receipt key cannot be read: {exc}.",
                hint="Give 32 bytes in unpadded base64url (manage.py consent_receipt_key prints a new one).",
                id="consent.E005",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_receipt_key_set(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """In production, visitors get no receipt without a signing key: say so before deploying."""
    if settings.CONSENT_RECEIPT_KEY:
        return []
    return [
        checks.Warning(
            "CONSENT_RECEIPT_KEY is not set: visitors are offered no consent receipt.",
            hint="Set it to a key of its own (manage.py consent_receipt_key), kept as secret as SECRET_KEY.",
            id="consent.W002",
        )
    ]


@checks.register()
def check_rate_limit(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """CONSENT_RATE_LIMIT must be a count the database can hold for a client and for its /48: PostgreSQL
    counts them in an integer, and past it every decision fails with "integer out of range"."""
    from ratelimit.clients import NETWORK_FACTOR

    limit = settings.CONSENT_RATE_LIMIT
    if limit >= 1 and limit * NETWORK_FACTOR < 2**31:
        return []
    return [
        checks.Error(
            f"CONSENT_RATE_LIMIT is {limit}: it must be between 1 and {(2**31 - 1) // NETWORK_FACTOR:,}.",
            hint="An IPv6 /48 may post 8 times a client's limit, counted in a PostgreSQL integer.",
            id="consent.E006",
        )
    ]
