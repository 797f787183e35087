"""The stock snippets marketers paste, gated in a real Chromium: nothing leaves before a choice, with
JavaScript or without, and a granted purpose loads exactly its own resources, in page order."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CSP_LISTENER, allow_hosts, wait_for_records, wait_in, wait_until

# Host -> what the stub answers; each stub script notes that it ran.
STUBS = {
    "connect.facebook.net": ("application/javascript", 'window.__ran.push("meta");'),
    "snap.licdn.com": ("application/javascript", 'window.__ran.push("linkedin");'),
    "js.hs-scripts.com": ("application/javascript", 'window.__ran.push("hubspot");'),
    "fonts.stub.example": ("text/css", "h1 { letter-spacing: 0.01em; }"),
    "cdn.stub.example": ("application/javascript", ""),
    "www.youtube-nocookie.com": ("text/html; charset=utf-8", "<p>lecteur</p>"),
    "www.facebook.com": ("image/gif", ""),
    "px.ads.linkedin.com": ("image/gif", ""),
}
# What each purpose loads on /snippets/, in page order.
ADVERTISING = ["connect.facebook.net", "snap.licdn.com", "www.youtube-nocookie.com"]
PREFERENCES = ["js.hs-scripts.com", "fonts.stub.example"]
STATISTICS = ["cdn.stub.example"]


@pytest.fixture
def snippets(site, settings, live_server):
    """The snippets page with GTM configured (basic mode, the default) and stub third parties."""
    settings.ROOT_URLCONF = "tests.e2e.gating_urls"
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    allow_hosts(settings, style_src="https://fonts.stub.example", script_src="https://cdn.stub.example")
    return open_snippets(site, live_server)


def open_snippets(page, live_server):
    page.third_parties = []

    def record(request) -> None:
        if not request.url.startswith(live_server.url):
            page.third_parties.append(urlsplit(request.url).hostname)

    page.on("request", record)

    def stub(route):
        content_type, body = STUBS.get(urlsplit(route.request.url).hostname, ("text/plain", ""))
        route.fulfill(body=body, content_type=content_type)

    page.route("https://**/*", stub)
    page.add_init_script(CSP_LISTENER + "window.__ran = [];")
    return page


def settle(page) -> None:
    """After a navigation: until the network is idle (Playwright answers at once if it already was)."""
    page.wait_for_load_state("networkidle")


def third_parties_once(page, count: int) -> list[str]:
    """The third-party hosts asked for, GTM aside, once there are ``count`` of them and nothing more
    came for half a second (consent.js restores the elements one after another after a choice)."""

    def loaded() -> list[str]:
        return [host for host in page.third_parties if host != "www.googletagmanager.com"]

    wait_in(page, lambda: len(loaded()) >= count, what=f"{count} third-party requests")
    page.wait_for_timeout(500)
    return loaded()


def test_before_any_choice_nothing_leaves_for_a_third_party(snippets):
    snippets.goto("/snippets/")
    expect(snippets.locator("#cc-banner")).to_be_visible()
    settle(snippets)
    assert snippets.third_parties == []  # not even Google Tag Manager
    assert snippets.evaluate("window.__ran") == []
    assert snippets.evaluate("window.__csp") == []


def test_without_javascript_the_noscript_pixels_never_load(snippets, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = open_snippets(context.new_page(), live_server)
        page.goto("/snippets/")
        expect(page.locator("#cc-banner")).to_be_visible()
        settle(page)
        assert page.third_parties == []
    finally:
        context.close()


@pytest.mark.parametrize(
    ("purpose", "label", "expected"),
    [
        ("advertising", "Publicité", ADVERTISING),
        ("preferences", "Préférences", PREFERENCES),
        ("statistics", "Statistiques", STATISTICS),
    ],
)
def test_granting_one_purpose_loads_exactly_its_resources_in_page_order(snippets, purpose, label, expected):
    snippets.goto("/snippets/")
    settle(snippets)
    snippets.locator("#cc-banner").get_by_role("button", name="Personnaliser").click()
    dialog = snippets.get_by_role("dialog")
    dialog.get_by_role("switch", name=label).check()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    (record,) = wait_for_records(1)
    assert getattr(record, purpose) is True
    loaded = third_parties_once(snippets, len(expected))
    assert sorted(loaded) == sorted(expected)
    # Restored in page order: each script's request after the one before (a frame loads on its own time).
    scripts = [host for host in expected if STUBS[host][0] == "application/javascript"]
    assert [host for host in loaded if host in scripts] == scripts
    # GTM (basic mode) comes with statistics only.
    assert ("www.googletagmanager.com" in snippets.third_parties) == (purpose == "statistics")
    if purpose == "advertising":
        assert snippets.evaluate("window.__ran") == ["meta", "linkedin"]
        expect(snippets.frame_locator("iframe[title='YouTube video player']").get_by_text("lecteur")).to_be_visible()
    assert snippets.evaluate("window.__csp") == []


def test_refusing_everything_loads_nothing(snippets):
    snippets.goto("/snippets/")
    snippets.locator("#cc-banner").get_by_role("button", name="Tout refuser").click()
    wait_for_records(1)
    settle(snippets)
    snippets.reload()
    settle(snippets)
    assert snippets.third_parties == []
    assert snippets.evaluate("window.__ran") == []
    assert snippets.evaluate("window.__csp") == []


def test_accepting_everything_loads_each_resource_once(snippets):
    snippets.goto("/snippets/")
    snippets.locator("#cc-banner").get_by_role("button", name="Tout accepter").click()
    wait_for_records(1)
    wait_until(snippets, "window.__ran.length === 3")
    loaded = third_parties_once(snippets, len(ADVERTISING + PREFERENCES + STATISTICS))
    assert sorted(loaded) == sorted(ADVERTISING + PREFERENCES + STATISTICS)
    assert sorted(snippets.evaluate("window.__ran")) == ["hubspot", "linkedin", "meta"]
    assert snippets.evaluate("window.__csp") == []
