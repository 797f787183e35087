"""Reading the HTML the site renders, with the standard library's parser (never regular expressions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)


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
    """The elements of ``html`` with that tag (any, if None) whose attributes have the given values."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return [
        e
        for e in collector.elements
        if (tag is None or e.tag == tag) and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
    ]


def script_text(html: str, element_id: str) -> str:
    """The text of the one ``<script id=…>`` (e.g. a ``json_script`` data block)."""
    [script] = elements(html, "script", id=element_id)
    return script.text
