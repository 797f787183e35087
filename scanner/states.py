"""The consent states a scan visits the site in, and the consent cookie each one carries.

No choice yet, "Tout refuser", each optional purpose alone, "Tout accepter", and a visitor with Global
Privacy Control who accepted everything (advertising stays refused, as POST /consent/ records it).
The scanner writes the signed consent cookie itself rather than clicking the banner, so that a scan
leaves no decision in the append-only consent log (decision 0009).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext, pgettext

from consent.models import OPTIONAL_PURPOSES, PurposeSlug
from consent.visitor import cookie
from consent.visitor.cookie import ConsentState


@dataclass(frozen=True)
class VisitState:
    slug: str
    granted: frozenset[str]  # optional purposes granted; none at all before any choice
    decided: bool  # False: no consent cookie (the banner shows)
    gpc: bool = False

    def grants(self, purpose: str) -> bool:
        return purpose == PurposeSlug.NECESSARY or purpose in self.granted

    def cookie_value(self, revision: int) -> str:
        """The signed consent cookie of this state under ``revision``, as the server would set it."""
        state = ConsentState(
            consent_id=uuid.uuid4(),
            choices={slug: slug in self.granted for slug in OPTIONAL_PURPOSES},
            revision=revision,
            decided_at=cookie.now(),
        )
        return cookie.dumps(state)

    def label(self) -> str:
        if not self.decided:
            return gettext("Aucun choix")
        if self.gpc:
            return gettext("GPC, puis « Tout accepter »")
        if not self.granted:
            return gettext("Tout refuser")
        if len(self.granted) == len(OPTIONAL_PURPOSES):
            return gettext("Tout accepter")
        names = ", ".join(str(PurposeSlug(p).label) for p in OPTIONAL_PURPOSES if p in self.granted)
        return pgettext("consent state", "%(purposes)s seulement") % {"purposes": names}


def all_states() -> list[VisitState]:
    """Every state a scan visits, in the order they are shown."""
    everything = frozenset(OPTIONAL_PURPOSES)
    return [
        VisitState("none", frozenset(), decided=False),
        VisitState("reject_all", frozenset(), decided=True),
        *(VisitState(slug, frozenset({slug}), decided=True) for slug in OPTIONAL_PURPOSES),
        VisitState("accept_all", everything, decided=True),
        VisitState("gpc", everything - {PurposeSlug.ADVERTISING}, decided=True, gpc=True),
    ]


def state_named(slug: str) -> VisitState | None:
    return next((s for s in all_states() if s.slug == slug), None)
