"""{% consent %} holds every element that can load or run something (consent/visitor/gating.py)."""

from __future__ import annotations

import logging

import pytest
from django.template import Context, Template, TemplateSyntaxError

from consent.visitor.fetching import element_fetches, foreign_problem, script_stays_live
from consent.visitor.markup import Element as Node
from consent.visitor.markup import read_fragment
from tests.html import elements
from tests.snippets import LINKEDIN_INSIGHT, META_PIXEL


def render(source: str, **context) -> str:
    return Template("{% load consent %}" + source).render(Context(context))


def gated(markup: str, purpose: str = "advertising") -> str:
    return render(f'{{% consent "{purpose}" %}}{markup}{{% endconsent %}}')


def live_loaders(html: str) -> list[str]:
    """The elements of ``html``, read as a browser reads it, that would fetch or run now: outside every
    template, and not a script made inert (``type="text/plain"``) or a data block."""
    found: list[str] = []

    def visit(node: Node) -> None:
        if node.name == "template":
            return  # a browser loads nothing inside a template
        if not node.is_html:
            if foreign_problem(node):
                found.append(node.name)
            return
        if node.name == "script":
            if node.get("type") != "text/plain" and not script_stays_live(node):
                found.append("script")
        elif node.name == "iframe" or element_fetches(node):
            found.append(node.name)
        for child in node.children:
            if isinstance(child, Node):
                visit(child)

    for root in read_fragment(html):
        if isinstance(root, Node):
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
        ("<style>@import 'https://fonts.example/css';</style>", "style"),
        ('<p style="background: u\\rl(https://cdn.example/e.png)">Échappé</p>', "p"),
        ("<div style=\"background-image: image-set('https://cdn.example/i.png' 1x)\">Jeu</div>", "div"),
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
        ('<video src="https://x.example/v.mp4">', "expected-closing-tag-but-got-eof"),
        ('<iframe src="https://x.example/">', "<iframe> at line 1"),
        ('<script type="application/ld+json" type="text/javascript">1</script>', "duplicate-attribute"),
        ('<img src="https://x.example/a.gif" src="https://x.example/b.gif">', "<img> at line 1"),
        ("<!--><img src=https://x.example/p.gif>-->", "incorrect-comment"),
        ("<!-- a --!><img src=https://x.example/p.gif>", "a comment or <!…> declaration"),
        ("<![CDATA[ ><img src=https://x.example/p.gif> ]]>", "expected-dashes-or-doctype"),
        ("<![if >]><img src=https://x.example/p.gif>", "expected-dashes-or-doctype"),
        ("<script>x()</script/><img src=https://x.example/p.gif>", "self-closing-flag-on-end-tag"),
        ("<math><img src=https://x.example/p.gif></math>", "unexpected-html-element-in-foreign-content"),
        ("<math><mtext><img src=https://x.example/p.gif></mtext></math>", "holds the HTML element <img>"),
        ("<svg><foreignObject><p>x</p></foreignObject></svg>", "holds the HTML element <p>"),
        ('<svg><image href="https://x.example/i.svg"/></svg>', "<image href=…> fetches"),
        ('<svg><use xlink:href="https://x.example/s.svg#i"/></svg>', "<use href=…> fetches"),
        ("<svg><script>track()</script></svg>", "holds a <script>, which runs"),
        ('<svg><rect style="fill: url(https://x.example/f)"/></svg>', "fetches through CSS"),
        ('<svg><a><set attributeName="href" to="https://x.example"/></a></svg>', "animates <set>"),
        ('<svg><style>@import "https://x.example/s.css";</style></svg>', "holds a <style> that fetches"),
        ("<table><img src=https://x.example/p.gif><tr><td>x</td></tr></table>", "implies-table-voodoo"),
        ("<select><img src=https://x.example/p.gif></select>", "unexpected-start-tag-in-select"),
        ("<div/><img src=https://x.example/p.gif>", "<div> at line 1"),
        ('<body background="https://x.example/b.png">', "<body>"),
        ("<plaintext>", "<plaintext>"),
        ('<meta name="referrer" content="unsafe-url">', "<meta>"),
        ('<div data-consent="statistics">x</div>', "data-consent is consent.js's own attribute"),
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


@pytest.mark.parametrize(
    "kind",
    [
        "application/x-javascript",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "TEXT/JavaScript",
        " text/javascript ",
        "",
        "module",
        "importmap",
        "speculationrules",
        "text/javascript; charset=utf-8",
        "application/ld+json-ish",
    ],
)
def test_every_script_type_off_the_allow_list_is_held_with_its_own_type_kept(demo, kind):
    html = gated(f'<script type="{kind}">{{"prefetch": [{{"urls": ["https://x.example/"]}}]}}</script>')
    assert live_loaders(html) == []
    [script] = elements(html, "script")
    assert script.attrs["type"] == "text/plain" and script.attrs["data-type"] == kind


@pytest.mark.parametrize("kind", ["application/json", "application/ld+json", " Application/LD+JSON\t", "text/plain"])
def test_data_blocks_of_the_allow_list_stay_live(demo, kind):
    markup = f'<script type="{kind}">{{"@type": "Organization"}}</script>'
    assert gated(markup) == markup


def test_a_script_without_a_type_but_a_language_is_held(demo):
    html = gated('<script language="javascript" src="https://x.example/a.js"></script>')
    [script] = elements(html, "script")
    assert script.attrs == {
        "type": "text/plain",
        "data-consent": "advertising",
        "data-src": "https://x.example/a.js",
        "language": "javascript",
    }


def test_what_is_written_comes_from_the_tree_not_the_source(demo):
    # Unquoted and upper-case attributes, an implied end tag, character references, as the parser read them.
    html = gated("<UL CLASS=steps><li>Un &amp; deux<li>Trois &lt;4&gt;</UL><p title='a\"b'>x")
    assert html == '<ul class="steps"><li>Un &amp; deux</li><li>Trois &lt;4&gt;</li></ul><p title="a&quot;b">x</p>'


def test_character_references_in_urls_are_read_as_a_browser_reads_them(demo):
    html = gated('<a href="/tarifs/?a=1&copy=2&ev=3">Tarifs &amp; prix</a>')
    [link] = elements(html, "a")
    assert link.attrs["href"] == "/tarifs/?a=1&copy=2&ev=3"


def test_css_that_fetches_nothing_is_left_as_it_is(demo):
    markup = '<p style="color: red; background: linear-gradient(#fff, #000)">Salut</p><style>p { color: blue }</style>'
    assert gated(markup) == markup


def test_an_svg_that_only_draws_stays_live(demo):
    markup = (
        '<svg width="10" height="10" viewBox="0 0 10 10"><defs><linearGradient id="g"></linearGradient></defs>'
        '<rect fill="url(#g)" width="10" height="10"></rect><use href="#g"></use></svg>'
    )
    assert gated(markup) == markup


def test_a_nested_block_stays_held_under_its_own_purpose(demo):
    html = render(
        '{% consent "advertising" %}<div style="background: url(https://x.example/bg.png)">'
        '{% consent "statistics" %}<script src="https://x.example/stats.js"></script>'
        '<img src="https://x.example/s.gif" alt="">{% endconsent %}</div>{% endconsent %}'
    )
    assert live_loaders(html) == []
    [outer] = read_fragment(html)
    assert outer.name == "template" and outer.get("data-consent") == "advertising"
    [div] = outer.children
    script, inner = div.children
    assert script.get("data-consent") == "statistics" and script.get("data-src") == "https://x.example/stats.js"
    assert inner.name == "template" and inner.get("data-consent") == "statistics"
    assert "consent-block:" not in html


def test_a_nested_block_where_markup_is_text_is_refused(demo, settings):
    settings.DEBUG = True
    with pytest.raises(TemplateSyntaxError, match="sits where markup is text"):
        render(
            '{% consent "advertising" %}<textarea>{% consent "statistics" %}<b>x</b>{% endconsent %}</textarea>'
            "{% endconsent %}"
        )


def test_a_comment_that_looks_like_a_nested_block_is_only_a_comment(demo):
    markup = "<!--consent-block:0123456789abcdef--><p>x</p>"
    assert gated(markup) == markup


def test_output_that_would_not_stay_inert_is_refused_whatever_wrote_it(demo, settings, monkeypatch):
    # A fault in the writer (here: it holds nothing) is caught by reading its output back.
    from consent.visitor import gating
    from consent.visitor.markup import serialise_node

    settings.DEBUG = True
    monkeypatch.setattr(gating._Writer, "node", lambda self, node, *, held, parent: serialise_node(node, parent=parent))
    with pytest.raises(TemplateSyntaxError, match="would not stay inert .*<img> would fetch once served"):
        gated('<p><img src="https://x.example/p.gif" alt=""></p>')


def test_a_script_that_names_data_src_itself_is_refused_rather_than_written_twice(demo, settings):
    settings.DEBUG = True
    with pytest.raises(TemplateSyntaxError, match="duplicate-attribute"):
        gated('<script src="https://x.example/a.js" data-src="https://x.example/b.js"></script>')
