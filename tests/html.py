"""Reading the HTML the site renders, with the standard library's parser (never regular expressions)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()


class _Collector(HTMLParser):
    """Every element in document order, with the text directly inside each."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data


def elements(html: str, tag: str | None = None, **attrs: str) -> list[Element]:
    """The elements of ``html`` with that tag (any, if None) whose attributes have the given values.

    ``data_api_endpoint="global"`` means ``data-api-endpoint="global"``, and ``class_`` means ``class``.
    """
    collector = _Collector()
    collector.feed(html)
    collector.close()
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
    return [
        e
        for e in collector.elements
        if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in wanted.items())
    ]


def attribute_values(html: str, tag: str | None, name: str, **attrs: str) -> list[str | None]:
    """The ``name`` attribute of every matching element that has one (``href`` of every ``a``), unescaped."""
    return [e.attrs[name] for e in elements(html, tag, **attrs) if name in e.attrs]


def script_text(html: str, element_id: str) -> str:
    """The text of the one ``<script id=…>`` (e.g. a ``json_script`` data block)."""
    [script] = elements(html, "script", id=element_id)
    return script.text


class _Tokens(HTMLParser):
    """The parser's events in document order."""

    def __init__(self, ignored: Collection[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ignored = ignored
        self.tokens: list[tuple[str, ...]] = []

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> str:
        return repr([(k, v) for k, v in attrs if k not in self.ignored])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, self._attributes(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("startend", tag, self._attributes(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("data", data))

    def handle_comment(self, data: str) -> None:
        self.tokens.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        self.tokens.append(("decl", decl))


def tokens(html: str, *, ignoring: Collection[str] = ()) -> list[tuple[str, ...]]:
    """The document as the parser reads it (tags and their attributes, text, comments), leaving out the
    attributes named in ``ignoring``: two renders compare equal when only those differ."""
    parser = _Tokens(ignoring)
    parser.feed(html)
    parser.close()
    return parser.tokens
