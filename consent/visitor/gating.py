"""Making gated markup inert: what ``{% consent "purpose" %}`` holds until the purpose is granted.

The markup is read with the standard library's HTML parser and written back with each element that
could load or run something held:

- ``<script>`` becomes ``type="text/plain" data-consent="…"``, its ``src`` kept in ``data-src`` and a
  ``type`` other than classic JavaScript (``module``) in ``data-type``; data blocks (``application/ld+json``)
  run nothing and pass as they are.
- ``<iframe>`` becomes a placeholder (``consent/_embed.html``) that names the provider and the purpose,
  with a button that grants it; the frame waits in the placeholder's ``<template>``.
- Every other element that fetches (``HELD_TAGS``, or an element with a fetching attribute or an inline
  style with ``url(…)``) is wrapped, with all it contains, in ``<template data-consent="…">``: a browser
  loads nothing inside a template.
- ``<noscript>`` is dropped with its content. A page is the same bytes for every visitor, so the server
  never knows whether a visitor without JavaScript has granted a purpose; their tracking pixels stay off.

consent.js brings the held elements back in page order, once, when their purpose is granted (see
``runGranted`` there). Markup that cannot be held raises ``Unholdable``, which the template tag turns
into a ``TemplateSyntaxError`` in DEBUG and an empty block (logged) in production.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# Elements that fetch by their nature: wrapped in a template, with their content.
HELD_TAGS = frozenset(
    {"img", "picture", "source", "link", "video", "audio", "track", "object", "embed", "svg", "style"}
)
# Attributes that make any element fetch (an <input type=image> has src, a <table> background, <a> ping).
FETCHING_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "ping", "imagesrcset"})
# What the tag cannot hold: frames of the old kind, elements that change the whole page, nested templates.
UNSUPPORTED_TAGS = frozenset({"base", "meta", "frame", "frameset", "applet", "portal", "fencedframe", "template"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# A <script> of one of these types runs as classic JavaScript.
CLASSIC_TYPES = frozenset({"", "text/javascript", "application/javascript", "text/ecmascript", "module"})


class Unholdable(ValueError):
    """Markup that {% consent %} cannot keep from loading; the message names the element."""


class Inert(NamedTuple):
    html: SafeString
    # The texts of the inline scripts and styles it holds, which the page's CSP must allow by hash.
    scripts: list[str]
    styles: list[str]


def make_inert(html: str, *, purpose: str, purpose_name: str, provider: str) -> Inert:
    writer = _InertWriter(purpose=purpose, purpose_name=purpose_name, provider=provider)
    writer.feed(html)
    writer.close()
    return Inert(mark_safe("".join(writer.out)), writer.inline["script"], writer.inline["style"])


class _InertWriter(HTMLParser):
    def __init__(self, *, purpose: str, purpose_name: str, provider: str) -> None:
        super().__init__(convert_charrefs=False)
        self.purpose, self.purpose_name, self.provider = purpose, purpose_name, provider
        self.out: list[str] = []
        # Open elements, with what closing each must add: "held" closes its template too.
        self.open: list[tuple[str, str]] = []
        self.frame: list[str] | None = None  # the <iframe> being read, raw, until its end tag
        self.noscript_depth = 0  # inside <noscript>: everything is dropped
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self.text: list[str] | None = None  # the text of the inline script or style being read

    # --- the parser's events ---------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or "", closed=tag in VOID_TAGS)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or "", closed=True)

    def handle_endtag(self, tag: str) -> None:
        if self.noscript_depth:
            self.noscript_depth -= tag == "noscript"
            return
        if self.text is not None and tag in self.inline:
            self.inline[tag].append("".join(self.text))
            self.text = None
        if self.frame is not None:
            self.frame.append(f"</{tag}>")
            if tag == "iframe":
                self._write_placeholder("".join(self.frame))
                self.frame = None
            return
        if tag in VOID_TAGS or all(name != tag for name, _ in self.open):
            return  # a stray end tag: the browser ignores it too
        while self.open:
            name, closing = self.open.pop()
            self.out.append(f"</{name}>" + closing)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        self._write(data)

    def handle_entityref(self, name: str) -> None:
        self._write(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._write(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._write(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._write(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self._write(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self._write(f"<?{data}>")

    def close(self) -> None:
        super().close()
        if self.frame is not None:
            raise Unholdable("<iframe> is not closed")
        unclosed = [name for name, closing in self.open if closing]
        if unclosed:
            raise Unholdable(f"<{unclosed[0]}> is not closed")
        while self.open:
            name, _ = self.open.pop()
            self.out.append(f"</{name}>")

    # --- writing ---------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        if self.noscript_depth:
            return
        if self.text is not None:
            self.text.append(text)
        (self.frame if self.frame is not None else self.out).append(text)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], raw: str, *, closed: bool) -> None:
        if self.noscript_depth:
            self.noscript_depth += tag == "noscript"
            return
        if self.frame is not None:
            self.frame.append(raw)
            return
        _check(tag, attrs)
        if tag == "style" and not closed:
            self.text = []  # held in a template like any style; its text is allowed by hash
        if tag == "noscript":
            self.noscript_depth = 1
        elif tag == "iframe":
            self.frame = [raw]
        elif tag == "script":
            self.out.append(self._inert_script(attrs, raw))
            self.open.append(("script", ""))
            values = dict(attrs)
            if not values.get("src") and (values.get("type") or "").strip().lower() in CLASSIC_TYPES:
                self.text = []
        elif self._inside_template() or not _fetches(tag, attrs):
            self.out.append(raw)
            if not closed:
                self.open.append((tag, ""))
        elif closed:
            self.out.append(f"{self._template_start()}{raw}</template>")
        else:
            self.out.append(self._template_start() + raw)
            self.open.append((tag, "</template>"))

    def _inside_template(self) -> bool:
        return any(closing for _, closing in self.open)

    def _template_start(self) -> str:
        return f'<template data-consent="{escape(self.purpose)}">'

    def _inert_script(self, attrs: list[tuple[str, str | None]], raw: str) -> str:
        values = dict(attrs)
        kind = (values.get("type") or "").strip().lower()
        if kind not in CLASSIC_TYPES:
            return raw  # a data block: nothing runs
        held: list[tuple[str, str | None]] = [("type", "text/plain"), ("data-consent", self.purpose)]
        if values.get("src"):
            held.append(("data-src", values["src"]))
        if kind == "module":
            held.append(("data-type", "module"))
        # A nonce of the snippet's own means nothing here: the page's CSP allows inline scripts by hash.
        kept = [(name, value) for name, value in attrs if name not in ("type", "src", "nonce")]
        return "<script" + "".join(_attribute(name, value) for name, value in [*held, *kept]) + ">"

    def _write_placeholder(self, frame: str) -> None:
        self.out.append(
            render_to_string(
                "consent/_embed.html",
                {
                    "purpose": self.purpose,
                    "purpose_name": self.purpose_name,
                    "provider": self.provider,
                    "frame": mark_safe(frame),
                },
            )
        )


def _check(tag: str, attrs: list[tuple[str, str | None]]) -> None:
    if tag in UNSUPPORTED_TAGS:
        raise Unholdable(f"<{tag}> cannot be held by {{% consent %}}")
    for name, _ in attrs:
        if name.startswith("on"):
            raise Unholdable(
                f"<{tag} {name}=…>: inline event handlers never run under the site's CSP; put the code in a <script>"
            )


def _fetches(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    if tag in HELD_TAGS:
        return True
    for name, value in attrs:
        if name in FETCHING_ATTRIBUTES:
            return True
        if name == "style" and value and ("url(" in value.lower() or "image-set(" in value.lower()):
            return True
    return False


def _attribute(name: str, value: str | None) -> str:
    return f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"'
