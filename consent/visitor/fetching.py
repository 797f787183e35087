"""What a browser fetches or runs in a parsed fragment (consent.visitor.markup's tree).

One rule per idea, shared by the tag that makes gated markup inert and by the check that reads its
output back (consent.visitor.gating):

- a ``<script>`` stays live only when its type, read as the browser reads it, is on ``LIVE_SCRIPT_TYPES``;
- an HTML element fetches by its name (``FETCHING_ELEMENTS``), by a fetching attribute, or by CSS
  that fetches, read by tinycss2 (CSS Syntax Level 3: escapes, ``url()``, ``image-set()``, ``@import``);
- foreign content (``<svg>``, ``<math>``) may draw, never fetch, run or hold HTML: ``foreign_problem``.
"""

from __future__ import annotations

from collections.abc import Iterable

import tinycss2
from tinycss2.ast import Node as CSSNode

from consent.visitor.markup import Element, Text

ASCII_WHITESPACE = " \t\n\f\r"
# Script types that the standard says never run and that fetch nothing (data blocks); every other
# type, JavaScript's sixteen MIME types, module, importmap and speculationrules included, is held.
LIVE_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json", "text/plain"})
# Elements that fetch by their nature: held in a template, with their content.
FETCHING_ELEMENTS = frozenset({"img", "picture", "source", "link", "video", "audio", "track", "object", "embed"})
# Attributes that make any HTML element fetch (an <input type=image> has src, a <table> background,
# <a> ping); lowsrc and dynsrc are long gone from browsers but cost nothing to hold.
FETCHING_ATTRIBUTES = frozenset(
    {"src", "srcset", "poster", "data", "background", "ping", "imagesrcset", "codebase", "lowsrc", "dynsrc"}
)
# CSS functions that take a URL or an image, which may be a URL.
FETCHING_CSS_FUNCTIONS = frozenset(
    {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade"}
)
# SVG animation elements can set an attribute to a URL after the page loads.
SVG_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "discard"})


def ascii_lower(text: str) -> str:
    """Lower case for ASCII letters only, as the standard compares names (``str.lower`` maps more)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def script_stays_live(script: Element) -> bool:
    """A data block: a type on LIVE_SCRIPT_TYPES (trimmed, ASCII case-insensitive), and no src."""
    kind = script.get("type")
    if kind is None or script.get("src") is not None:
        return False
    return ascii_lower(kind.strip(ASCII_WHITESPACE)) in LIVE_SCRIPT_TYPES


def element_fetches(element: Element) -> bool:
    """Whether an HTML element (not a script or a frame, which have rules of their own) fetches."""
    if element.name in FETCHING_ELEMENTS:
        return True
    if element.name == "style" and css_fetches(_text(element)):
        return True
    for namespace, name, value in element.attributes:
        if namespace:
            continue
        if name in FETCHING_ATTRIBUTES or (name == "style" and css_fetches(value)):
            return True
    return False


def css_fetches(css: str, *, local_references: bool = False) -> bool:
    """Whether CSS (a stylesheet, a style attribute, a presentation attribute) asks for a resource.

    With ``local_references``, ``url(#id)`` names an element of the page (SVG's paint servers,
    filters, markers) and fetches nothing.
    """
    return any(_fetching_tokens(tinycss2.parse_component_value_list(css), local_references))


def _fetching_tokens(tokens: Iterable[CSSNode], local_references: bool) -> Iterable[CSSNode]:
    for token in tokens:
        if token.type == "url":
            if not (local_references and token.value.startswith("#")):
                yield token
        elif token.type == "at-keyword" and token.lower_value == "import":
            yield token
        elif token.type == "function":
            if token.lower_name in FETCHING_CSS_FUNCTIONS and not (
                local_references and token.lower_name == "url" and _local_url(token.arguments)
            ):
                yield token
            yield from _fetching_tokens(token.arguments, local_references)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _fetching_tokens(token.content, local_references)


def _local_url(arguments: list[CSSNode]) -> bool:
    values = [token for token in arguments if token.type not in ("whitespace", "comment")]
    return len(values) == 1 and values[0].type == "string" and values[0].value.startswith("#")


def foreign_problem(root: Element) -> str | None:
    """Why an ``<svg>`` or ``<math>`` cannot be served as it is, or None when it only draws."""
    for element in root.iter():
        if element.is_html:
            return f"holds the HTML element <{element.name}>, which a browser reads by HTML's rules"
        name = ascii_lower(element.name)
        if name == "script":
            return "holds a <script>, which runs"
        if name == "style" and css_fetches(_text(element), local_references=True):
            return "holds a <style> that fetches"
        attribute_name = ascii_lower(element.get("attributeName") or "")
        if name in SVG_ANIMATIONS and attribute_name.endswith("href"):
            return f"animates <{element.name}>'s {attribute_name}, which can point it anywhere"
        for _namespace, attribute, value in element.attributes:
            attribute = ascii_lower(attribute)
            if attribute.startswith("on"):
                continue  # the caller refuses event handlers everywhere
            if attribute in ("href", "src") and not (element.namespace.endswith("svg") and name == "a"):
                if not value.strip(ASCII_WHITESPACE).startswith("#"):
                    return f"<{element.name} {attribute}=…> fetches"
            elif css_fetches(value, local_references=attribute != "style"):
                return f"<{element.name} {attribute}=…> fetches through CSS"
    return None


def _text(element: Element) -> str:
    return "".join(child.data for child in element.children if isinstance(child, Text))
