"""Gated markup read as a browser reads it, and written back from the tree (docs/decisions/0012).

``read_fragment`` parses with html5lib, which implements the WHATWG HTML parsing algorithm, as a
fragment whose context is a ``<body>`` with scripting on (a browser that runs consent.js), and
refuses every parse error that can change the tree: duplicate attributes, comments, CDATA and end
tags that a browser ends elsewhere than they seem to end, misnesting, elements left open. Only the
errors of character references (``&ev=`` in a URL) are let through: they change characters, never
the tree, and the parser decodes them as a browser does. ``serialise`` is the standard's fragment
serialisation algorithm, so that what ``{% consent %}`` writes is what the tree holds, never a copy
of the source text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree import ElementTree

import html5lib

HTML_NS = ""  # html5lib names HTML elements without a namespace (namespaceHTMLElements=False)
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# How the serialisation algorithm writes the attributes of these namespaces.
ATTRIBUTE_PREFIXES = {
    "http://www.w3.org/1999/xlink": "xlink:",
    "http://www.w3.org/XML/1998/namespace": "xml:",
    "http://www.w3.org/2000/xmlns/": "xmlns:",
}
VOID_ELEMENTS = frozenset(
    {
        *("area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input"),
        *("keygen", "link", "meta", "param", "source", "track", "wbr"),
    }
)
# Their text is written as it is; noscript's too, since the parser runs with scripting on.
RAW_TEXT_ELEMENTS = frozenset({"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"})
# html5lib's names for the errors of character references: characters differ, the tree does not.
CHARACTER_REFERENCE_ERRORS = frozenset(
    {
        "expected-named-entity",
        "named-entity-without-semicolon",
        "expected-numeric-entity",
        "expected-numeric-entity-but-got-eof",
        "numeric-entity-without-semicolon",
        "illegal-codepoint-for-numeric-entity",
        "illegal-windows-1252-entity",
        "cant-convert-numeric-entity",
        "incorrect-cr-newline-entity",
    }
)


class Unholdable(ValueError):
    """Markup that {% consent %} cannot keep from loading; the message names the element and the rule."""


@dataclass
class Element:
    name: str  # the local name, as the parser adjusted it (``foreignObject``)
    namespace: str  # HTML_NS, SVG_NS or MATHML_NS
    # (namespace, local name, value) in source order; the namespace is "" for most attributes.
    attributes: list[tuple[str, str, str]]
    # A template's children are its content, which a browser keeps out of the document.
    children: list[Node] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return self.namespace == HTML_NS

    def get(self, name: str) -> str | None:
        """The value of the attribute ``name`` (no namespace), or None."""
        for namespace, local, value in self.attributes:
            if not namespace and local == name:
                return value
        return None

    def iter(self) -> list[Element]:
        """This element and every element inside it, in document order."""
        found = [self]
        for child in self.children:
            if isinstance(child, Element):
                found.extend(child.iter())
        return found


@dataclass
class Text:
    data: str


@dataclass
class Comment:
    data: str


Node = Element | Text | Comment


def read_fragment(html: str) -> list[Node]:
    """The nodes a browser builds from ``html`` in ``<body>``; Unholdable on a parse error that matters."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root = parser.parseFragment(html, container="body", scripting=True)
    for (line, column), code, data in parser.errors:
        if code not in CHARACTER_REFERENCE_ERRORS:
            name = (data or {}).get("name") or _tag_before(html, line, column)
            element = "a comment or <!…> declaration" if name.startswith("!") else f"<{name}>" if name else "the markup"
            raise Unholdable(
                f"{element} at line {line}, column {column}: parse error '{code}' (a browser may not build what"
                " the markup seems to say; write it as plain, well-formed HTML)"
            )
    return _children(root)


def _children(parent: ElementTree.Element) -> list[Node]:
    nodes: list[Node] = [Text(parent.text)] if parent.text else []
    for child in parent:
        if child.tag is ElementTree.Comment:
            nodes.append(Comment(child.text or ""))
        else:
            namespace, _, local = str(child.tag).rpartition("}")
            attributes = []
            for key, value in child.attrib.items():
                attribute_namespace, _, attribute_name = str(key).rpartition("}")
                attributes.append((attribute_namespace.lstrip("{"), attribute_name, value))
            nodes.append(Element(local, namespace.lstrip("{"), attributes, _children(child)))
        if child.tail:
            nodes.append(Text(child.tail))
    return nodes


def _tag_before(html: str, line: int, column: int) -> str:
    """The name of the tag that ends at (line, column), to name it in an error."""
    lines = html.split("\n")
    if not 0 < line <= len(lines):
        return ""
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + column
    start = html.rfind("<", 0, offset)
    if start < 0:
        return ""
    words = html[start + 1 : offset].replace("/", " ").replace(">", " ").split()
    return words[0].lower() if words else ""


# --- writing -------------------------------------------------------------------------------------


def serialise(nodes: list[Node], *, parent: Element | None = None) -> str:
    """The HTML fragment serialisation algorithm of the standard, over ``nodes``."""
    return "".join(serialise_node(node, parent=parent) for node in nodes)


def serialise_node(node: Node, *, parent: Element | None = None) -> str:
    if isinstance(node, Comment):
        return f"<!--{node.data}-->"
    if isinstance(node, Text):
        if parent is not None and parent.is_html and parent.name in RAW_TEXT_ELEMENTS:
            return node.data
        return escape_text(node.data)
    return start_tag(node) + serialise_content(node) + end_tag(node)


def start_tag(element: Element, attributes: list[tuple[str, str, str]] | None = None) -> str:
    written = "".join(
        f' {_attribute_name(namespace, name)}="{escape_attribute(value)}"'
        for namespace, name, value in (element.attributes if attributes is None else attributes)
    )
    return f"<{element.name}{written}>"


def _attribute_name(namespace: str, name: str) -> str:
    if namespace == "http://www.w3.org/2000/xmlns/" and name == "xmlns":
        return "xmlns"
    return ATTRIBUTE_PREFIXES.get(namespace, "") + name


def serialise_content(element: Element) -> str:
    if element.is_html and element.name in VOID_ELEMENTS:
        return ""
    content = serialise(element.children, parent=element)
    # The parser drops a newline right after these start tags: one the text starts with is kept so.
    if element.is_html and element.name in ("pre", "textarea", "listing") and content.startswith("\n"):
        content = "\n" + content
    return content


def end_tag(element: Element) -> str:
    return "" if element.is_html and element.name in VOID_ELEMENTS else f"</{element.name}>"


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("\xa0", "&nbsp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
