import pytest
from django.urls import reverse
from django.utils import translation

from consent.models import Cookie, Provider, Purpose
from consent.visitor.cookie import cookie_name
from tests.html import elements


def _section(html: str, slug: str) -> str:
    start = html.index(f'id="{slug}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_policy_tables_show_what_the_admin_holds(client, demo):
    provider = Provider.objects.create(name="Hotjar", privacy_policy_url="https://www.hotjar.com/privacy/")
    Cookie.objects.create(
        provider=provider,
        purpose=Purpose.objects.get(slug="statistics"),
        name="_hjSessionUser_*",
        description_fr="Reconnaît un visiteur revenu.",
        description_en="Recognises a returning visitor.",
        duration_fr="1 an",
        duration_en="1 year",
    )
    html = client.get(reverse("cookie-policy")).text
    statistics = _section(html, "statistics")
    assert "_hjSessionUser_*" in statistics
    assert "Reconnaît un visiteur revenu." in statistics
    assert "https://www.hotjar.com/privacy/" in statistics
    assert "_hjSessionUser_*" not in _section(html, "advertising")
    with translation.override("en"):
        english = client.get(reverse("cookie-policy")).text
    assert "Recognises a returning visitor." in _section(english, "statistics")


def test_deleted_declaration_leaves_the_policy(client, demo):
    Cookie.objects.filter(name="_fbp").delete()
    assert "_fbp" not in client.get(reverse("cookie-policy")).text


def test_policy_lists_every_demo_tracker_and_the_company(client, demo):
    html = client.get(reverse("cookie-policy")).text
    for cookie in Cookie.objects.all():
        assert f"<code>{cookie.name}</code>" in html
    for shape in ("/o/xxx.xxx", "/l/xxx.xxx", "/goto/xxx.xxx?clicked_url=", "transactional_emails/unsubscribe"):
        assert shape in html
    assert "RCS Lille Métropole" in html and "59510 Hem" in html


def test_policy_costs_the_same_queries_whatever_the_number_of_cookies(
    client, demo, django_assert_num_queries, settings
):
    # purposes, cookies+providers, trackers+providers, revision, the catalog's tags; the banner version
    with django_assert_num_queries(6):
        client.get(reverse("cookie-policy"))
    provider = Provider.objects.get(name="Google")
    purpose = Purpose.objects.get(slug="advertising")
    Cookie.objects.bulk_create(
        Cookie(provider=provider, purpose=purpose, name=f"ads_{i}", description="x", duration="1 an") for i in range(50)
    )
    from consent.visitor import snapshot as declarations

    declarations.clear()
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(6):
        assert "ads_49" in client.get(reverse("cookie-policy")).text


@pytest.mark.parametrize("name", ["home", "features", "pricing", "contact", "legal", "cookie-policy"])
def test_a_warm_page_view_costs_no_query(client, demo, django_assert_num_queries, name):
    client.get(reverse(name))
    with django_assert_num_queries(0):
        assert client.get(reverse(name)).status_code == 200


def test_returning_visitor_page_view_costs_no_query(client, demo, django_assert_num_queries):
    from tests.consent.helpers import consent_post

    consent_post(client, {"action": "accept_all"})
    client.get("/")
    with django_assert_num_queries(0):
        client.get("/")


def test_page_html_does_not_depend_on_the_visitors_choice(client, demo):
    from tests.consent.helpers import consent_post
    from tests.html import tokens

    def without_nonce(html: str) -> list[tuple[str, ...]]:
        return tokens(html, ignoring={"nonce"})

    first = without_nonce(client.get("/").text)
    consent_post(client, {"action": "accept_all"})
    assert client.cookies.get(cookie_name())
    assert without_nonce(client.get("/").text) == first


def _gtm_paragraph(html: str) -> str:
    """The text of the policy's paragraph about Google Tag Manager, spaces normalised."""
    (paragraph,) = [
        p for p in elements(html, "p") if any(c.tag == "strong" and c.text == "Google Tag Manager" for c in p.children)
    ]
    return " ".join(paragraph.text.split())


@pytest.mark.parametrize(
    ("mode", "french", "english"),
    [
        ("basic", "acceptée la finalité « Statistiques et mesure d'audience » :", "accept the “Statistics"),
        ("advanced", "des signaux sans cookie", "cookieless signals"),
    ],
)
def test_the_sentence_about_gtm_says_when_it_loads_in_each_mode(
    client, demo, settings, monkeypatch, mode, french, english
):
    from nocrm_site import page_cache

    monkeypatch.setattr(page_cache, "_pages", {})  # the page is rendered once per process otherwise
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    settings.GTM_CONSENT_MODE = mode
    paragraph = _gtm_paragraph(client.get(reverse("cookie-policy")).text)
    assert french in paragraph
    assert ("des signaux sans cookie" if mode == "basic" else "qu'une fois acceptée") not in paragraph
    assert english in _gtm_paragraph(client.get("/en/cookies/").text)
