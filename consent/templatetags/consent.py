"""Template tags of the consent manager: ``{% load consent %}``.

They only ask (the declarations snapshot, the visitor's cookie); decisions are made by consent.js
in the browser, so that a page's HTML is the same for every visitor.
"""

from __future__ import annotations

import logging
import secrets

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.template.base import Parser, Token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import escape, format_html, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from consent.catalog import Signal
from consent.models import OPTIONAL_PURPOSES, PurposeSlug
from consent.visitor import cookie, gating
from consent.visitor.snapshot import get_snapshot
from consent.visitor.ui import NEXT_PATH, current_ui
from guards.csp import allow_inline, allow_sources

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def consent_ui(context: template.Context) -> SafeString:
    """The banner, the settings dialog and the configuration that consent.js reads.

    Rendered once per language and declarations version (consent.visitor.ui), stored as the banner
    version the visitor is shown; only the no-JS forms' return path is put in per request.
    """
    ui = current_ui(get_language() or settings.LANGUAGE_CODE)
    request = context.get("request")
    html = ui.html.replace(NEXT_PATH, escape(request.path if request else "/"))
    return mark_safe(html + json_script(ui.config, "cc-config"))


@register.simple_tag(takes_context=True)
def consent_gtm(context: template.Context) -> SafeString:
    """Consent Mode v2 defaults, a returning visitor's update, then Google Tag Manager."""
    snapshot = get_snapshot()
    return render_to_string(
        "consent/_gtm.html",
        {
            "container": settings.GTM_CONTAINER_ID,
            # Basic mode: the loader is held like any gated script, until one of these is granted.
            "requires": "" if settings.GTM_CONSENT_MODE == "advanced" else " ".join(settings.CONSENT_GTM_REQUIRES),
            # Read by the inline script from #cc-gtm (json_script), so that the script itself is fixed.
            "gtm": {
                "cookie": cookie.cookie_name(),
                "revision": snapshot.revision,
                "reaskAll": snapshot.reask_all,
                "reask": snapshot.reask,
                "maxAge": settings.CONSENT_MAX_AGE,
                "purposes": list(OPTIONAL_PURPOSES),
                "mapping": settings.CONSENT_GTM_MAPPING,
                "container": settings.GTM_CONTAINER_ID,
            },
        },
        request=context.get("request"),
    )


@register.tag("consent")
def do_consent(parser: Parser, token: Token) -> ConsentNode:
    """``{% consent "advertising" [provider="LinkedIn"] %}…{% endconsent %}``: inert until granted."""
    bits = token.split_contents()
    if len(bits) not in (2, 3) or (len(bits) == 3 and not bits[2].startswith("provider=")):
        raise template.TemplateSyntaxError('Usage: {% consent "purpose" [provider="Name"] %}…{% endconsent %}')
    purpose = parser.compile_filter(bits[1])
    provider = parser.compile_filter(bits[2].removeprefix("provider=")) if len(bits) == 3 else None
    nodelist = parser.parse(("endconsent",))
    parser.delete_first_token()
    return ConsentNode(purpose, provider, nodelist)


# The context key under which an enclosing {% consent %} collects the blocks nested in it: a name
# that templates cannot read (variables never start with "_").
NESTED = "_consent_nested"


class ConsentNode(template.Node):
    def __init__(self, purpose, provider, nodelist: template.NodeList) -> None:
        self.purpose, self.provider, self.nodelist = purpose, provider, nodelist

    def render(self, context: template.Context) -> str:
        purpose = self.purpose.resolve(context)
        if purpose not in PurposeSlug.values:
            if settings.DEBUG:
                raise template.TemplateSyntaxError(f"Unknown consent purpose {purpose!r}")
            logger.error("unknown consent purpose in a template", extra={"purpose": str(purpose)})
            return ""
        if purpose == PurposeSlug.NECESSARY:
            return self.nodelist.render(context)
        enclosing = context.get(NESTED)
        nested: dict[str, str] = {}
        with context.push({NESTED: nested}):
            html = self.nodelist.render(context)
        provider = self.provider.resolve(context) if self.provider else ""
        inert = _hold(context.get("request"), html, purpose=purpose, provider=provider, nested=nested)
        if enclosing is None or not inert:
            return inert
        # Nested: the enclosing block reads a comment in its place and puts this inert markup there, so
        # that what this block holds stays held under its own purpose inside the other's.
        key = f"consent-block:{secrets.token_hex(16)}"
        enclosing[key] = inert
        return mark_safe(f"<!--{key}-->")


def _hold(request: HttpRequest | None, html: str, *, purpose: str, provider: str, nested: dict[str, str]) -> str:
    """``html`` held for ``purpose``, its inline scripts and styles allowed by the page's CSP; empty
    (logged) when it cannot be held, an error in DEBUG."""
    name = _purpose_name(purpose)
    try:
        inert = gating.make_inert(html, purpose=purpose, purpose_name=name, provider=provider, nested=nested)
    except gating.Unholdable as exc:
        # Never served live: better a missing widget than a tracker that fires before consent.
        if settings.DEBUG:
            raise template.TemplateSyntaxError(f"{{% consent {purpose!r} %}}: {exc}") from exc
        logger.error("gated markup that cannot be held left out", extra={"purpose": purpose, "reason": str(exc)})
        return ""
    for text in inert.scripts:
        allow_inline(request, "script-src", text)
    for text in inert.styles:
        allow_inline(request, "style-src", text)
    return inert.html


# Signals that vendor-signals.js sends; Google's Consent Mode is consent.js's own.
SCRIPT_SIGNALS = {s.value for s in Signal} - {Signal.NONE, Signal.GOOGLE_CONSENT_MODE}


@register.simple_tag
def consent_vendor_signals() -> SafeString:
    """On pages with a catalog tag whose vendor has a consent signal: the signals and vendor-signals.js,
    to go before consent.js (both deferred, they run in that order)."""
    signals = sorted({(tag.signal, tag.purpose) for tag in get_snapshot().vendor_tags if tag.signal in SCRIPT_SIGNALS})
    if not signals:
        return mark_safe("")
    script = format_html('<script src="{}" defer></script>', static("js/vendor-signals.js"))
    return mark_safe(json_script([list(pair) for pair in signals], "cc-signals") + script)


@register.simple_tag(takes_context=True)
def consent_vendor_tags(context: template.Context, placement: str) -> SafeString:
    """The tags added from the vendor catalog for ``placement`` ("head" or "body"), each held for its
    purpose like a ``{% consent %}`` block, and its vendor's hosts allowed by the page's CSP."""
    request = context.get("request")
    held = []
    for tag in get_snapshot().vendor_tags:
        if tag.placement != placement:
            continue
        allow_sources(request, tag.hosts)
        if tag.purpose == PurposeSlug.NECESSARY:
            held.append(tag.html)
        else:
            held.append(_hold(request, tag.html, purpose=tag.purpose, provider=tag.provider, nested={}))
    return mark_safe("\n".join(held))


def _purpose_name(slug: str) -> str:
    for purpose in get_snapshot().purposes:
        if purpose.slug == slug:
            return purpose.name
    return str(PurposeSlug(slug).label)


@register.filter
def consent_granted(request: HttpRequest, purpose: str) -> bool:
    """Server-side check; the page then varies by visitor, so use it only where that is acceptable."""
    state = cookie.read(request)
    return state is not None and get_snapshot().choice_stands(state) and state.granted(purpose)
