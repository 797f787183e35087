"""Which pages a scan visits: the sitemap's when the site has one, else every public page in each language."""

from __future__ import annotations

import pytest

from scanner.pages import ScanRefused, named_pages, normalise_pages, public_pages


@pytest.fixture
def live_site(transactional_db, live_server, settings):
    from consent.demo import load_demo

    load_demo()
    return live_server.url


def test_without_a_sitemap_every_public_page_in_both_languages(live_site, settings):
    settings.ROOT_URLCONF = "tests.scanner.no_sitemap_urls"
    pages = public_pages(live_site, timeout=5)
    assert pages == named_pages()
    assert {"/", "/tarifs/", "/cookies/", "/confidentialite/", "/en/", "/en/pricing/", "/en/privacy/"} <= set(pages)
    assert len(pages) == 14


def test_the_sites_own_sitemap_lists_the_same_pages(live_site):
    assert sorted(public_pages(live_site, timeout=5)) == sorted(named_pages())


def test_the_sitemap_and_the_sitemaps_it_indexes_give_the_pages(live_site, settings):
    settings.ROOT_URLCONF = "tests.scanner.sitemap_urls"
    assert public_pages(live_site, timeout=5) == ["/", "/tarifs/", "/en/pricing/"]


def test_a_broken_sitemap_falls_back_to_the_public_pages(live_site, settings):
    settings.ROOT_URLCONF = "tests.scanner.broken_sitemap_urls"
    assert public_pages(live_site, timeout=5) == named_pages()


def test_pages_given_by_hand_are_paths_of_the_base_url():
    assert normalise_pages(["tarifs/", "http://localhost:8000/en/?x=1", "/tarifs/"], "http://localhost:8000") == [
        "/tarifs/",
        "/en/?x=1",
    ]
    with pytest.raises(ScanRefused):
        normalise_pages(["https://example.org/"], "http://localhost:8000")
