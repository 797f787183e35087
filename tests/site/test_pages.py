import pytest
from django.urls import reverse
from django.utils import translation

PAGES = ["home", "features", "pricing", "contact", "legal", "privacy", "cookie-policy", "cookie-settings"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_in_both_languages(client, demo, name, language):
    with translation.override(language):
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text


def test_language_switcher_links_each_page_to_its_twin(client, demo):
    html = client.get("/tarifs/").text
    assert 'href="/en/pricing/" hreflang="en"' in html
    assert 'hreflang="fr" lang="fr" aria-current="page"' in html
    english = client.get("/en/").text
    assert 'href="/" hreflang="fr"' in english and 'hreflang="en" lang="en" aria-current="page"' in english


def test_rendered_pages_follow_admin_changes(client, demo):
    from consent.models import Cookie

    client.get("/cookies/")
    Cookie.objects.filter(name="_fbp").delete()
    from django.core.cache import cache

    from consent.visitor import snapshot as declarations

    cache.delete(declarations.VERSION_KEY)  # what the admin's save does once its transaction commits
    assert "_fbp" not in client.get("/cookies/").text
