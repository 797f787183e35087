"""What a browser fetches or runs, read from the parsed tree (consent/visitor/fetching.py)."""

import pytest

from consent.visitor.fetching import ascii_lower, css_fetches, script_stays_live
from consent.visitor.markup import read_fragment


@pytest.mark.parametrize(
    "css",
    [
        "background: url(https://x.example/a.png)",
        "background: URL( 'https://x.example/a.png' )",
        "background: u\\rl(https://x.example/a.png)",
        "background: \\75 rl(https://x.example/a.png)",
        "background: \\000075\\72\\6C(https://x.example/a.png)",
        'background-image: image-set("https://x.example/a.png" 1x)',
        'background-image: -webkit-image-set("https://x.example/a.png" 1x)',
        "background-image: cross-fade(url(a.png), url(b.png), 50%)",
        'background: src("https://x.example/a.png")',
        '@import "https://x.example/s.css";',
        "@IMPORT url(s.css);",
        "@media print { p { background: url(p.png) } }",
        "p { --x: url(v.png) }",
        "background: url(#local)",  # in HTML CSS, a fragment is the page's own URL
    ],
)
def test_css_that_asks_for_a_resource_is_seen_as_a_browser_tokenises_it(css):
    assert css_fetches(css)


@pytest.mark.parametrize(
    "css",
    [
        "color: red; background: #fff",
        'content: "url(https://x.example/a.png)"',  # a string, not a URL
        "/* url(https://x.example/a.png) */ color: red",
        "font-family: url-ish, sans-serif",
        "background: linear-gradient(red, blue)",
        "<!-- color: red -->",
    ],
)
def test_css_that_asks_for_nothing_is_not_held(css):
    assert not css_fetches(css)


def test_local_references_fetch_nothing_where_svg_reads_them():
    assert not css_fetches("url(#gradient)", local_references=True)
    assert not css_fetches('url("#gradient")', local_references=True)
    assert css_fetches("url(https://x.example/p.svg#gradient)", local_references=True)


@pytest.mark.parametrize(
    ("markup", "live"),
    [
        ('<script type="application/ld+json"></script>', True),
        ('<script type=" APPLICATION/JSON\t"></script>', True),
        ('<script type="text/plain"></script>', True),
        ('<script type="application/json" src="https://x.example/d.json"></script>', False),
        ("<script></script>", False),
        ('<script type=""></script>', False),
        ('<script type="application/ld+json;x=1"></script>', False),
        # U+212A KELVIN SIGN lower-cases to "k" in Python, never in the standard's ASCII lower case.
        ('<script type="application/ld+json\u212a"></script>', False),
    ],
)
def test_a_script_stays_live_only_as_a_data_block_of_the_allow_list(markup, live):
    [script] = read_fragment(markup)
    assert script_stays_live(script) is live


def test_ascii_lower_leaves_other_letters_alone():
    assert ascii_lower("TEXT/JavaScript\u212a\u0130") == "text/javascript\u212a\u0130"
