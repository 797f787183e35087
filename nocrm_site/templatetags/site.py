from __future__ import annotations

import functools
import json
from pathlib import Path

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import translate_url as _translate_url
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from guards.csp import allow_inline
from nocrm_site import retention, seo
from nocrm_site.storage import MINIFIERS

register = template.Library()

# json_script's escapes (the JSON cannot close the element), for a data block of another type.
_JSON_IN_HTML = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def translate_url(context: template.Context, language: str) -> str:
    """The current page's URL in ``language`` (for the language switcher)."""
    return _translate_url(context["request"].path, language)


@register.tag
def inline_script(parser: template.base.Parser, token: template.base.Token) -> InlineScriptNode:
    """``<script>{% inline_script %}…{% endinline_script %}</script>``: the text in between is allowed
    by its hash in the page's CSP (guards/csp.py); write the ``<script>`` tags around the block."""
    nodelist = parser.parse(("endinline_script",))
    parser.delete_first_token()
    return InlineScriptNode(nodelist)


class InlineScriptNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        text = self.nodelist.render(context)
        allow_inline(context.get("request"), "script-src", text)
        return text


@register.simple_tag(takes_context=True)
def inline_styles(context: template.Context, *names: str) -> SafeString:
    """A ``<style>`` with these static stylesheets, minified as collectstatic minifies them, allowed by
    its hash in the page's CSP.

    A stylesheet link holds the first paint until its request comes back, one more round trip on a
    slow mobile network; the site's styles are a few KB, so each page carries them (Lighthouse
    mobile, issue 16). Pages are rendered once and served from memory, so this costs nothing per
    request. The files stay in static/ for the pages that still link them (error pages, e-mail pages).
    """
    text = "".join(minified_stylesheet(name) for name in names)
    if "</" in text:  # it would end the element early
        raise template.TemplateSyntaxError(f"{names}: a stylesheet to inline may not contain '</'")
    allow_inline(context.get("request"), "style-src", text)
    return mark_safe(f"<style>{text}</style>")  # our own stylesheets, checked above


def minified_stylesheet(name: str) -> str:
    """A static stylesheet as collectstatic writes it (nocrm_site/storage.py), read once per change."""
    path = finders.find(name)
    if not isinstance(path, str):
        raise template.TemplateSyntaxError(f"no static stylesheet {name!r}")
    return _read_minified(path, Path(path).stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_minified(path: str, modified: int) -> str:
    # Keyed by the file's modification time too, so that an edited stylesheet shows in development.
    return MINIFIERS[".css"](Path(path).read_text(encoding="utf-8"))


@register.simple_tag(takes_context=True)
def page_meta(context: template.Context) -> seo.Page | None:
    """The title and description of the current public page (None for any other page)."""
    match = context["request"].resolver_match
    return seo.PAGES.get(match.url_name) if match else None


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    return seo.absolute(context["request"].path)


@register.simple_tag(takes_context=True)
def alternate_urls(context: template.Context) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of the current page in each language, then x-default."""
    return seo.alternates(context["request"].path)


@register.simple_tag
def absolute_url(path: str) -> str:
    return seo.absolute(path)


@register.simple_tag
def structured_data() -> SafeString:
    """The JSON-LD blocks of the organisation and the software (data, never run by the browser)."""
    blocks = (json.dumps(block, ensure_ascii=False).translate(_JSON_IN_HTML) for block in seo.structured_data())
    return mark_safe(
        "".join(format_html('<script type="application/ld+json">{}</script>', mark_safe(b)) for b in blocks)
    )


@register.simple_tag
def lead_retention_months() -> int:
    """How long a demo or contact request is kept (LEADS_RETENTION_DAYS, which purge_leads enforces)."""
    return retention.months(settings.LEADS_RETENTION_DAYS)


@register.simple_tag
def plans() -> tuple[seo.Plan, ...]:
    return seo.PLANS


@register.simple_tag
def plan_comparison() -> tuple[tuple[object, tuple[bool, bool, bool]], ...]:
    """Rows of the pricing page's table: a feature, then whether each plan (in order) includes it."""
    return seo.PLAN_COMPARISON
