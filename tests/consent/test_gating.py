"""{% consent %} holds every element that can load or run something (consent/visitor/gating.py)."""

from __future__ import annotations

import logging

import pytest
from django.template import Context, Template, TemplateSyntaxError

from consent.visitor.gating import FETCHING_ATTRIBUTES, HELD_TAGS
from tests.html import Element, elements
from tests.snippets import LINKEDIN_INSIGHT, META_PIXEL


def render(source: str, **context) -> str:
    return Template("{% load consent %}" + source).render(Context(context))


def gated(markup: str, purpose: str = "advertising") -> str:
    return render(f'{{% consent "{purpose}" %}}{markup}{{% endconsent %}}')


def loads_something(tag: str, attrs: dict) -> bool:
    fetching = FETCHING_ATTRIBUTES & set(attrs) or "url(" in (attrs.get("style") or "").lower()
    return tag == "iframe" or tag in HELD_TAGS or bool(fetching)


def live_loaders(html: str) -> list[str]:
    """The elements of ``html`` that a browser would fetch or run now: outside every template, and
    not a script made inert (``type="text/plain"``)."""
    every = elements(html)
    children = {id(child) for e in every for child in e.children}
    roots = [e for e in every if id(e) not in children]
    found: list[str] = []

    def visit(element: Element) -> None:
        if element.tag == "template":
            return  # a browser loads nothing inside a template
        attrs = element.attrs
        if element.tag == "script":
            if attrs.get("type") not in ("text/plain", "application/ld+json"):
                found.append("script")
        elif loads_something(element.tag, attrs):
            found.append(element.tag)
        for child in element.children:
            visit(child)

    for root in roots:
        visit(root)
    return found


def test_the_stock_meta_pixel_is_held_and_its_noscript_pixel_dropped(demo):
    html = gated(META_PIXEL)
    assert live_loaders(html) == []
    [script] = elements(html, "script")
    assert script.attrs == {"type": "text/plain", "data-consent": "advertising"}
    assert "fbq('track', 'PageView')" in script.text
    assert elements(html, "noscript") == [] and elements(html, "img") == []
    assert "facebook.com/tr" not in html


def test_the_stock_linkedin_insight_tag_is_held_and_its_noscript_pixel_dropped(demo):
    html = gated(LINKEDIN_INSIGHT)
    assert live_loaders(html) == []
    scripts = elements(html, "script", type="text/plain", data_consent="advertising")
    assert len(scripts) == 2 and "insight.min.js" in scripts[1].text
    assert "px.ads.linkedin.com" not in html


@pytest.mark.parametrize(
    ("markup", "tag"),
    [
        ('<img src="https://www.facebook.com/tr?id=1" width="1" height="1" alt="">', "img"),
        ('<img srcset="https://cdn.example/a.png 1x, https://cdn.example/b.png 2x" alt="">', "img"),
        (
            '<picture><source srcset="https://cdn.example/a.webp" type="image/webp">'
            '<img src="https://cdn.example/a.png" alt=""></picture>',
            "picture",
        ),
        ('<link rel="stylesheet" href="https://fonts.example/css">', "link"),
        ('<link rel="preload" href="https://cdn.example/big.js" as="script">', "link"),
        (
            '<video poster="https://cdn.example/p.jpg" controls><source src="https://cdn.example/v.mp4"></video>',
            "video",
        ),
        ('<audio src="https://cdn.example/a.mp3" controls></audio>', "audio"),
        ('<object data="https://cdn.example/x.swf"></object>', "object"),
        ('<embed src="https://cdn.example/x.swf">', "embed"),
        ('<input type="image" src="https://cdn.example/go.png" alt="Go">', "input"),
        ("<div style=\"background: URL('https://cdn.example/bg.png')\">Salut</div>", "div"),
        ('<a href="/tarifs/" ping="https://track.example/p">Tarifs</a>', "a"),
        ('<svg width="10" height="10"><image href="https://cdn.example/i.svg"/></svg>', "svg"),
    ],
)
def test_every_element_that_fetches_is_held_in_a_template_of_its_purpose(demo, markup, tag):
    assert live_loaders(markup)  # the check sees it live without the tag
    html = gated(markup, "statistics")
    assert live_loaders(html) == []
    [template] = elements(html, "template")
    assert template.attrs == {"data-consent": "statistics"}
    assert template.children[0].tag == tag


def test_markup_that_fetches_nothing_is_left_as_it_is(demo):
    markup = '<p class="note">Bonjour &amp; <a href="/tarifs/">bienvenue</a></p><button type="button">Ok</button>'
    assert gated(markup) == markup


def test_a_frame_nested_in_markup_becomes_a_placeholder(demo):
    html = render(
        '{% consent "advertising" provider="YouTube" %}<div class="video">'
        '<iframe src="https://www.youtube-nocookie.com/embed/x" title="Démo"></iframe></div>{% endconsent %}'
    )
    assert live_loaders(html) == []
    [placeholder] = elements(html, "div", class_="cc-embed")
    assert placeholder.attrs["data-consent"] == "advertising"
    [frame] = elements(html, "iframe")
    assert frame.attrs["src"] == "https://www.youtube-nocookie.com/embed/x"


def test_scripts_keep_their_own_attributes_and_kind(demo):
    html = gated(
        '<script type="module" src="https://cdn.example/m.js" data-domain="nocrm.io" nonce="x"></script>'
        '<script id="hs-script-loader" async defer src="//js.hs-scripts.com/1.js"></script>'
    )
    module, hubspot = elements(html, "script")
    assert module.attrs == {
        "type": "text/plain",
        "data-consent": "advertising",
        "data-src": "https://cdn.example/m.js",
        "data-type": "module",
        "data-domain": "nocrm.io",
    }
    assert hubspot.attrs["data-src"] == "//js.hs-scripts.com/1.js" and "async" in hubspot.attrs
    assert hubspot.attrs["id"] == "hs-script-loader" and "defer" in hubspot.attrs


def test_a_data_block_passes_as_it_is(demo):
    markup = '<script type="application/ld+json">{"@type": "Organization"}</script>'
    assert gated(markup) == markup


def test_scripts_inside_held_markup_are_held_too(demo):
    html = gated('<object data="https://cdn.example/x"><script>window.x = 1</script></object>')
    assert live_loaders(html) == []
    [script] = elements(html, "script")
    assert script.attrs["type"] == "text/plain"


@pytest.mark.parametrize(
    ("markup", "named"),
    [
        ('<base href="https://evil.example/">', "<base>"),
        ('<meta http-equiv="refresh" content="0">', "<meta>"),
        ('<frameset><frame src="https://x.example"></frameset>', "<frameset>"),
        ("<template><img src=x></template>", "<template>"),
        ('<img src="https://x.example/p.gif" onload="track()">', "onload"),
        ('<video src="https://x.example/v.mp4">', "<video> is not closed"),
        ('<iframe src="https://x.example/">', "<iframe> is not closed"),
    ],
)
def test_markup_that_cannot_be_held_fails_loudly_in_debug(demo, settings, markup, named):
    settings.DEBUG = True
    with pytest.raises(TemplateSyntaxError) as error:
        gated(markup)
    assert named in str(error.value)


def test_markup_that_cannot_be_held_renders_nothing_in_production(demo, caplog):
    with caplog.at_level(logging.ERROR, logger="consent.templatetags.consent"):
        html = gated('<p>Avant</p><img src="https://x.example/p.gif" onerror="track()">')
    assert html == ""
    [record] = caplog.records
    assert record.purpose == "advertising" and "onerror" in record.reason
