from django import template
from django.urls import translate_url as _translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def translate_url(context: template.Context, language: str) -> str:
    """The current page's URL in ``language`` (for the language switcher and hreflang links)."""
    return _translate_url(context["request"].path, language)
