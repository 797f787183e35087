import json

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from consent.visitor.cookie import cookie_name
from guards.csp import allowed_inline, inline_hash
from tests.consent.factories import consent_cookie_value
from tests.html import elements, script_text


def render(source: str, **context) -> str:
    return Template("{% load consent %}" + source).render(Context(context))


def test_block_tag_makes_external_scripts_inert_keeping_their_attributes(demo):
    html = render(
        '{% consent "advertising" %}'
        '<script src="https://snap.licdn.com/li.lms-analytics/insight.min.js" async></script>'
        "{% endconsent %}"
    )
    assert html == (
        '<script type="text/plain" data-consent="advertising" '
        'data-src="https://snap.licdn.com/li.lms-analytics/insight.min.js" async=""></script>'
    )  # written from the tree: a boolean attribute as the standard's serialisation writes it


def test_block_tag_makes_inline_scripts_inert(demo):
    html = render('{% consent "statistics" %}<script type="text/javascript">window.x = 1;</script>{% endconsent %}')
    assert html == (
        '<script type="text/plain" data-consent="statistics" data-type="text/javascript">window.x = 1;</script>'
    )


def test_block_tag_leaves_other_markup_alone(demo):
    html = render('{% consent "statistics" %}<p class="note">Bonjour</p>{% endconsent %}')
    assert html == '<p class="note">Bonjour</p>'


def test_necessary_markup_is_not_gated(demo):
    html = render('{% consent "necessary" %}<script src="/static/x.js"></script>{% endconsent %}')
    assert html == '<script src="/static/x.js"></script>'


def test_iframe_becomes_a_placeholder_naming_provider_and_purpose(demo):
    html = render(
        '{% consent "advertising" provider="YouTube" %}'
        '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Démo"></iframe>{% endconsent %}'
    )
    assert html.startswith('<div class="cc-embed" data-consent="advertising">')
    assert "fourni par YouTube" in html and "« Publicité »" in html
    assert 'data-cc-grant="advertising"' in html
    assert (
        '<template><iframe src="https://www.youtube-nocookie.com/embed/abc" title="Démo"></iframe></template>' in html
    )
    assert html.count("<iframe") == 1


def test_unknown_purpose_fails_loudly_in_debug(demo, settings):
    settings.DEBUG = True
    with pytest.raises(TemplateSyntaxError, match="marketing"):
        render('{% consent "marketing" %}<script></script>{% endconsent %}')


def test_unknown_purpose_renders_nothing_in_production(demo):
    assert render('{% consent "marketing" %}<script>alert(1)</script>{% endconsent %}') == ""


def test_bad_tag_syntax_is_refused():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load consent %}{% consent %}x{% endconsent %}")


def _request(value: str | None):
    request = RequestFactory().get("/")
    if value is not None:
        request.COOKIES[cookie_name()] = value
    return request


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (lambda: consent_cookie_value(statistics=True), "oui"),
        (lambda: consent_cookie_value(statistics=False), "non"),
        (lambda: None, "non"),
        (lambda: consent_cookie_value(statistics=True)[:-2] + "xx", "non"),
        (lambda: consent_cookie_value(statistics=True, revision=0), "non"),
        (lambda: consent_cookie_value(statistics=True, age=200 * 24 * 3600), "non"),
    ],
    ids=["granted", "refused", "no-cookie", "forged", "old-revision", "expired"],
)
def test_consent_granted_filter(demo, value, expected):
    html = render('{% if request|consent_granted:"statistics" %}oui{% else %}non{% endif %}', request=_request(value()))
    assert html == expected


def test_filter_reads_the_cookie_once_per_request(demo):
    request = _request(consent_cookie_value(statistics=True))
    render('{% if request|consent_granted:"statistics" %}{% endif %}', request=request)
    request.COOKIES[cookie_name()] = "changed"
    assert render('{% if request|consent_granted:"statistics" %}oui{% endif %}', request=request) == "oui"


def test_gtm_tag_order_and_defaults_in_advanced_mode(demo, rf, settings):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    settings.GTM_CONSENT_MODE = "advanced"
    request = rf.get("/")
    html = render("{% consent_gtm %}", request=request)
    positions = [
        html.index("function gtag() { dataLayer.push(arguments); }"),
        html.index('gtag("consent", "default"'),
        html.index('gtag("set", "ads_data_redaction", true)'),
        html.index('gtag("set", "url_passthrough", false)'),
        html.index('gtag("consent", "update", update)'),
        html.index("googletagmanager.com/gtm.js"),
    ]
    assert positions == sorted(positions)
    for denied in (
        "ad_storage",
        "ad_user_data",
        "ad_personalization",
        "analytics_storage",
        "functionality_storage",
        "personalization_storage",
    ):
        assert f'{denied}: "denied"' in html
    assert 'security_storage: "granted"' in html and "wait_for_update: 500" in html
    # Both inline scripts are allowed by their hashes, computed as the page rendered.
    inline = [s.text for s in elements(html, "script") if s.attrs.get("type") != "application/json"]
    assert len(inline) == 2 and "nonce" not in html
    assert allowed_inline(request)["script-src"] == [inline_hash(text) for text in inline]
    assert "<noscript" not in html and json.loads(script_text(html, "cc-gtm"))["container"] == "GTM-TEST123"


def test_gtm_is_absent_without_a_container(demo, rf, settings):
    settings.GTM_CONTAINER_ID = ""
    request = rf.get("/")
    html = render("{% consent_gtm %}", request=request)
    assert "googletagmanager" not in html and 'gtag("consent", "default"' in html


def test_gtm_waits_for_statistics_by_default(demo, rf, settings):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    request = rf.get("/")
    html = render("{% consent_gtm %}", request=request)
    assert '<script type="text/plain" data-consent="statistics">' in html
    # The Consent Mode defaults run at once, the loader waits; consent.js runs it, allowed by its hash.
    (loader,) = elements(html, "script", type="text/plain")
    assert inline_hash(loader.text) in allowed_inline(request)["script-src"]


def test_gtm_waits_for_any_of_the_purposes_set(demo, rf, settings):
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    settings.CONSENT_GTM_REQUIRES = ["statistics", "advertising"]
    request = rf.get("/")
    html = render("{% consent_gtm %}", request=request)
    assert '<script type="text/plain" data-consent="statistics advertising">' in html


@pytest.mark.parametrize(
    ("mode", "requires", "errors"),
    [
        ("basic", ["statistics"], []),
        ("advanced", [], []),
        ("strict", ["statistics"], ["consent.E002"]),
        ("basic", ["marketing"], ["consent.E003"]),
        ("basic", [], ["consent.E003"]),
    ],
)
def test_gtm_settings_are_checked(settings, mode, requires, errors):
    from consent.checks import check_gtm_settings

    settings.GTM_CONSENT_MODE, settings.CONSENT_GTM_REQUIRES = mode, requires
    assert [e.id for e in check_gtm_settings()] == errors


def test_ui_config_gives_the_script_anchored_cookie_patterns(demo, rf):
    import json
    import re

    request = rf.get("/")
    html = render("{% consent_ui %}", request=request)
    config = json.loads(script_text(html, "cc-config"))
    statistics = dict(config["rules"]["statistics"])
    assert statistics["^_ga_.*$"] == "/" and statistics["^_ga$"] == "/"
    assert re.match(list(statistics)[1], "_ga_ABC") and not re.match("^_ga$", "x_ga")
    assert config["rev"] == 1 and config["url"] == "/consent/" and config["report"] == "/consent/report/"
