"""The decision endpoint: POST /consent/ from consent.js (JSON) or from the no-JS forms."""

from __future__ import annotations

import fnmatch
import logging
import re
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from consent.catalog.deletions import pass_on_withdrawal
from consent.models import OPTIONAL_PURPOSES, PurposeSlug
from consent.visitor import cookie
from consent.visitor.decision import BadDecision, Decision, from_form, from_json
from consent.visitor.origin import same_origin_post
from consent.visitor.receipt import history, states
from consent.visitor.receipt_keys import receipts_enabled
from consent.visitor.services import record_consent, report_undeclared_cookies
from consent.visitor.snapshot import get_snapshot
from consent.visitor.ui import current_ui, version_of
from ratelimit.clients import client_key, network_key
from ratelimit.services import register_client_hit

logger = logging.getLogger(__name__)


@same_origin_post
def update(request: HttpRequest) -> HttpResponse:
    is_json = request.content_type == "application/json"
    header_gpc = request.headers.get("Sec-GPC") == "1"
    try:
        if is_json:
            decision = from_json(request.body, header_gpc=header_gpc)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            decision = from_form(request.POST, header_gpc=header_gpc)
        else:
            raise BadDecision("Send JSON or a form.")
    except BadDecision as exc:
        return JsonResponse({"error": str(exc)}, status=400)

    try:
        snapshot = get_snapshot()
        version = version_of(decision.banner_hash)
    except DatabaseError:
        # A server that never reached the database cannot sign a choice; consent.js keeps it.
        return JsonResponse({"stored": False, "error": "database unavailable, send the choice again"}, status=503)
    if version is None:
        return JsonResponse({"error": "banner is not a banner this site showed"}, status=400)
    if decision.revision is not None and decision.revision != version.revision:
        return JsonResponse({"error": "revision is not the one of that banner"}, status=400)

    prior = cookie.read(request)
    action, choices = decision.resolve(prior)
    consent_id = prior.consent_id if prior else uuid.uuid4()
    revision, decided_at = version.revision, decision.decided_at
    stored, conflict, fresh = True, False, False
    try:
        recorded = record_consent(
            consent_id=consent_id,
            decision=decision,
            action=action,
            choices=choices,
            revision=version.revision,
            banner_hash=decision.banner_hash,
            language=version.language,
            user_agent=request.headers.get("User-Agent", ""),
            client=client_key(request),
            network=network_key(request),
        )
    except DatabaseError:
        logger.warning("consent record not stored: database unavailable", extra={"decision": str(decision.decision_id)})
        stored = False
    else:
        if recorded.limited:
            limited = JsonResponse({"error": "too many decisions from this client, try again later"}, status=429)
            limited["Retry-After"] = str(recorded.retry_after)
            return limited
        fresh = recorded.inserted
        if recorded.stored is not None:
            # The proof is the row on record: a decision_id sent again gets that row's answer and cookie,
            # and a 409 when it carried other choices (docs/decisions/0003-consent-log.md).
            conflict = not recorded.inserted and recorded.stored.choices != choices
            row = recorded.stored
            consent_id, action, choices, revision, decided_at = (
                row.consent_id,
                row.action,
                row.choices,
                row.revision,
                row.decided_at,
            )

    # The revision the visitor saw: when it is not the current one, the banner comes back on the next page.
    state = cookie.ConsentState(
        consent_id=consent_id,
        choices=choices,
        revision=revision,
        decided_at=int(decided_at.timestamp()),
    )
    response = _respond(
        request,
        decision,
        state,
        action=action,
        stored=stored,
        conflict=conflict,
        current=snapshot.choice_stands(state),
        is_json=is_json,
    )
    cookie.write(response, state)  # the choice applies even when the proof must be re-sent
    if fresh:
        # A withdrawal reaches the vendors with a deletion API (the nightly job sends it).
        try:
            pass_on_withdrawal(before=prior, choices=choices, cookies=request.COOKIES, tags=snapshot.vendor_tags)
        except DatabaseError:
            logger.warning("withdrawal not passed on: database unavailable", extra={"consent": str(consent_id)})
    _expire_withdrawn(request, response, choices, snapshot.cookie_rules)
    return response


def _respond(
    request: HttpRequest,
    decision: Decision,
    state: cookie.ConsentState,
    *,
    action: str,
    stored: bool,
    conflict: bool,
    current: bool,
    is_json: bool,
) -> HttpResponse:
    if is_json:
        body = {
            "stored": stored,
            "action": action,
            "consent_id": str(state.consent_id),
            "decision_id": str(decision.decision_id),
            "choices": state.choices,
            "revision": state.revision,
            # False: the page showed an older revision; the visitor is asked again on the next page.
            "current": current,
            "decided_at": state.decided_at,
        }
        if not stored:
            body["error"] = "The choice applies, but its record could not be stored; send it again later."
        if conflict:
            body["error"] = "This decision_id is on record with other choices: the recorded ones apply."
        return JsonResponse(body, status=409 if conflict else 200 if stored else 503)
    return HttpResponseRedirect(_safe_next(request, decision.page_path), status=303)


def _safe_next(request: HttpRequest, target: str) -> str:
    """A path on this site to go back to; anything else (another host, a scheme) becomes "/"."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def _expire_withdrawn(
    request: HttpRequest, response: HttpResponse, choices: dict[str, bool], rules: dict[str, list[tuple[str, str]]]
) -> None:
    """Expire the declared first-party cookies of refused purposes that the browser sent us.

    One Set-Cookie per name is possible, so the server targets the parent domain (".nocrm.io",
    where analytics tags write) when there is one; consent.js deletes the host-only variant too.
    """
    host = request.get_host().rsplit(":", 1)[0]
    parent = host.split(".", 1)[1] if host.count(".") >= 2 else None
    for slug, granted in choices.items():
        if granted:
            continue
        for pattern, path in rules.get(slug, []):
            for name in [n for n in request.COOKIES if fnmatch.fnmatchcase(n, pattern)]:
                if name != cookie.cookie_name():
                    response.delete_cookie(name, path=path, domain=parent)


@require_safe
def settings_page(request: HttpRequest) -> HttpResponse:
    """The settings dialog as a page of its own: the footer link's target when JavaScript is off."""
    state = cookie.read(request)
    snapshot = get_snapshot()
    current = state if state and snapshot.choice_stands(state) else None
    response = render(
        request,
        "consent/settings.html",
        {
            "consent": snapshot,
            "state": current,
            "granted": [slug for slug, on in current.choices.items() if on] if current else [],
            "decided_at": datetime.fromtimestamp(current.decided_at, UTC) if current else None,
            "gpc": request.headers.get("Sec-GPC") == "1",
            "next": _safe_next(request, request.GET.get("next", "")),
            # The form lists what the banner version of this language lists: its decision names it.
            "banner_hash": current_ui(get_language() or settings.LANGUAGE_CODE).banner_hash,
            # This browser's own decisions, newest first (the consent ID only from the signed cookie).
            "history": _history(state),
            "purpose_labels": [PurposeSlug(slug).label for slug in OPTIONAL_PURPOSES],
            "receipts": receipts_enabled(),
        },
    )
    add_never_cache_headers(response)  # it shows this visitor's own choice
    return response


def _history(state: cookie.ConsentState | None) -> list[dict[str, object]] | None:
    """The decisions of the cookie's consent ID, newest first, each with its purposes' states; None
    when the database cannot be read (the page still lets the visitor choose)."""
    if state is None:
        return []
    try:
        records = history(state.consent_id)
    except DatabaseError:
        return None
    entries = [
        {"record": r, "states": [states(r, records[i - 1] if i else None, None)[slug] for slug in OPTIONAL_PURPOSES]}
        for i, r in enumerate(records)
    ]
    return entries[::-1]


@require_safe
def state_css(request: HttpRequest) -> HttpResponse:
    """For browsers without JavaScript: shows the banner while the visitor has no valid choice."""
    state = cookie.read(request)
    valid = state is not None and get_snapshot().choice_stands(state)
    response = HttpResponse("" if valid else ".cc-banner{display:block}", content_type="text/css")
    add_never_cache_headers(response)
    return response


COOKIE_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$")
REPORTS_PER_MINUTE = 10  # per client: a browser reports once after each decision


@same_origin_post
def report_cookies(request: HttpRequest) -> HttpResponse:
    """consent.js calls this after a choice: the cookie names this request carries (never their
    values) that no declaration covers are kept for marketers to review. Rate-limited per client."""
    known = [*get_snapshot().known_cookies, cookie.cookie_name()]
    undeclared = sorted(
        name
        for name in request.COOKIES
        if COOKIE_NAME.match(name) and not any(fnmatch.fnmatchcase(name, k) for k in known)
    )[:30]
    if not undeclared:
        return JsonResponse({"undeclared": []})
    if not register_client_hit(scope="consent-report", request=request, limit=REPORTS_PER_MINUTE, window=60):
        return JsonResponse({"error": "too many reports"}, status=429)
    try:
        report_undeclared_cookies(names=undeclared)
    except DatabaseError:
        return JsonResponse({"error": "database unavailable"}, status=503)
    return JsonResponse({"undeclared": undeclared})
