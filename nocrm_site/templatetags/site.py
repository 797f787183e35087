from __future__ import annotations

import json

from django import template
from django.conf import settings
from django.urls import translate_url as _translate_url
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from guards.csp import allow_inline
from nocrm_site import seo

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
    return round(settings.LEADS_RETENTION_DAYS * 12 / 365)


@register.simple_tag
def plans() -> tuple[seo.Plan, ...]:
    return seo.PLANS


@register.simple_tag
def plan_comparison() -> tuple[tuple[object, tuple[bool, bool, bool]], ...]:
    """Rows of the pricing page's table: a feature, then whether each plan (in order) includes it."""
    return seo.PLAN_COMPARISON
