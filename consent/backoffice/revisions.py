"""Policy revisions: publishing a new one makes every visitor's next page ask for consent again."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Max

from consent.models import PolicyRevision
from consent.visitor.snapshot import build_snapshot


@transaction.atomic
def bump_policy_revision(*, author: AbstractBaseUser | None, note: str) -> PolicyRevision:
    """Record revision n+1 with its author, note and the hash of the banner texts as they are now.

    Saving it clears the declarations cache (consent.visitor.snapshot), so cookies of the old revision
    stop counting and consent.js shows the banner again.
    """
    # Two DPOs bumping at once get n+1 and n+2, not a unique-constraint error.
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(PolicyRevision._meta.db_table)} IN EXCLUSIVE MODE")
    # Without any row the site runs on an implicit revision 1 (consent.visitor.snapshot), so start at 2.
    number = (PolicyRevision.objects.aggregate(n=Max("number"))["n"] or 1) + 1
    return PolicyRevision.objects.create(
        number=number, author=author, note=note, banner_hash=build_snapshot("bump").banner_hash
    )
