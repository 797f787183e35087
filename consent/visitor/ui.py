"""The consent UI as every visitor gets it, and the record of each version that was shown.

The banner and the settings dialog are the same on every page of one language (but for the no-JS
forms' return path, put in per request), so each language's rendering is made once per declarations
snapshot. Before a process serves a rendering, it stores it as a ``BannerVersion`` keyed by its hash
(``INSERT … ON CONFLICT DO NOTHING``: every server renders the same bytes, so they agree on the hash).
A decision names the hash its page showed; ``version_of`` checks that hash against the versions this
process rendered, then the database. See docs/decisions/0003-consent-log.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from consent.models import OPTIONAL_PURPOSES, BannerVersion
from consent.visitor.cookie import cookie_name
from consent.visitor.snapshot import Snapshot, get_snapshot

logger = logging.getLogger(__name__)

# Stand for the page's path and the version's own hash in the rendering (the no-JS forms send both).
NEXT_PATH = "__consent_next_path__"
BANNER_HASH = "__consent_banner_hash__"


@dataclass(frozen=True)
class RenderedUI:
    banner_hash: str
    revision: int
    html: str  # banner and dialog, with NEXT_PATH to replace; the hash put in
    config: dict[str, object]  # what consent.js reads (#cc-config)


@dataclass(frozen=True)
class Version:
    revision: int
    language: str


class _Rendered:
    version: str | None = None  # the snapshot version the renderings belong to
    by_language: dict[str, RenderedUI] = {}
    known: dict[str, Version] = {}  # hashes this process rendered or found stored


_rendered = _Rendered()
_lock = threading.Lock()


def clear() -> None:
    """Forget this process's renderings and the versions it knew (tests start from none)."""
    with _lock:
        _rendered.version, _rendered.by_language, _rendered.known = None, {}, {}


def current_ui(language: str) -> RenderedUI:
    """The consent UI of ``language`` for the current declarations, stored before it is returned."""
    snapshot = get_snapshot()
    if _rendered.version == snapshot.version and language in _rendered.by_language:
        return _rendered.by_language[language]
    with _lock:
        if _rendered.version != snapshot.version:
            _rendered.version, _rendered.by_language = snapshot.version, {}
        ui = _render(snapshot, language)
        try:
            _store(snapshot, language, ui)
        except DatabaseError:
            # The page is served all the same; it is stored on the next page view of this process.
            logger.warning("banner version not stored: database unavailable", extra={"banner": ui.banner_hash})
            return ui
        _rendered.by_language = {**_rendered.by_language, language: ui}
        _rendered.known = {**_rendered.known, ui.banner_hash: Version(ui.revision, language)}
        return ui


def version_of(banner_hash: str) -> Version | None:
    """The revision and language of a stored banner version, or None when none has that hash.

    Raises ``DatabaseError`` when the hash is new to this process and the database is unreachable.
    """
    known = _rendered.known.get(banner_hash)
    if known is not None:
        return known
    row = BannerVersion.objects.filter(hash=banner_hash).values_list("revision", "language").first()
    if row is None:
        return None
    version = Version(*row)
    with _lock:
        if len(_rendered.known) > 10_000:  # hashes come from visitors: keep the memory bounded
            _rendered.known = {}
        _rendered.known = {**_rendered.known, banner_hash: version}
    return version


def _render(snapshot: Snapshot, language: str) -> RenderedUI:
    with translation.override(language):
        html = render_to_string(
            "consent/_ui.html",
            {"consent": snapshot, "granted": (), "next": NEXT_PATH, "banner_hash": BANNER_HASH},
        )
        shown = declarations(snapshot)
        digest = hashlib.sha256(html.encode())
        digest.update(json.dumps(shown, ensure_ascii=False, sort_keys=True).encode())
        banner_hash = digest.hexdigest()
        return RenderedUI(
            banner_hash=banner_hash,
            revision=snapshot.revision,
            html=html.replace(BANNER_HASH, banner_hash),
            config=_config(snapshot, language, banner_hash),
        )


def declarations(snapshot: Snapshot) -> list[dict[str, object]]:
    """What the UI lists, in the active language: each purpose and its declared cookies."""
    return [
        {
            "slug": p.slug,
            "name": p.name,
            "description": p.description,
            "required": p.required,
            "cookies": [
                {
                    "name": c.name,
                    "provider": c.provider.name,
                    "party": c.party,
                    "path": c.path,
                    "duration": c.duration,
                    "description": c.description,
                }
                for c in p.cookies.all()
            ],
        }
        for p in snapshot.purposes
    ]


def _store(snapshot: Snapshot, language: str, ui: RenderedUI) -> None:
    with translation.override(language):
        shown = declarations(snapshot)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BannerVersion._meta.db_table} (hash, revision, language, html, declarations) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (hash) DO NOTHING",
            [ui.banner_hash, ui.revision, language, ui.html, json.dumps(shown, ensure_ascii=False)],
        )


def _config(snapshot: Snapshot, language: str, banner_hash: str) -> dict[str, object]:
    """What consent.js reads from the page (rendered with ``json_script`` as ``#cc-config``)."""
    return {
        "name": cookie_name(),
        "rev": snapshot.revision,
        # A choice of an older revision stands unless a later one asked again everyone (reaskAll)
        # or the visitors who granted one of its purposes (reask): Snapshot.choice_stands.
        "reaskAll": snapshot.reask_all,
        "reask": snapshot.reask,
        "banner": banner_hash,
        "maxAge": settings.CONSENT_MAX_AGE,
        "url": reverse("consent:update"),
        "report": reverse("consent:report"),
        "lang": language,
        # The optional purposes, in the order of the cookie's digits.
        "purposes": list(OPTIONAL_PURPOSES),
        # Declared names, as anchored regular expressions ("_ga_*" -> "^_ga_.*$"), with their paths.
        "rules": {
            slug: [
                [f"^{re.escape(name).replace(chr(92) + '*', '.*')}$", path]
                for name, path in snapshot.cookie_rules.get(slug, [])
            ]
            for slug in OPTIONAL_PURPOSES
        },
        "gtm": settings.CONSENT_GTM_MAPPING,
    }
