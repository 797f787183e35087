"""Policy revisions: publishing a new one makes every visitor's next page ask for consent again."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Max

from consent.models import OPTIONAL_PURPOSES, PolicyRevision, PurposeSlug
from consent.visitor.snapshot import Snapshot, build_snapshot


@transaction.atomic
def bump_policy_revision(
    *, author: User | None, note: str, reask_purposes: Collection[str] | None = None
) -> PolicyRevision:
    """Record revision n+1 with its author, note, the hash of the banner texts and the declarations.

    ``reask_purposes`` None (the default) asks every visitor again; a list of optional purposes asks
    again only the visitors who had granted one of them (their declarations changed), and lets a
    refusal stand. Saving it clears the declarations cache (consent.visitor.snapshot), so the choices
    it asks again stop counting and consent.js shows the banner.
    """
    if reask_purposes is not None and not set(reask_purposes) <= set(OPTIONAL_PURPOSES):
        raise ValueError(f"not optional purposes: {sorted(set(reask_purposes) - set(OPTIONAL_PURPOSES))}")
    # Two DPOs bumping at once get n+1 and n+2, not a unique-constraint error.
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(PolicyRevision._meta.db_table)} IN EXCLUSIVE MODE")
    # Without any row the site runs on an implicit revision 1 (consent.visitor.snapshot), so start at 2.
    number = (PolicyRevision.objects.aggregate(n=Max("number"))["n"] or 1) + 1
    snapshot = build_snapshot("bump")
    return PolicyRevision.objects.create(
        number=number,
        author=author,
        note=note,
        banner_hash=snapshot.banner_hash,
        declarations=snapshot.declarations,
        reasks_everyone=reask_purposes is None,
        reasked_purposes=sorted(reask_purposes or []),
    )


@dataclass(frozen=True)
class DeclarationChange:
    """How an optional purpose's declarations differ from what the current revision published."""

    purpose: str
    label: str
    added: list[str]  # cookie names
    removed: list[str]
    texts_changed: bool  # the same cookies, with other texts (name, description, duration, provider)


def declaration_changes(snapshot: Snapshot) -> list[DeclarationChange]:
    """The optional purposes whose declarations changed since the current revision was published:
    visitors who chose under it were never shown them."""
    changes = []
    for slug in snapshot.changed_purposes():
        now: dict[str, Any] = snapshot.declarations.get(slug) or {}  # type: ignore[assignment]
        then: dict[str, Any] = snapshot.published.get(slug) or {}  # type: ignore[assignment]
        names_now = {c[0] for texts in now.values() for c in texts["cookies"]}
        names_then = {c[0] for texts in then.values() for c in texts["cookies"]}
        changes.append(
            DeclarationChange(
                purpose=slug,
                label=str(PurposeSlug(slug).label),
                added=sorted(names_now - names_then),
                removed=sorted(names_then - names_now),
                texts_changed=names_now == names_then,
            )
        )
    return changes
