"""Turning a POST to the consent endpoint (JSON from consent.js, or a no-JS form) into a Decision.

Anything unexpected is refused with ``BadDecision`` (the view answers 400 and stores nothing):
unknown or repeated fields, unknown purposes, refusing "necessary", values that are not booleans,
a bad ID, a path that PostgreSQL cannot store (NUL, lone surrogates).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.http import QueryDict
from django.utils import timezone

from consent.models import OPTIONAL_PURPOSES, Action, ConsentRecord, Source
from consent.policy import CLOCK_SKEW, MAX_RESEND_AGE
from consent.visitor.cookie import ConsentState

BUTTONS = ("accept_all", "reject_all", "save", "close")
JSON_FIELDS = {"action", "choices", "source", "decision_id", "decided_at", "revision", "banner", "gpc", "path"}
FORM_TRUE = {"on", "1", "true"}
BANNER_HASH = re.compile(r"[0-9a-f]{64}")
PATH_MAX_LENGTH = ConsentRecord._meta.get_field("page_path").max_length


class BadDecision(ValueError):
    pass


@dataclass(frozen=True)
class Decision:
    button: str
    requested: dict[str, bool]
    source: str
    decision_id: uuid.UUID
    decided_at: datetime
    revision: int | None
    banner_hash: str  # the banner version the page showed (consent.visitor.ui)
    gpc: bool
    page_path: str

    def resolve(self, prior: ConsentState | None) -> tuple[str, dict[str, bool]]:
        """The recorded action and the state of every optional purpose."""
        if self.button == "accept_all":
            # Global Privacy Control: "accept all" never grants advertising; only its own switch does.
            granted: dict[str, bool] = {
                str(slug): not (self.gpc and slug == "advertising") for slug in OPTIONAL_PURPOSES
            }
            return Action.ACCEPT_ALL, granted
        if self.button in ("reject_all", "close"):
            return Action(self.button), dict.fromkeys(OPTIONAL_PURPOSES, False)
        choices = {slug: self.requested.get(slug, False) for slug in OPTIONAL_PURPOSES}
        withdrawn = prior is not None and any(prior.granted(s) and not choices[s] for s in OPTIONAL_PURPOSES)
        return (Action.WITHDRAW if withdrawn else Action.CUSTOM), choices


def from_json(body: bytes, *, header_gpc: bool) -> Decision:
    try:
        data = json.loads(body, object_pairs_hook=_without_repeats)
    except BadDecision:
        raise
    except RecursionError as exc:  # nesting deeper than the interpreter's limit fits in MAX_BODY
        raise BadDecision("The body is nested too deeply.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadDecision("The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise BadDecision("The body must be a JSON object.")
    unknown = set(data) - JSON_FIELDS
    if unknown:
        raise BadDecision(f"Unknown field: {sorted(unknown)[0]}.")
    choices = data.get("choices", {})
    if not isinstance(choices, dict):
        raise BadDecision("choices must be an object.")
    requested = _choices(dict(choices), lambda v: v if isinstance(v, bool) else None)
    source = data.get("source", Source.BANNER)
    if source not in (Source.BANNER, Source.SETTINGS):
        raise BadDecision("source must be banner or settings.")
    gpc = data.get("gpc", False)
    revision = data.get("revision")
    path = data.get("path", "")
    if not isinstance(gpc, bool):
        raise BadDecision("gpc must be a boolean.")
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool) or revision < 1):
        raise BadDecision("revision must be a positive integer.")
    if not isinstance(path, str):
        raise BadDecision("path must be a string.")
    return Decision(
        button=_button(data.get("action")),
        requested=requested,
        source=source,
        decision_id=_uuid(data.get("decision_id")),
        decided_at=_decided_at(data.get("decided_at")),
        revision=revision,
        banner_hash=_banner_hash(data.get("banner")),
        gpc=gpc or header_gpc,
        page_path=_page_path(path),
    )


def from_form(post: QueryDict, *, header_gpc: bool) -> Decision:
    allowed = {"action", "next", "revision", "banner", *OPTIONAL_PURPOSES, "necessary"}
    for key in post:
        if key not in allowed:
            raise BadDecision(f"Unknown field: {key}.")
        if len(post.getlist(key)) > 1:
            raise BadDecision(f"{key} is given more than once.")
    requested = _choices(
        {k: post[k] for k in post if k in allowed - {"action", "next", "revision", "banner"}},
        lambda v: True if v in FORM_TRUE else None,
    )
    return Decision(
        button=_button(post.get("action")),
        requested=requested,
        source=Source.NOJS,
        decision_id=uuid.uuid4(),
        decided_at=timezone.now(),
        revision=_form_revision(post.get("revision")),
        banner_hash=_banner_hash(post.get("banner")),
        gpc=header_gpc,
        page_path=_page_path(post.get("next", "")),
    )


def _without_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # Python keeps the last of repeated keys; a proof of consent must not depend on that choice.
    data = dict(pairs)
    if len(data) != len(pairs):
        raise BadDecision("A field is given more than once.")
    return data


def _page_path(value: str) -> str:
    # PostgreSQL text holds neither NUL nor lone surrogates: the INSERT would fail, and the view
    # would answer "database unavailable, send it again" to a request that can never succeed.
    path = value[:PATH_MAX_LENGTH]
    try:
        path.encode()
    except UnicodeEncodeError as exc:
        raise BadDecision("path must be a URL path.") from exc
    if "\x00" in path or (path and not path.startswith("/")):
        raise BadDecision("path must be a URL path.")
    return path


def _banner_hash(value: object) -> str:
    if not isinstance(value, str) or not BANNER_HASH.fullmatch(value):
        raise BadDecision("banner must be the hash of the banner the page showed.")
    return value


def _form_revision(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise BadDecision("revision must be a positive integer.")
    return int(value)


def _button(value: object) -> str:
    if value not in BUTTONS:
        raise BadDecision(f"action must be one of {', '.join(BUTTONS)}.")
    return str(value)


def _choices(raw: dict[str, object], parse) -> dict[str, bool]:
    choices: dict[str, bool] = {}
    for slug, value in raw.items():
        parsed = parse(value)
        if parsed is None:
            raise BadDecision(f"{slug} must be a boolean.")
        if slug == "necessary":
            if not parsed:
                raise BadDecision("Strictly necessary cookies cannot be refused.")
            continue
        if slug not in OPTIONAL_PURPOSES:
            raise BadDecision(f"Unknown purpose: {slug}.")
        choices[slug] = parsed
    return choices


def _uuid(value: object) -> uuid.UUID:
    if value is None:
        return uuid.uuid4()
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise BadDecision("decision_id must be a UUID.") from exc


def _decided_at(value: object) -> datetime:
    """The client's time of decision (ms since the epoch), kept when it is plausible."""
    now = timezone.now()
    if value is None:
        return now
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise BadDecision("decided_at must be a number of milliseconds.")
    try:
        when = datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise BadDecision("decided_at is out of range.") from exc
    # A wrong clock must not make the proof lie about the order of events: fall back to ours.
    return when if now - MAX_RESEND_AGE <= when <= now + CLOCK_SKEW else now
