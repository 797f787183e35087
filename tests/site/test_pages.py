import pytest
from django.urls import reverse
from django.utils import translation

PAGES = ["home", "features", "pricing", "contact", "legal", "cookie-policy", "consent:settings"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_in_both_languages(client, demo, name, language):
    with translation.override(language):
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
