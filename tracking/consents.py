"""Writes to recipients' consent to tracking: grants and withdrawals, one append-only record each.

The state of a recipient is their latest record (``TrackingConsent.objects.current``); the event
batches read it as it stood at each open or click (``tracking.events``, decision 0007). Every write
here is idempotent (a grant to a recipient who already agreed records nothing, and so does a
withdrawal after a withdrawal) and stores nothing for a recipient who no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracking.models import ConsentSource, Recipient, TrackingConsent

# What a person reads when deciding, stored with each record in the language shown (with its version).
# A change of wording gets a new version.
TEXT_VERSION = "2026-1"
CONSENT_TEXT = _(
    "J'accepte que noCRM.io mesure, pour moi personnellement, l'ouverture de ses e-mails et les clics sur "
    "leurs liens, afin d'adapter ses envois à ce qui m'intéresse. Je peux retirer cet accord à tout moment "
    "par le lien « Ne plus suivre mes ouvertures et mes clics » présent dans chaque e-mail."
)
WITHDRAWAL_TEXT = _(
    "Je ne veux plus que noCRM.io mesure mes ouvertures et mes clics. Les e-mails continuent de m'être "
    "envoyés ; seuls des totaux anonymes par envoi restent comptés."
)


def record_tracking_consent(
    *,
    recipient_id: int,
    given: bool,
    source: ConsentSource,
    text: str = "",
    text_version: str = "",
    language: str = "",
    message_id: int | None = None,
    evidence: str = "",
    recorded_by: str = "",
    over_withdrawal: bool = True,
) -> bool:
    """Record a grant (``given``) or a withdrawal; True when it changed the recipient's state.

    The recipient's row is locked first, so two clicks on the same button record one change. Without
    ``over_withdrawal``, a grant does not replace a withdrawal (an import never overrides the person).
    """
    with transaction.atomic():
        if not Recipient.objects.select_for_update().filter(pk=recipient_id).exists():
            return False  # deleted (erased): nothing to record, and the caller answers as for a success
        current = TrackingConsent.objects.current(recipient_id)
        # A first withdrawal is kept even without an earlier grant: it records a refusal.
        if current is not None and (current.given == given or (given and not over_withdrawal)):
            return False
        TrackingConsent.objects.create(
            recipient_id=recipient_id,
            given=given,
            recorded_at=timezone.now(),  # the moment of the decision, which events are compared with
            source=source,
            text=text,
            text_version=text_version,
            language=language,
            message_id=message_id,
            evidence=evidence,
            recorded_by=recorded_by,
        )
        return True


def import_tracking_consents(
    *, emails: Iterable[str], evidence: str, text: str, text_version: str, recorded_by: str
) -> int:
    """Consents gathered elsewhere (a trade show's form, a signed sheet), entered by a marketer with
    their evidence; the number of recipients whose state changed. Unknown addresses become recipients;
    a recipient who withdrew keeps their withdrawal (only they can agree again)."""
    changed = 0
    with transaction.atomic():
        for email in emails:
            recipient, _ = Recipient.objects.get_or_create(email=email.strip().lower())
            changed += record_tracking_consent(
                recipient_id=recipient.pk,
                given=True,
                source=ConsentSource.IMPORT,
                text=text,
                text_version=text_version,
                evidence=evidence,
                recorded_by=recorded_by,
                over_withdrawal=False,
            )
    return changed


def withdraw_on_unsubscribe(*, recipient_id: int, message_id: int | None) -> bool:
    """Unsubscribing from marketing e-mail also ends the tracking a recipient had agreed to."""
    current = TrackingConsent.objects.current(recipient_id)
    if current is None or not current.given:
        return False
    return record_tracking_consent(
        recipient_id=recipient_id, given=False, source=ConsentSource.UNSUBSCRIBE, message_id=message_id
    )
