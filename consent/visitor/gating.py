"""Making gated markup inert: what ``{% consent "purpose" %}`` holds until the purpose is granted.

The block is parsed as a browser parses it (consent.visitor.markup: the WHATWG algorithm, a fragment
in ``<body>``, parse errors that change the tree refused) and written back from the tree with each
element that could load or run something held (consent.visitor.fetching says which):

- ``<script>`` becomes ``type="text/plain" data-consent="…"``, its ``src`` kept in ``data-src`` and
  its own ``type`` in ``data-type``; only data blocks of the allow list (``application/ld+json``) stay live.
- ``<iframe>`` becomes a placeholder (``consent/_embed.html``) that names the provider and the purpose,
  with a button that grants it; the frame waits in the placeholder's ``<template>``.
- Every other element that fetches is wrapped, with all it contains, in
  ``<template data-consent="…">``: a browser loads nothing inside a template.
- ``<noscript>`` is dropped with its content. A page is the same bytes for every visitor, so the server
  never knows whether a visitor without JavaScript has granted a purpose; their tracking pixels stay off.

What cannot be held unambiguously raises ``Unholdable`` (the template tag turns it into a
``TemplateSyntaxError`` in DEBUG and an empty block, logged, in production). The output is then read
back by the same parser and checked by ``_check_inert``, independently of how it was written: a
mistake in the writing refuses the block rather than serving it live. consent.js brings the held
elements back in page order, once each, when their own purpose is granted (``runGranted`` there).
See docs/decisions/0012-gating-parser.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from consent.visitor.fetching import element_fetches, foreign_problem, script_stays_live
from consent.visitor.markup import (
    Comment,
    Element,
    Node,
    Text,
    Unholdable,
    end_tag,
    read_fragment,
    serialise,
    serialise_content,
    serialise_node,
    start_tag,
)

__all__ = ["Inert", "Unholdable", "make_inert"]

# What the tag cannot hold: frames of the old kind, elements that change the whole page or the rest
# of it (<plaintext> never ends), templates of the author's (only consent.js's own may hold markup).
UNSUPPORTED_ELEMENTS = frozenset(
    {"base", "meta", "frame", "frameset", "applet", "portal", "fencedframe", "template", "plaintext"}
)
# Attributes consent.js acts on: an author's would release markup under another purpose.
RESERVED_ATTRIBUTES = frozenset({"data-consent", "data-queued", "data-cc-grant"})
# A held script keeps every attribute but these: its type and src are kept as data, and a nonce of
# the snippet's own means nothing here (the page's CSP allows inline scripts by hash).
HELD_SCRIPT_DROPS = frozenset({"type", "src", "nonce"})


class Inert(NamedTuple):
    html: SafeString
    # The texts of the inline scripts and styles it holds, which the page's CSP must allow by hash.
    scripts: list[str]
    styles: list[str]


def make_inert(
    html: str, *, purpose: str, purpose_name: str, provider: str, nested: dict[str, str] | None = None
) -> Inert:
    """``html`` with everything that loads or runs held for ``purpose``; Unholdable when it cannot be.

    ``nested`` maps the comments that stand for nested ``{% consent %}`` blocks to their inert markup.
    """
    writer = _Writer(purpose=purpose, purpose_name=purpose_name, provider=provider, nested=nested or {})
    out = "".join(writer.node(node, held=False, parent=None) for node in read_fragment(html))
    if writer.nested:
        raise Unholdable("a nested {% consent %} sits where markup is text (in a <script>, <style> or <textarea>)")
    try:
        tree = read_fragment(out)
        # A fixed point: the bytes served read back to the very tree checked below.
        if serialise(tree) != out:
            raise Unholdable("it reads back as other markup")
        _check_inert(tree)
    except Unholdable as exc:
        raise Unholdable(f"what the tag wrote would not stay inert ({exc}); the block is left out") from exc
    return Inert(mark_safe(out), writer.scripts, writer.styles)


@dataclass
class _Writer:
    purpose: str
    purpose_name: str
    provider: str
    nested: dict[str, str]
    scripts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)

    def node(self, node: Node, *, held: bool, parent: Element | None) -> str:
        if isinstance(node, Comment) and node.data in self.nested:
            if parent is not None and not parent.is_html:
                raise Unholdable("a nested {% consent %} inside <svg> or <math> cannot be held")
            return self.nested.pop(node.data)
        if not isinstance(node, Element):
            return serialise_node(node, parent=parent)
        _check_element(node)
        if not node.is_html:
            problem = foreign_problem(node)
            if problem:
                raise Unholdable(f"<{node.name}> {problem}: foreign content cannot be held, serve it as an <img>")
            return serialise_node(node, parent=parent)
        if node.name == "noscript":
            return ""
        if node.name == "iframe":
            return self.placeholder(node)
        if node.name == "script":
            return self.script(node)
        if node.name == "style":
            self.styles.append(_text(node))
        if held or not element_fetches(node):
            return self.element(node, held=held)
        return f'<template data-consent="{escape(self.purpose)}">{self.element(node, held=True)}</template>'

    def element(self, element: Element, *, held: bool) -> str:
        if element.name == "style" or element.name in ("textarea", "title", "xmp", "noembed", "noframes"):
            return serialise_node(element)  # text only: nothing in it is an element
        inner = "".join(self.node(child, held=held, parent=element) for child in element.children)
        if element.name in ("pre", "textarea", "listing") and inner.startswith("\n"):
            inner = "\n" + inner
        return start_tag(element) + inner + end_tag(element)

    def script(self, script: Element) -> str:
        if script_stays_live(script):
            return serialise_node(script)
        own = [(ns, name, value) for ns, name, value in script.attributes if ns or name not in HELD_SCRIPT_DROPS]
        held = [("", "type", "text/plain"), ("", "data-consent", self.purpose)]
        source, kind = script.get("src"), script.get("type")
        if source is not None:
            held.append(("", "data-src", source))
        else:
            self.scripts.append(_text(script))
        if kind is not None:
            held.append(("", "data-type", kind))
        return start_tag(script, [*held, *own]) + serialise_content(script) + "</script>"

    def placeholder(self, frame: Element) -> str:
        context = {
            "purpose": self.purpose,
            "purpose_name": self.purpose_name,
            "provider": self.provider,
            "frame": mark_safe(serialise_node(frame)),
        }
        # Written from its tree too, so that the block's output reads back as written.
        return serialise(read_fragment(render_to_string("consent/_embed.html", context)))


def _check_element(element: Element) -> None:
    if element.is_html and element.name in UNSUPPORTED_ELEMENTS:
        raise Unholdable(f"<{element.name}> cannot be held by {{% consent %}}")
    for _namespace, name, _value in element.attributes:
        if name.lower().startswith("on"):
            raise Unholdable(
                f"<{element.name} {name}=…>: inline event handlers never run under the site's CSP;"
                " put the code in a <script>"
            )
        if name in RESERVED_ATTRIBUTES:
            raise Unholdable(f"<{element.name} {name}=…>: {name} is consent.js's own attribute")


def _check_inert(nodes: list[Node], *, parent: Element | None = None) -> None:
    """Refuses output that a browser would not keep inert, whatever wrote it: every script held or a
    data block, every other element that fetches inside a held template, foreign content that draws."""
    for node in nodes:
        if not isinstance(node, Element):
            continue
        if not node.is_html:
            if foreign_problem(node):
                raise Unholdable(f"<{node.name}> would fetch once served")
            continue
        if node.name == "template":
            placeholder = parent is not None and "cc-embed" in (parent.get("class") or "").split()
            held = node.get("data-consent") or placeholder
            if not held:
                raise Unholdable("a <template> that consent.js does not hold would be served")
            continue  # its content is inert until consent.js restores it
        if node.name == "script":
            if not script_stays_live(node) and not (node.get("type") == "text/plain" and node.get("data-consent")):
                raise Unholdable("a <script> would run once served")
        elif node.name in ("iframe", *UNSUPPORTED_ELEMENTS) or element_fetches(node):
            raise Unholdable(f"<{node.name}> would fetch once served")
        _check_inert(node.children, parent=node)


def _text(element: Element) -> str:
    return "".join(child.data for child in element.children if isinstance(child, Text))
