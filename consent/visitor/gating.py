"""Making gated markup inert: scripts become ``type="text/plain"``, iframes become placeholders.

consent.js brings them to life, once, when their purpose is granted (see ``activate`` there).
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_IFRAME = re.compile(r"<iframe\b[^>]*>.*?</iframe\s*>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"""\s(type|src)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def make_inert(html: str, *, purpose: str, purpose_name: str, provider: str) -> SafeString:
    def script(match: re.Match[str]) -> str:
        attrs = match.group(1)
        src = None
        for name, value in _ATTR.findall(attrs):
            if name.lower() == "src":
                src = value
        attrs = _ATTR.sub("", attrs)
        held = f" data-src={src}" if src else ""
        return f'<script type="text/plain" data-consent="{purpose}"{held}{attrs}>'

    def iframe(match: re.Match[str]) -> str:
        return render_to_string(
            "consent/_embed.html",
            {
                "purpose": purpose,
                "purpose_name": purpose_name,
                "provider": provider,
                "frame": mark_safe(match.group(0)),
            },
        )

    return mark_safe(_IFRAME.sub(iframe, _SCRIPT.sub(script, html)))
