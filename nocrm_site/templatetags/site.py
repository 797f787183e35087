from __future__ import annotations

from django import template
from django.urls import translate_url as _translate_url

from guards.csp import allow_inline

register = template.Library()


@register.simple_tag(takes_context=True)
def translate_url(context: template.Context, language: str) -> str:
    """The current page's URL in ``language`` (for the language switcher and hreflang links)."""
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
